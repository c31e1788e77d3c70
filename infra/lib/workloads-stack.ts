import * as path from 'node:path';
import { ArnFormat, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { stackKey } from './encryption';
import { GoWorkload, type WorkloadTraces } from './go-workload';
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
   * Where the samples send their spans: `xray-daemon`, `otlp-xray` (X-Ray's OTLP endpoint, with
   * Transaction Search on), or `otel-collector` with `otelCollectorLayerArn`.
   * @default 'xray-daemon'
   */
  readonly tracesExporter?: WorkloadTraces['exporter'];
  /** ARN of the OpenTelemetry collector layer, for tracesExporter `otel-collector`. */
  readonly otelCollectorLayerArn?: string;
}

/**
 * The sample HTTP function's route. Its handler reads `{id}` from the event's pathParameters;
 * workloads/internal/hello/testdata/get-hello-route.json is the event this route produces, and
 * both the Go handler test and the infrastructure test read it.
 */
export const HELLO_ROUTE_KEY = 'GET /hello/{id}';

/**
 * Two Go functions to try gofn on, with the tables they use: `hello` serves `GET /hello/{id}`
 * from an items table through an HTTP API; `orders-worker` consumes an SQS queue and writes
 * orders. Contracts in workloads/README.md.
 */
export class WorkloadsStack extends Stack {
  readonly hello: GoWorkload;
  readonly ordersWorker: GoWorkload;
  /** Encrypts the DLQs, the sample tables and the log groups. */
  readonly key: kms.Key;

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
    this.key = stackKey(this, 'Key', { description: 'gofn sample workloads: DLQs, tables and logs' });
    // Where `gofn profile` finds the samples' CPU profiles (docs/profiling.md).
    const profiles = new ProfileBucket(this, 'Profiles');
    const common = {
      alarmTopic,
      profileBucket: profiles.bucket,
      encryptionKey: this.key,
      owners: props.owners,
      owner: 'gofn-samples',
      env: props.envTag ?? 'sample',
      service: 'gofn-samples',
      traces: this.traces(props),
    };

    const items = sampleTable(this, 'ItemsTable', 'id', this.key);
    this.hello = new GoWorkload(this, 'Hello', {
      ...common,
      functionName: `${prefix}hello`,
      description: 'gofn sample: GET /hello/{id} through an HTTP API',
      bootstrapDir: path.join(props.workloadsDist, 'hello'),
      trigger: { kind: 'http', routeKey: HELLO_ROUTE_KEY },
      environment: { ITEMS_TABLE: items.tableName },
    });
    // internal/hello DynamoItems.GetItem; DynamoDB decrypts with the table's key for the caller.
    items.grant(this.hello.function, 'dynamodb:GetItem');
    this.key.grant(this.hello.function, 'kms:Decrypt');

    const orders = sampleTable(this, 'OrdersTable', 'orderId', this.key);
    this.ordersWorker = new GoWorkload(this, 'OrdersWorker', {
      ...common,
      functionName: `${prefix}orders-worker`,
      description: 'gofn sample: SQS consumer writing orders',
      bootstrapDir: path.join(props.workloadsDist, 'orders-worker'),
      trigger: { kind: 'sqs' },
      environment: { ORDERS_TABLE: orders.tableName },
    });
    // internal/orders DynamoOrders.SaveOrder (a conditional PutItem).
    orders.grant(this.ordersWorker.function, 'dynamodb:PutItem');
    this.key.grant(this.ordersWorker.function, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');

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

  private traces(props: WorkloadsStackProps): WorkloadTraces {
    const exporter = props.tracesExporter ?? (props.otelCollectorLayerArn ? 'otel-collector' : 'xray-daemon');
    if (exporter !== 'otel-collector') return { exporter };
    if (!props.otelCollectorLayerArn) {
      throw new Error('tracesExporter otel-collector needs otelCollectorLayerArn, the collector layer to run');
    }
    return {
      exporter,
      layer: lambda.LayerVersion.fromLayerVersionArn(this, 'OtelCollector', props.otelCollectorLayerArn),
    };
  }
}

/** On-demand, so an idle sample costs nothing; sample data, so it goes with the stack. */
function sampleTable(scope: Construct, id: string, partitionKey: string, key: kms.IKey): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
