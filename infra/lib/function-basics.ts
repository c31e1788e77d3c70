import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmDescription, functionAlarmName, lambdaLogGroupName } from './conventions';
import { suppress } from './nag';

export interface FunctionBasicsProps {
  readonly functionName: string;
  readonly logRetention: logs.RetentionDays;
  /** The stack's key: the log group is encrypted with it. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The log group and execution role every gofn-deployed function starts from. The role gets no
 * managed policy: it may write to its own log group and nothing else until a grant says so.
 */
export class FunctionBasics extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: FunctionBasicsProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The name Lambda would pick itself, so tools that assume it (gofn, the console, sam logs)
      // find the logs.
      logGroupName: lambdaLogGroupName(props.functionName),
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      // A retained group would keep this fixed name taken and fail the next deployment of the
      // stack after a delete; retention already bounds how long logs live.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    this.logGroup.grantWrite(this.role);
    // Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords to this role's
    // default policy; they do not support resource-level permissions. The tests check that
    // they are the only statements on `*`.
    suppress(this.role, 'AwsSolutions-IAM5', 'X-Ray trace upload actions do not support resource-level permissions', [
      'Resource::*',
    ]);
  }
}

export interface FunctionAlarmProps {
  readonly functionName: string;
  /** Suffix of the alarm name, for example `errors`. */
  readonly signal: string;
  readonly metric: cloudwatch.IMetric;
  /** The alarm fires when the metric is strictly greater than this. */
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly description: string;
  /** Receives both ALARM and OK, so a Slack alarm thread can be marked resolved. */
  readonly topic: sns.ITopic;
}

export function functionAlarm(scope: Construct, id: string, props: FunctionAlarmProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: functionAlarmName(props.functionName, props.signal),
    alarmDescription: alarmDescription(props.functionName, props.description),
    metric: props.metric,
    threshold: props.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: props.evaluationPeriods,
    datapointsToAlarm: props.datapointsToAlarm,
    // No invocations is not a failure; an idle function must not sit in ALARM or block a deploy.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const action = new actions.SnsAction(props.topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}
