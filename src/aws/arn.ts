import { ErrorCode, GofnError } from '../errors';

export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the account: `function:orders-api`, `orders-dlq`, ... */
  resource: string;
}

export function parseArn(arn: string): Arn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', accountId = ''] = parts;
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

/** `arn:aws:lambda:us-east-1:123456789012:function:orders-api[:qualifier]` → `orders-api`. */
export function functionNameFromArn(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'lambda') return undefined;
  const [kind, name] = parsed.resource.split(':');
  return kind === 'function' && name ? name : undefined;
}

/** `arn:...:function:orders-api:live` → `live`; undefined for an unqualified function ARN. */
export function functionQualifierFromArn(arn: string | undefined): string | undefined {
  const parsed = arn ? parseArn(arn) : undefined;
  if (parsed?.service !== 'lambda') return undefined;
  const [kind, , qualifier] = parsed.resource.split(':');
  return kind === 'function' && qualifier ? qualifier : undefined;
}

/** The service of an event source ARN, as `EventSourceInfo.service` names it. */
export function eventSourceService(arn: string | undefined): string {
  const service = arn ? parseArn(arn)?.service : undefined;
  return service === 'sqs' || service === 'kinesis' || service === 'dynamodb' || service === 'kafka'
    ? service
    : 'other';
}

const partitionDomains: Record<string, string> = {
  aws: 'amazonaws.com',
  'aws-us-gov': 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
};

export interface QueueRef {
  arn: string;
  name: string;
  /** `https://sqs.<region>.<domain>/<account>/<name>`, the URL SQS itself gives the queue. */
  url: string;
}

/**
 * The queue URL of an SQS ARN, built instead of asked for: GetQueueUrl would be one more request
 * per queue, and the URL is a pure function of the ARN.
 */
export function queueFromArn(arn: string): QueueRef {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'sqs' || !parsed.region || !/^\d{12}$/.test(parsed.accountId) || !parsed.resource) {
    throw new GofnError(ErrorCode.InvalidInput, `${arn} is not the ARN of an SQS queue.`);
  }
  const domain = partitionDomains[parsed.partition] ?? 'amazonaws.com';
  return {
    arn,
    name: parsed.resource,
    url: `https://sqs.${parsed.region}.${domain}/${parsed.accountId}/${parsed.resource}`,
  };
}
