import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

export interface StackKeyProps {
  readonly description: string;
  /**
   * Keep the key when the stack is deleted. A retained table (gofn's audit trail) stays readable
   * only while its key exists, so the key goes with the table's removal policy.
   * @default false
   */
  readonly retain?: boolean;
  /** The key encrypts SNS topics that CloudWatch alarms publish to. @default false */
  readonly alarmTopics?: boolean;
}

/**
 * One customer-managed key per stack, rotated yearly, for what the stack keeps at rest: SNS
 * topics, dead-letter queues, the DynamoDB table and the log groups. Its policy is CDK's default
 * (the account's IAM policies decide, so a grant in a role policy is enough for the stack's own
 * functions) plus what AWS services need to use the key on the stack's behalf: CloudWatch Logs
 * for the log groups, and CloudWatch alarms for encrypted alarm topics.
 */
export function stackKey(scope: Construct, id: string, props: StackKeyProps): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });

  // CloudWatch Logs encrypts and decrypts a group's events itself, as the logs service principal
  // of the region, and names the group in the encryption context; only this account's groups.
  // (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS KMS"; exact
  // actions rather than its wildcards, which also match calls that carry no encryption context
  // and so could never pass the condition. StringLike: the context value is a string.)
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsUseForThisAccountsLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
      ],
      resources: ['*'],
      conditions: {
        StringLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );

  if (props.alarmTopics) {
    // An alarm publishes to an encrypted topic only if CloudWatch may make a data key with the
    // topic's key (SNS developer guide, "Enable compatibility between event sources from AWS
    // services and encrypted topics"); scoped to alarms of this account and region.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: cloudWatchAlarmConditions(stack),
      }),
    );
  }
  return key;
}

/**
 * The confused-deputy guard for the CloudWatch service principal: only alarms of this account
 * and region act through it. Any alarm name: workloads deployed elsewhere name their own alarms.
 */
export function cloudWatchAlarmConditions(stack: Stack): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  };
}
