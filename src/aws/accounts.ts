import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describeError, ErrorCode, GofnError, isGofnError } from '../errors';
import type { ControlPorts, Sources, TargetPorts, TargetSet } from '../ports';
import {
  DEFAULT_ACCOUNT,
  targetLabel,
  targetsOf,
  type AccountConfig,
  type TargetRef,
  type TargetsConfig,
} from '../targets';
import { callAws } from './call';
import { CloudWatchCharts } from './cloudwatch-charts';
import { createAwsClients, type AwsClientOptions, type AwsClients, type AwsCredentials } from './clients';
import { createControlPorts } from './control-ports';
import { createAwsSources } from './index';

/**
 * Role chaining (a Lambda's role, or an SSO session, assuming another role) caps a session at one
 * hour (STS API Reference, AssumeRole DurationSeconds), and one hour is AssumeRole's default.
 */
const SESSION_SECONDS = 3600;
/** Credentials are replaced this long before they expire, so no request is signed with dying ones. */
export const REFRESH_BEFORE_MS = 5 * 60_000;
/**
 * After a failed AssumeRole, requests for the account fail with the same error for this long
 * instead of asking STS again: a fleet overview sends hundreds of requests per account.
 */
export const RETRY_AFTER_FAILURE_MS = 30_000;

export interface AssumedRoleOptions {
  /** The client STS AssumeRole is sent with: gofn's own credentials. */
  home: AwsClients;
  account: Pick<AccountConfig, 'name' | 'id' | 'externalId'> & { roleArn: string };
  /** RoleSessionName, as CloudTrail in the member account shows who acted: `gofn` by default. */
  sessionName?: string;
  /** Milliseconds on the clock expirations are compared with; tests move it. */
  now?: () => number;
}

/**
 * A credential provider for one account: STS AssumeRole with the account's external ID, the
 * answer cached until REFRESH_BEFORE_MS before it expires and shared by every client (region and
 * service) of the account. Requests that arrive together share one AssumeRole. When a refresh
 * fails while the old credentials still work, they keep being used until they expire.
 */
export function assumedRoleCredentials(options: AssumedRoleOptions): () => Promise<AwsCredentials> {
  const { home, account } = options;
  const now = options.now ?? Date.now;
  let cached: AwsCredentials | undefined;
  let inFlight: Promise<AwsCredentials> | undefined;
  let failed: { error: GofnError; at: number } | undefined;

  const fresh = (credentials: AwsCredentials | undefined, marginMs: number) =>
    credentials !== undefined &&
    (credentials.expiration === undefined || credentials.expiration.getTime() - marginMs > now());

  const assume = async (): Promise<AwsCredentials> => {
    const out = await callAws(
      // The sentence around it names the role and the account.
      { service: 'STS', operation: 'AssumeRole' },
      undefined,
      home.settings.callTimeoutMs,
      (abortSignal) =>
        home.sts.send(
          new AssumeRoleCommand({
            RoleArn: account.roleArn,
            RoleSessionName: options.sessionName ?? 'gofn',
            ExternalId: account.externalId,
            DurationSeconds: SESSION_SECONDS,
          }),
          { abortSignal },
        ),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new GofnError(ErrorCode.Upstream, `STS AssumeRole answered without credentials for ${account.roleArn}.`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };

  return async () => {
    if (fresh(cached, REFRESH_BEFORE_MS)) return cached!;
    if (failed && now() - failed.at < RETRY_AFTER_FAILURE_MS) {
      if (fresh(cached, 0)) return cached!;
      throw failed.error;
    }
    inFlight ??= assume()
      .then(
        (credentials) => {
          cached = credentials;
          failed = undefined;
          return credentials;
        },
        (error: unknown) => {
          failed = { error: cannotAssume(account, error), at: now() };
          if (fresh(cached, 0)) return cached!;
          throw failed.error;
        },
      )
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
}

function cannotAssume(account: AssumedRoleOptions['account'], error: unknown): GofnError {
  const code = isGofnError(error) ? error.code : ErrorCode.Upstream;
  const why = describeError(isGofnError(error) ? new GofnError(error.code, error.message) : error).replace(/\.$/, '');
  return new GofnError(
    code === ErrorCode.NotFound ? ErrorCode.AccessDenied : code,
    `gofn could not assume ${account.roleArn} (account ${account.name}): ${why}.`,
    {
      cause: error,
      hint:
        code === ErrorCode.AccessDenied || code === ErrorCode.NotFound
          ? "Check that the member stack is deployed in the account, that its role trusts gofn's role, and that its external ID is the one configured."
          : undefined,
    },
  );
}

export interface AwsTargetsOptions {
  /** The configured accounts and regions; undefined looks at one place, as without accounts. */
  config: TargetsConfig | undefined;
  /** gofn's own clients: the unconfigured target, the account without a role, and STS for the others. */
  home: AwsClients;
  /** Only this region (the CLI's --region). */
  region?: string | undefined;
  /** Timeouts and retries of the clients made per account and region. Default: the home clients'. */
  clientOptions?: Omit<AwsClientOptions, 'region' | 'credentials'>;
  sessionName?: string;
}

/** The accounts and regions over AWS, plus `destroy` for the clients it made. */
export interface AwsTargetSet extends TargetSet {
  destroy(): void;
}

/**
 * The TargetSet over AWS. Unconfigured: one target, the home clients themselves. Configured: one
 * set of clients per account and region, created on first use; an account with a role gets its
 * credentials from `assumedRoleCredentials`, shared by its regions; the account without a role
 * uses the home credentials.
 */
/**
 * No configuration: the caller's credentials, in the home region, and in any other region a
 * function is named in (`fn@eu-west-1`), with clients made for it on first use.
 */
function unconfigured(
  home: AwsClients,
  region: string,
  clientOptions: AwsTargetsOptions['clientOptions'],
): AwsTargetSet {
  const made: AwsClients[] = [];
  const opened = new Map<string, TargetPorts>();
  const portsOver = (target: TargetRef, clients: AwsClients): TargetPorts => {
    const sources = createAwsSources({ clients });
    // The SDK may know a profile's region only later: the sources say the target's from the start.
    sources.region = target.region;
    return { target, sources, control: createControlPorts(clients), chart: new CloudWatchCharts(clients) };
  };
  const target: TargetRef = { account: DEFAULT_ACCOUNT, accountId: undefined, region };
  opened.set(region, portsOver(target, home));
  return {
    targets: [target],
    configured: false,
    open(wanted: TargetRef): TargetPorts {
      let ports = opened.get(wanted.region);
      if (!ports) {
        const clients = createAwsClients({ ...settingsOf(home), ...clientOptions, region: wanted.region });
        made.push(clients);
        ports = portsOver({ ...target, region: wanted.region }, clients);
        opened.set(wanted.region, ports);
      }
      return ports;
    },
    destroy() {
      for (const clients of made.splice(0)) clients.destroy();
    },
  };
}

/** The timeouts and retries of `home`, for the clients made beside it. */
function settingsOf(home: AwsClients): Omit<AwsClientOptions, 'region' | 'credentials'> {
  const { requestTimeoutMs, connectionTimeoutMs, maxAttempts, retryMode, callTimeoutMs } = home.settings;
  return { requestTimeoutMs, connectionTimeoutMs, maxAttempts, retryMode, callTimeoutMs };
}

export async function createAwsTargets(options: AwsTargetsOptions): Promise<AwsTargetSet> {
  const { home, config } = options;
  if (!config) return unconfigured(home, options.region ?? (await home.resolveRegion()), options.clientOptions);

  const all = targetsOf(config);
  const targets = options.region ? all.filter((t) => t.region === options.region) : all;
  if (targets.length === 0) {
    throw new GofnError(ErrorCode.InvalidInput, `No configured account looks at ${options.region}.`, {
      hint: `The configured regions are ${[...new Set(all.map((t) => t.region))].join(', ')}.`,
    });
  }
  const clientOptions = { ...settingsOf(home), ...options.clientOptions };
  const credentials = new Map<string, (() => Promise<AwsCredentials>) | undefined>();
  for (const account of config.accounts) {
    credentials.set(
      account.name,
      account.roleArn
        ? assumedRoleCredentials({
            home,
            account: { ...account, roleArn: account.roleArn },
            ...(options.sessionName ? { sessionName: options.sessionName } : {}),
          })
        : undefined,
    );
  }
  const made: AwsClients[] = [];
  const opened = new Map<string, TargetPorts>();

  const clientsFor = (target: TargetRef): AwsClients => {
    const provider = credentials.get(target.account);
    if (!provider && target.region === home.settings.region) return home;
    const clients = createAwsClients({ ...clientOptions, region: target.region, credentials: provider });
    made.push(clients);
    return clients;
  };

  return {
    targets,
    configured: true,
    open(target: TargetRef): TargetPorts {
      const key = targetLabel(target);
      let ports = opened.get(key);
      if (!ports) {
        if (!credentials.has(target.account) || !all.some((t) => targetLabel(t) === key)) {
          throw new GofnError(ErrorCode.Internal, `${key} is not a configured account and region.`);
        }
        const clients = clientsFor(target);
        const sources: Sources = createAwsSources({ clients });
        sources.region = target.region;
        const control: ControlPorts = createControlPorts(clients);
        ports = { target, sources, control, chart: new CloudWatchCharts(clients) };
        opened.set(key, ports);
      }
      return ports;
    },
    destroy() {
      for (const clients of made.splice(0)) clients.destroy();
    },
  };
}
