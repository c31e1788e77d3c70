import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ErrorCode, GofnError } from '../errors';
import { countAttempts, type MiddlewareStackLike } from './attempt-counter';
import type { AwsServiceName } from './services';

/*
 * What every SDK client gofn creates shares: timeouts, retries, region, and the middleware that
 * counts attempts. Kept apart from the client classes so a bundle that needs two clients (the
 * ingress) does not carry the other eight.
 */

/** AWS credentials as the SDK's credential providers resolve them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** When they stop working; the SDK asks the provider again shortly before. */
  expiration?: Date | undefined;
}

export interface AwsClientOptions {
  /**
   * Region of every client. Default: the SDK's own chain (AWS_REGION, then the region of the
   * AWS_PROFILE profile in the shared config file).
   */
  region?: string;
  /** Per attempt: how long the whole HTTP request may take. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Per attempt: how long opening the connection may take. Default 3 000 ms. */
  connectionTimeoutMs?: number;
  /** Attempts per call including the first, 1 to 10. Default 3. */
  maxAttempts?: number;
  /** `standard` (default) or `adaptive`, which also slows the client down after throttling. */
  retryMode?: 'standard' | 'adaptive';
  /** Per call, all attempts and back-off included: the deadline `callAws` puts on a call. Default 20 000 ms. */
  callTimeoutMs?: number;
  /**
   * Where the clients' credentials come from: another account's assumed role (src/aws/accounts.ts).
   * Default: the SDK's own chain (environment, profile, the Lambda's role).
   */
  credentials?: () => Promise<AwsCredentials>;
}

export type AwsClientSettings = Required<Omit<AwsClientOptions, 'region' | 'credentials'>> & {
  region: string | undefined;
  credentials: (() => Promise<AwsCredentials>) | undefined;
};

const defaults = {
  requestTimeoutMs: 10_000,
  connectionTimeoutMs: 3_000,
  maxAttempts: 3,
  retryMode: 'standard',
  callTimeoutMs: 20_000,
} as const;

export function resolveSettings(options: AwsClientOptions): AwsClientSettings {
  const known = new Set(['region', 'credentials', ...Object.keys(defaults)]);
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new GofnError(ErrorCode.InvalidInput, `Unknown AWS client option ${unknown.join(', ')}.`);
  }
  const settings: AwsClientSettings = {
    region: options.region,
    credentials: options.credentials,
    requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
    connectionTimeoutMs: options.connectionTimeoutMs ?? defaults.connectionTimeoutMs,
    maxAttempts: options.maxAttempts ?? defaults.maxAttempts,
    retryMode: options.retryMode ?? defaults.retryMode,
    callTimeoutMs: options.callTimeoutMs ?? defaults.callTimeoutMs,
  };
  if (!Number.isInteger(settings.maxAttempts) || settings.maxAttempts < 1 || settings.maxAttempts > 10) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `maxAttempts must be a whole number from 1 to 10, not ${settings.maxAttempts}.`,
    );
  }
  for (const key of ['requestTimeoutMs', 'connectionTimeoutMs', 'callTimeoutMs'] as const) {
    if (!(settings[key] > 0))
      throw new GofnError(ErrorCode.InvalidInput, `${key} must be positive, not ${settings[key]}.`);
  }
  if (settings.retryMode !== 'standard' && settings.retryMode !== 'adaptive') {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `retryMode must be standard or adaptive, not ${String(settings.retryMode)}.`,
    );
  }
  return settings;
}

/** Configuration every client shares; only what is set here overrides the SDK's environment. */
export interface SharedClientConfig {
  region?: string;
  credentials?: () => Promise<AwsCredentials>;
  maxAttempts: number;
  retryMode: string;
  requestHandler: NodeHttpHandler;
}

export interface Destroyable {
  destroy(): void;
}

/** Creates clients with the shared configuration, registers them for counting, and destroys them together. */
export class ClientRegistry {
  private readonly created: Destroyable[] = [];

  constructor(readonly settings: AwsClientSettings) {}

  make<C extends Destroyable, Args, Result>(
    service: AwsServiceName,
    create: (config: SharedClientConfig) => C & { middlewareStack: MiddlewareStackLike<Args, Result> },
  ): C {
    const client = create(this.config());
    countAttempts(client.middlewareStack, service);
    this.created.push(client);
    return client;
  }

  destroy(): void {
    for (const client of this.created.splice(0)) client.destroy();
  }

  private config(): SharedClientConfig {
    const config: SharedClientConfig = {
      maxAttempts: this.settings.maxAttempts,
      retryMode: this.settings.retryMode,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: this.settings.connectionTimeoutMs,
        requestTimeout: this.settings.requestTimeoutMs,
        // Without it a request past requestTimeout only logs a warning and keeps waiting.
        throwOnRequestTimeout: true,
      }),
    };
    // An explicit `region: undefined` would hide the SDK's own region chain.
    if (this.settings.region) config.region = this.settings.region;
    if (this.settings.credentials) config.credentials = this.settings.credentials;
    return config;
  }
}
