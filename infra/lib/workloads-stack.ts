import * as path from 'node:path';
import { ArnFormat, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { GoWorkload } from './go-workload';
import type { ManagedWorkloadRef } from './managed-workloads';
import { ProfileBucket } from './profiling';

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
  /**
   * ARN of an OpenTelemetry collector layer to send spans to instead of Lambda's X-Ray daemon
   * (see GoWorkloadProps.otelCollectorLayer). @default - none: subsegments go to the daemon
   */
  readonly otelCollectorLayerArn?: string;
}

/**
 * Two Go functions to try gofn on, with the tables they use: `hello` serves `GET /hello/{id}`
 * from an items table through an HTTP API; `orders-worker` consumes an SQS queue and writes
 * orders. Contracts in workloads/README.md.
 */
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
    // Where `gofn profile` finds the samples' CPU profiles (docs/profiling.md).
    const profiles = new ProfileBucket(this, 'Profiles');
    const common = {
      alarmTopic,
      profileBucket: profiles.bucket,
      owners: props.owners,
      owner: 'gofn-samples',
      env: props.envTag ?? 'sample',
      service: 'gofn-samples',
      otelCollectorLayer: props.otelCollectorLayerArn
        ? lambda.LayerVersion.fromLayerVersionArn(this, 'OtelCollector', props.otelCollectorLayerArn)
        : undefined,
    };

    const items = sampleTable(this, 'ItemsTable', 'id');
    this.hello = new GoWorkload(this, 'Hello', {
      ...common,
      functionName: `${prefix}hello`,
      description: 'gofn sample: GET /hello/{id} through an HTTP API',
      bootstrapDir: path.join(props.workloadsDist, 'hello'),
      trigger: { kind: 'http' },
      environment: { ITEMS_TABLE: items.tableName },
    });
    items.grant(this.hello.function, 'dynamodb:GetItem');

    const orders = sampleTable(this, 'OrdersTable', 'orderId');
    this.ordersWorker = new GoWorkload(this, 'OrdersWorker', {
      ...common,
      functionName: `${prefix}orders-worker`,
      description: 'gofn sample: SQS consumer writing orders',
      bootstrapDir: path.join(props.workloadsDist, 'orders-worker'),
      trigger: { kind: 'sqs' },
      environment: { ORDERS_TABLE: orders.tableName },
    });
    orders.grant(this.ordersWorker.function, 'dynamodb:PutItem');

    if (this.hello.url) new CfnOutput(this, 'HelloUrl', { value: `${this.hello.url}hello/42` });
    if (this.ordersWorker.sourceQueue) {
      new CfnOutput(this, 'OrdersQueueUrl', { value: this.ordersWorker.sourceQueue.queueUrl });
    }
    new CfnOutput(this, 'ItemsTableName', { value: items.tableName });
    new CfnOutput(this, 'ProfilesBucketName', { value: profiles.bucket.bucketName });
  }

  get refs(): ManagedWorkloadRef[] {
    return [this.hello.ref, this.ordersWorker.ref];
  }
}

/** On-demand, so an idle sample costs nothing; sample data, so it goes with the stack. */
function sampleTable(scope: Construct, id: string, partitionKey: string): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
