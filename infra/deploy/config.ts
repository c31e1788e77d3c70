import * as fs from 'node:fs';
import * as z from 'zod';
import { targetsSchema } from '../../src/targets';

/**
 * gofn.config.json: everything `npm run deploy` needs to know, in one file. Every field is
 * optional, so `npm run synth` works with no file at all; a field that is present is checked
 * here, before anything is built or deployed, with one sentence per mistake.
 */

const slackId = z
  .string()
  .regex(/^[UWS][A-Z0-9]{2,}$/, 'is not a Slack user ID (U…, W…) or user-group ID (S…), like U012AB3CD');
const arnOf = (service: string) =>
  z.string().regex(new RegExp(`^arn:[\\w-]+:${service}:`), `is not an arn:aws:${service}:… ARN`);

const managedWorkload = z.strictObject({
  functionArn: arnOf('lambda'),
  deadLetterQueueArn: arnOf('sqs'),
  sourceQueueArn: arnOf('sqs').optional(),
  deploymentGroupArn: arnOf('codedeploy').optional(),
});

export const configSchema = z.strictObject({
  /** Region to deploy to. Default: the AWS CLI's (AWS_REGION, the profile). */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'is not an AWS region like eu-west-1')
    .optional(),
  /** AWS CLI profile whose credentials deploy. Default: the usual credential chain. */
  profile: z.string().min(1, 'must not be empty').optional(),
  /** Prefix of the bot's fixed resource names. One bot per prefix and region. */
  botPrefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be 1-20 of a-z 0-9 -, starting with a letter')
    .optional(),
  /** Channel where alarm threads open. */
  alarmChannel: z
    .string()
    .regex(/^[CG][A-Z0-9]{2,}$/, 'is not a Slack channel ID like C0123456789 (a #name can be renamed away)')
    .optional(),
  /** Slack users or user groups who may act on every managed function. */
  admins: z.array(slackId).optional(),
  /** Slack users or user groups who may act on the sample functions. */
  owners: z.array(slackId).optional(),
  /** Deploy the two sample Go functions next to the bot. */
  sampleWorkloads: z.boolean().optional(),
  /** Workloads deployed elsewhere whose DLQs and functions the bot may act on. */
  managedWorkloads: z.array(managedWorkload).optional(),
  /** Where the sample functions send spans. */
  tracesExporter: z.enum(['xray-daemon', 'otlp-xray', 'otel-collector']).optional(),
  /** The collector layer for tracesExporter otel-collector. */
  otelCollectorLayerArn: arnOf('lambda').optional(),
  /**
   * Accounts (each with the role gofn assumes and its external ID) and regions gofn manages:
   * GOFN_TARGETS of the worker (src/targets.ts, docs/accounts.md).
   */
  targets: targetsSchema.optional(),
  /** `env` and `owner` tags of the bot. */
  envTag: z.string().min(1).max(256).optional(),
  ownerTag: z.string().min(1).max(256).optional(),
});

export type GofnConfig = z.output<typeof configSchema>;

export const CONFIG_FILE = 'gofn.config.json';

/** A config file that cannot be used: one sentence per problem, naming the field. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `${file}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`,
      options,
    );
    this.name = 'ConfigError';
  }
}

/** `admins[1]`, `managedWorkloads[0].functionArn`: where in the file a problem is. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

function sentence(issue: z.core.$ZodIssue): string {
  const where = fieldPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(configSchema.shape).join(', ');
    const names = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return `${where ? `${where}: ` : ''}unknown field ${names}${where ? '' : `; the fields are ${known}`}`;
  }
  if (issue.code === 'invalid_type') return `${where}: must be ${issue.expected}`;
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}

/** Validates parsed JSON as a gofn configuration; throws ConfigError listing every problem. */
export function parseConfig(json: unknown, file = CONFIG_FILE): GofnConfig {
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(file, parsed.error.issues.map(sentence));
  return parsed.data;
}

/** Reads and validates the file; a missing file is the empty configuration (all defaults). */
export function loadConfig(file: string): GofnConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(file, [`cannot be read: ${(err as Error).message}`], { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`is not JSON: ${(err as Error).message}`], { cause: err });
  }
  return parseConfig(json, file);
}

/**
 * The CDK context the app reads (infra/lib/gofn-app.ts), as `-c key=value` arguments. Region
 * and profile are not context: they choose the credentials and target of the deploy.
 */
export function contextArgs(config: GofnConfig): string[] {
  const context: Record<string, string | undefined> = {
    botPrefix: config.botPrefix,
    alarmChannel: config.alarmChannel,
    admins: config.admins?.join(','),
    owners: config.owners?.join(','),
    sampleWorkloads: config.sampleWorkloads === undefined ? undefined : String(config.sampleWorkloads),
    managedWorkloads: config.managedWorkloads ? JSON.stringify(config.managedWorkloads) : undefined,
    targets: config.targets ? JSON.stringify(config.targets) : undefined,
    tracesExporter: config.tracesExporter,
    otelCollectorLayerArn: config.otelCollectorLayerArn,
    envTag: config.envTag,
    ownerTag: config.ownerTag,
  };
  return Object.entries(context).flatMap(([key, value]) =>
    value === undefined || value === '' ? [] : ['-c', `${key}=${value}`],
  );
}
