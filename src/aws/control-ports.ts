import type { ControlPorts } from '../ports';
import type { AwsClients } from './clients';
import { CodeDeployControl } from './codedeploy-control';
import { LambdaControl } from './lambda-control';
import { SqsControl } from './sqs-control';

/** The ports the actions change production through, over the shared clients. */
export function createControlPorts(clients: AwsClients): ControlPorts {
  return {
    lambda: new LambdaControl(clients),
    deploys: new CodeDeployControl(clients),
    queues: new SqsControl(clients),
  };
}
