/**
 * What the bot needs to know about a managed workload to act on it: the resources its actions
 * touch. Reads need no list (the bot reads any function); writes are limited to these ARNs, or,
 * for alias and concurrency changes, to functions tagged `gofn:managed=true`.
 */
export interface ManagedWorkloadRef {
  /** Unqualified function ARN: async invocations to replay the function's DLQ. */
  readonly functionArn: string;
  /** The queue failed events land in: receive, delete and move messages out of it. */
  readonly deadLetterQueueArn: string;
  /** The queue the function consumes, if it is an SQS consumer: DLQ messages move back here. */
  readonly sourceQueueArn?: string;
  /**
   * CodeDeploy deployment group that moves the `live` alias. Informational: StopDeployment
   * cannot be limited to a group, so the bot may stop any deployment (it stops only those of
   * the alias it rolls back).
   */
  readonly deploymentGroupArn?: string;
  /**
   * The function's profiling flag (SSM parameter), if it can be profiled: turn profiling on and
   * off, and read the profiles bucket of the account and region (gofn-profiles-<account>-<region>).
   */
  readonly profileParameterArn?: string;
}

const FIELDS = {
  functionArn: { required: true, service: 'lambda' },
  deadLetterQueueArn: { required: true, service: 'sqs' },
  sourceQueueArn: { required: false, service: 'sqs' },
  deploymentGroupArn: { required: false, service: 'codedeploy' },
  profileParameterArn: { required: false, service: 'ssm' },
} as const;

/**
 * Parses the `managedWorkloads` context value: a JSON array (or its string form, as `-c` passes
 * it) of {@link ManagedWorkloadRef} objects, for workloads deployed outside this app. Throws on
 * anything else, naming the entry and field, so a typo cannot silently drop a permission.
 */
export function parseManagedWorkloads(value: unknown): ManagedWorkloadRef[] {
  if (value === undefined) return [];
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      throw new Error(`context managedWorkloads is not JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!Array.isArray(parsed)) throw new Error('context managedWorkloads must be a JSON array');
  return parsed.map((entry: unknown, i) => {
    const where = `context managedWorkloads[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new Error(`${where} must be an object`);
    }
    const record = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(record).filter((k) => !(k in FIELDS));
    if (unknownKeys.length > 0) {
      throw new Error(
        `${where} has unknown field(s) ${unknownKeys.join(', ')}; expected ${Object.keys(FIELDS).join(', ')}`,
      );
    }
    for (const [field, rule] of Object.entries(FIELDS)) {
      const v = record[field];
      if (v === undefined && !rule.required) continue;
      if (typeof v !== 'string' || !new RegExp(`^arn:[\\w-]+:${rule.service}:`).test(v)) {
        throw new Error(`${where}.${field} must be an arn:<partition>:${rule.service}:… ARN`);
      }
    }
    return record as unknown as ManagedWorkloadRef;
  });
}
