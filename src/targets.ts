import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ErrorCode, GofnError } from './errors';
import { formatPath } from './format';

/*
 * Where gofn looks: the AWS accounts (each reached through a role gofn assumes) and regions it
 * manages. Read from GOFN_TARGETS (the JSON itself; the bot stack sets it on the worker) or
 * GOFN_TARGETS_FILE (a JSON file, for the CLI), validated here so a mistake names its field.
 * Without either, gofn looks at one place: the caller's own credentials and region, as before.
 */

/** An AWS region name as the SDK needs it: us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** How an account is named in `account/region/fn`: short, lower case, never all digits (that is an ID). */
const ACCOUNT_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const ACCOUNT_ID = /^\d{12}$/;
/**
 * RoleArn of STS AssumeRole: an IAM role ARN in any partition, path allowed (IAM API Reference,
 * Role: RoleName `[\w+=,.@-]+` up to 64, Path up to 512).
 */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** ExternalId of STS AssumeRole: 2 to 1,224 of `[\w+=,.@:/-]` (STS API Reference). */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

const region = z.string().regex(REGION, 'expected an AWS region like eu-west-1');

const accountSchema = z
  .strictObject({
    /** What people type: `prod/eu-west-1/orders-api`. */
    name: z.string().regex(ACCOUNT_NAME, 'expected a short lower-case name like prod (a-z, 0-9, -)'),
    /** The 12-digit account ID. */
    id: z.string().regex(ACCOUNT_ID, 'expected a 12-digit AWS account ID'),
    /**
     * The role gofn assumes in the account (the member stack's). Left out for the one account
     * gofn reaches with its own credentials (the bot's account, or the CLI user's).
     */
    roleArn: z
      .string()
      .regex(ROLE_ARN, 'expected an IAM role ARN like arn:aws:iam::111122223333:role/gofn-member')
      .optional(),
    /** The external ID the role's trust policy requires (sts:ExternalId). */
    externalId: z.string().regex(EXTERNAL_ID, 'expected 2 to 1224 letters, digits or +=,.@:/-_').optional(),
    /** This account's regions, when they differ from the top-level list. */
    regions: z.array(region).min(1).max(30).optional(),
  })
  .superRefine((account, ctx) => {
    if (account.roleArn) {
      const roleAccount = ROLE_ARN.exec(account.roleArn)?.[1];
      if (roleAccount !== account.id) {
        ctx.addIssue({
          code: 'custom',
          path: ['roleArn'],
          message: `the role is in account ${roleAccount}, not ${account.id}`,
        });
      }
      if (!account.externalId) {
        ctx.addIssue({
          code: 'custom',
          path: ['externalId'],
          message: "required with roleArn: the member stack's role trusts only callers that pass it",
        });
      }
    } else if (account.externalId) {
      ctx.addIssue({ code: 'custom', path: ['externalId'], message: 'only means something with roleArn' });
    }
  });

export const targetsSchema = z
  .strictObject({
    accounts: z.array(accountSchema).min(1).max(50),
    /** Regions of every account that does not list its own. */
    regions: z.array(region).min(1).max(30),
  })
  .superRefine((targets, ctx) => {
    const seen = new Map<string, number>();
    targets.accounts.forEach((account, i) => {
      for (const key of [account.name, account.id]) {
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['accounts', i], message: `${key} is also accounts[${first}]` });
        }
        seen.set(key, i);
      }
    });
    const own = targets.accounts.filter((a) => !a.roleArn);
    if (own.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts'],
        message: `only one account can be reached without a role (gofn's own credentials); ${own.map((a) => a.name).join(' and ')} have no roleArn`,
      });
    }
  });

export type TargetsConfig = z.output<typeof targetsSchema>;
export type AccountConfig = TargetsConfig['accounts'][number];

/** One account and region gofn looks at. */
export interface TargetRef {
  /** The account's name in the configuration; `default` for the caller's own when nothing is configured. */
  account: string;
  /** The 12-digit ID, when known (always, with a configuration). */
  accountId: string | undefined;
  region: string;
}

/** The account name of the one target gofn has without a configuration. */
export const DEFAULT_ACCOUNT = 'default';

/** Every account × region of a configuration, in its order: accounts first, then their regions. */
export function targetsOf(config: TargetsConfig): TargetRef[] {
  return config.accounts.flatMap((account) =>
    (account.regions ?? config.regions).map((r) => ({ account: account.name, accountId: account.id, region: r })),
  );
}

/** `prod/eu-west-1`, or the region alone for the unconfigured default target. */
export function targetLabel(target: TargetRef): string {
  return target.account === DEFAULT_ACCOUNT ? target.region : `${target.account}/${target.region}`;
}

/** The name that finds the function again in this target: `prod/eu-west-1/orders-api`. */
export function qualifiedName(target: TargetRef, functionName: string): string {
  return target.account === DEFAULT_ACCOUNT ? functionName : `${target.account}/${target.region}/${functionName}`;
}

/** Where a report or a row is, as renderers show it: `prod/eu-west-1`, or the region alone. */
export function placeOf(account: string | null | undefined, region: string): string {
  return account && account !== DEFAULT_ACCOUNT ? `${account}/${region}` : region;
}

/** Validates parsed JSON as a targets configuration; `source` names where it came from in the error. */
export function parseTargets(json: unknown, source: string): TargetsConfig {
  const result = targetsSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = formatPath(issue.path as PropertyKey[]);
  throw new GofnError(ErrorCode.InvalidFile, `${source}${where ? ` ${where}` : ''}: ${issue.message}.`, {
    cause: result.error,
  });
}

/** GOFN_TARGETS as an environment variable: JSON text holding a targets configuration. */
export const targetsJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `is not JSON (${(error as Error).message})` });
      return z.NEVER;
    }
  })
  .pipe(targetsSchema);

/** Parses the JSON text of GOFN_TARGETS or a GOFN_TARGETS_FILE. */
export function parseTargetsText(text: string, source: string): TargetsConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GofnError(ErrorCode.InvalidFile, `${source} is not JSON: ${(error as Error).message}.`, { cause: error });
  }
  return parseTargets(json, source);
}

/**
 * The targets configured in the environment: GOFN_TARGETS (JSON) or GOFN_TARGETS_FILE (a JSON
 * file); `file`, when given (the CLI's --targets), wins over both. Undefined when none is set.
 */
export function loadTargets(env: NodeJS.ProcessEnv, file?: string): TargetsConfig | undefined {
  const path = file ?? (env.GOFN_TARGETS ? undefined : env.GOFN_TARGETS_FILE);
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new GofnError(ErrorCode.InvalidInput, `The targets file ${path} cannot be read.`, { cause: error });
    }
    return parseTargetsText(text, path);
  }
  return env.GOFN_TARGETS ? parseTargetsText(env.GOFN_TARGETS, 'GOFN_TARGETS') : undefined;
}

/** How a person named a function: `fn`, `fn@region`, `account/region/fn`, or a function ARN. */
export interface FunctionRef {
  /** What to ask Lambda for: the name, or the ARN as it was given. */
  name: string;
  /** An account name or 12-digit ID, when the reference says. */
  account: string | undefined;
  region: string | undefined;
}

const NAME = '[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?';
const BARE = new RegExp(`^(${NAME})$`);
const AT_REGION = new RegExp(`^(${NAME})@([a-z0-9-]+)$`);
const QUALIFIED = new RegExp(`^([A-Za-z0-9-]{1,32})/([a-z0-9-]+)/(${NAME})$`);
const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/;

/** Parses a function reference; a person's typo is an InvalidInput sentence showing the three forms. */
export function parseFunctionRef(text: string): FunctionRef {
  const arn = FUNCTION_ARN.exec(text);
  if (arn) return { name: text, account: arn[2], region: arn[1] };
  const bare = BARE.exec(text);
  if (bare) return { name: bare[1]!, account: undefined, region: undefined };
  const at = AT_REGION.exec(text);
  const qualified = QUALIFIED.exec(text);
  const regionText = at?.[2] ?? qualified?.[2];
  if (regionText !== undefined && !REGION.test(regionText)) {
    throw new GofnError(ErrorCode.InvalidInput, `"${clip(regionText)}" in "${clip(text)}" is not an AWS region.`, {
      hint: 'Use a region name like eu-west-1.',
    });
  }
  if (at) return { name: at[1]!, account: undefined, region: at[2] };
  if (qualified) return { name: qualified[3]!, account: qualified[1], region: qualified[2] };
  throw new GofnError(ErrorCode.InvalidInput, `"${clip(text)}" is not a Lambda function name.`, {
    hint: 'Name it fn, fn@region or account/region/fn, like orders-api@eu-west-1.',
  });
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Tag values: up to 256 Unicode letters, digits, spaces and _ . : / = + - @ (Tagging API Reference). */
export const TAG_VALUE = /^[\p{L}\p{N}_.:/=+\-@ ]{1,256}$/u;

/** `service=orders`: the service a status command asks about, or undefined for a function or the fleet. */
export function serviceOf(word: string | undefined): string | undefined {
  if (!word?.startsWith('service=')) return undefined;
  const service = word.slice('service='.length);
  if (!TAG_VALUE.test(service)) {
    throw new GofnError(ErrorCode.InvalidInput, `"${service.slice(0, 80)}" is not a service tag value.`, {
      hint: "Use service=NAME with the value of the functions' service tag, like service=orders.",
    });
  }
  return service;
}
