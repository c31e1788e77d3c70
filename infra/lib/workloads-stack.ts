import * as path from 'node:path';
import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { GoWorkload } from './go-workload';
import type { ManagedWorkloadRef } from './managed-workloads';

export interface WorkloadsStackProps extends StackProps {
  /** Name of gofn's alarm topic (created by the bot stack). */
  readonly alarmTopicName: string;
  /** Directory with one `<workload>/bootstrap` per Go function, as `workloads/scripts/build.sh` writes it. */
  readonly workloadsDist: string;
  /** Slack IDs allowed to run gofn actions on the samples. */
  readonly owners: readonly string[];
  /** @default 'gofn-sample-' */
  readonly namePrefix?: string;
  /** Value of the workloads' `env` tag. @default 'sample' */
  readonly envTag?: string;
}

/** Two Go functions to try gofn on: an HTTP API (`hello`) and an SQS consumer (`orders-worker`). */
export class WorkloadsStack extends Stack {
  readonly hello: GoWorkload;
  readonly ordersWorker: GoWorkload;

  constructor(scope: Construct, id: string, props: WorkloadsStackProps) {
    super(scope, id, props);
    const prefix = props.namePrefix ?? 'gofn-sample-';
    // Imported by ARN rather than by reference: the bot stack already depends on this one (it
    // lists these workloads in its policy), so a reference back would be a cycle.
    const alarmTopic = sns.Topic.fromTopicArn(
      this,
      'AlarmTopic',
      this.formatArn({ service: 'sns', resource: props.alarmTopicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
    );
    const common = {
      alarmTopic,
      owners: props.owners,
      owner: 'gofn-samples',
      env: props.envTag ?? 'sample',
      service: 'gofn-samples',
    };

    this.hello = new GoWorkload(this, 'Hello', {
      ...common,
      functionName: `${prefix}hello`,
      description: 'gofn sample: HTTP API',
      bootstrapDir: path.join(props.workloadsDist, 'hello'),
      trigger: { kind: 'http' },
    });
    this.ordersWorker = new GoWorkload(this, 'OrdersWorker', {
      ...common,
      functionName: `${prefix}orders-worker`,
      description: 'gofn sample: SQS consumer',
      bootstrapDir: path.join(props.workloadsDist, 'orders-worker'),
      trigger: { kind: 'sqs' },
    });

    if (this.hello.url) new CfnOutput(this, 'HelloUrl', { value: this.hello.url });
    if (this.ordersWorker.sourceQueue) {
      new CfnOutput(this, 'OrdersQueueUrl', { value: this.ordersWorker.sourceQueue.queueUrl });
    }
  }

  get refs(): ManagedWorkloadRef[] {
    return [this.hello.ref, this.ordersWorker.ref];
  }
}
