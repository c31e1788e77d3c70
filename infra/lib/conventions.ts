/**
 * Names gofn and the infrastructure agree on. The bot finds what it manages through these tags
 * and alarm names, so the construct that writes them and the policy that trusts them import the
 * same constants.
 */

/** Tag keys on a managed function. */
export const TAG = {
  /** `true` on every function gofn may act on; the bot's write permissions are conditioned on it. */
  managed: 'gofn:managed',
  /** Slack user or user-group IDs allowed to run actions, separated by single spaces. */
  owners: 'gofn:owners',
  /** `<CodeDeploy application>/<deployment group>` that moves the function's alias. */
  deploymentGroup: 'gofn:deployment-group',
  /** Name of the function's dead-letter queue: the fleet overview reads its depth from CloudWatch. */
  deadLetterQueue: 'gofn:dlq',
  service: 'service',
  env: 'env',
  owner: 'owner',
} as const;

/** The alias gofn reads and rolls back; CodeDeploy moves it. */
export const LIVE_ALIAS = 'live';

/** The default log group of a Lambda function, which is where gofn's Logs Insights queries look. */
export function lambdaLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * Alarm names are `<function>-<signal>`, so an alarm notification maps back to its function
 * without a lookup.
 */
export function functionAlarmName(functionName: string, signal: string): string {
  return `${functionName}-${signal}`;
}

/**
 * Every alarm's description ends with `gofn:function=<name>`: for alarms on metrics without a
 * FunctionName dimension (the DLQ's depth), that is how gofn's worker finds the function.
 */
export function alarmDescription(functionName: string, description: string): string {
  return `${description} (gofn:function=${functionName})`;
}

/** A Slack user (U…, W…) or user-group (S…) ID, as gofn's authorization accepts them. */
const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;

/**
 * Checks Slack IDs for `gofn:owners` and GOFN_ADMINS at synthesis: gofn ignores anything else,
 * so a typo would silently lock an owner out.
 */
export function slackIds(ids: readonly string[], what: string): string[] {
  for (const id of ids) {
    if (!SLACK_ID.test(id)) {
      throw new Error(`${what}: ${JSON.stringify(id)} is not a Slack user (U…, W…) or user-group (S…) ID`);
    }
  }
  return [...ids];
}

/** The `gofn:owners` tag value: IDs joined by single spaces (tag values cannot hold commas). */
export function ownersTagValue(owners: readonly string[]): string {
  const value = slackIds(owners, 'gofn:owners').join(' ');
  if (value.length > 256) throw new Error(`gofn:owners tag would be ${value.length} characters; AWS allows 256`);
  return value;
}

/** Prefix of the bot's fixed resource names (functions, topics, secret); one bot per prefix and region. */
export const DEFAULT_BOT_PREFIX = 'gofn';

/**
 * gofn's alarm topic has a fixed name so that workload stacks, deployed by anyone, can route
 * alarms to it without importing anything from the bot stack.
 */
export function alarmTopicName(botPrefix: string): string {
  return `${botPrefix}-alarms`;
}
