import * as z from 'zod';
import { ErrorCode, GofnError } from './errors';
import { formatPath } from './format';
import { SLACK_ID } from './owners';
import { targetsJson } from './targets';

const idList = z
  .string()
  .default('')
  .transform((text) =>
    text
      .split(/[\s,]+/)
      .map((id) => id.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(SLACK_ID, 'expected Slack user (U…/W…) or user-group (S…) IDs')));

const channelList = z
  .string()
  .default('')
  .transform((text) => text.split(/[\s,]+/).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[CG][A-Z0-9]+$/, 'expected Slack channel IDs like C0123456789')));

const groupList = z
  .string()
  .default('')
  .transform((text) => text.split(/[\s,]+/).filter(Boolean))
  .pipe(z.array(z.string().regex(/^S[A-Z0-9]{2,}$/, 'expected Slack user-group IDs like S0123456789')));

const yesNo = z
  .enum(['true', 'false', ''], { error: 'expected true or false' })
  .default('false')
  .transform((v) => v === 'true');

const wholeAboveZero = { error: 'expected a whole number above 0' };
const positiveInt = (fallback: number) =>
  z.coerce.number(wholeAboveZero).int(wholeAboveZero).positive(wholeAboveZero).default(fallback);

/**
 * Everything the Lambda handlers and the Slack runner read from the environment, validated at
 * start-up so a typo fails loudly with the variable's name instead of misbehaving later.
 */
export const configSchema = z
  .object({
    /** Secrets Manager secret with {"signingSecret", "botToken"} (production). */
    SLACK_SECRET_ARN: z.string().min(1).optional(),
    /** Local development only: secrets from the environment instead of Secrets Manager. */
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_BOT_TOKEN: z.string().min(1).optional(),
    /** Local development only: the signing secret before a rotation (see docs/security.md). */
    SLACK_PREVIOUS_SIGNING_SECRET: z.string().min(1).optional(),
    /** Until when buttons signed with SLACK_PREVIOUS_SIGNING_SECRET are accepted (ISO 8601). */
    SLACK_PREVIOUS_SIGNING_SECRET_UNTIL: z.iso.datetime({ offset: true }).optional(),
    /** Socket Mode app-level token, for `npm run dev`. */
    SLACK_APP_TOKEN: z.string().min(1).optional(),
    /** Web API base URL; GovSlack and tests override it. */
    SLACK_API_URL: z.url().default('https://slack.com/api/'),
    /** gofn's DynamoDB table: alarm threads, audit records, idempotency claims. */
    TABLE_NAME: z.string().min(1).optional(),
    /** The worker function the ingress hands jobs to. */
    WORKER_FUNCTION_NAME: z.string().min(1).optional(),
    /** Channel ID where alarm threads open. */
    ALARM_CHANNEL: z
      .string()
      .regex(/^[CG][A-Z0-9]+$/, 'expected a Slack channel ID like C0123456789')
      .optional(),
    /** Slack user and user-group IDs allowed to run actions on every function. */
    GOFN_ADMINS: idList,
    /** Reserved concurrency gofn will never set above, whatever the account headroom. */
    GOFN_MAX_CONCURRENCY: positiveInt(1000),
    /** How long a cached secret is used before it is fetched again. */
    GOFN_SECRET_TTL_SECONDS: positiveInt(300),
    /** Deadline of one diagnosis run by the worker. */
    GOFN_DEADLINE_MS: positiveInt(20_000),
    /** How long an action button stays valid. */
    GOFN_ACTION_TTL_SECONDS: positiveInt(7200),
    /** Default window of `/gofn status`. */
    GOFN_WINDOW: z.string().default('1h'),
    /** Let guests (restricted and ultra-restricted users) run /gofn. */
    GOFN_ALLOW_GUESTS: yesNo,
    /** Let people from another organisation in a Slack Connect channel run /gofn. */
    GOFN_ALLOW_EXTERNAL: yesNo,
    /** When set, /gofn answers only in these channels. */
    GOFN_ALLOWED_CHANNELS: channelList,
    /** When set, only members of these user groups (and GOFN_ADMINS) may run /gofn. */
    GOFN_ALLOWED_GROUPS: groupList,
    /** How long after an alarm cleared a new ALARM goes on in the same thread. */
    GOFN_ALARM_COOLDOWN_MINUTES: positiveInt(15),
    /**
     * Accounts and regions (issue 17): JSON as src/targets.ts describes it, set by the bot stack.
     * Unset: the worker's own account and region only.
     */
    GOFN_TARGETS: targetsJson.optional(),
  })
  .refine((c) => c.SLACK_SECRET_ARN || c.SLACK_SIGNING_SECRET, {
    message: 'set SLACK_SECRET_ARN (production) or SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (local development)',
    path: ['SLACK_SECRET_ARN'],
  });

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseEnv(configSchema, env);
}

/**
 * The part of the configuration the `gofn` CLI reads: the same variables with the same checks,
 * without the Slack settings a terminal does not need.
 */
export const cliConfigSchema = z.object({ GOFN_MAX_CONCURRENCY: configSchema.shape.GOFN_MAX_CONCURRENCY });

export type CliConfig = z.output<typeof cliConfigSchema>;

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return parseEnv(cliConfigSchema, env);
}

function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new GofnError(
    ErrorCode.InvalidInput,
    `Configuration ${formatPath(issue.path as PropertyKey[]) || '(top level)'}: ${issue.message}.`,
    {
      cause: result.error,
    },
  );
}
