/**
 * The AWS services gofn talks to, by the names the call ledger records ("CloudWatch:GetMetricData")
 * and the IAM prefix a missing permission is named with.
 */
export const awsServices = {
  Lambda: 'lambda',
  CloudWatch: 'cloudwatch',
  CloudWatchLogs: 'logs',
  XRay: 'xray',
  CodeDeploy: 'codedeploy',
  SQS: 'sqs',
  ResourceGroupsTaggingAPI: 'tag',
  STS: 'sts',
  DynamoDB: 'dynamodb',
  SecretsManager: 'secretsmanager',
  CloudFormation: 'cloudformation',
  SSM: 'ssm',
  S3: 's3',
} as const;

export type AwsServiceName = keyof typeof awsServices;

/** The IAM action a call needs, e.g. `cloudwatch:GetMetricData`. */
export function iamAction(service: AwsServiceName, operation: string): string {
  return `${awsServices[service]}:${operation}`;
}
