import type { ControlPorts } from '../ports';
import type { AwsClients } from './clients';
import { CodeDeployControl } from './codedeploy-control';
import { LambdaControl } from './lambda-control';
import { S3ProfileStore } from './s3-profile-store';
import { SqsControl } from './sqs-control';
import { SsmProfileFlags } from './ssm-profile-flags';

/** The ports the actions change production through, over the shared clients. */
export function createControlPorts(clients: AwsClients): ControlPorts {
  return {
    lambda: new LambdaControl(clients),
    deploys: new CodeDeployControl(clients),
    queues: new SqsControl(clients),
    profiles: { flags: new SsmProfileFlags(clients), store: new S3ProfileStore(clients) },
  };
}
