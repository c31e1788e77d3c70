import { AwsLambdaReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Log } from '../log';
import type { JobQueuePort } from '../ports';
import type { TokenKeys } from './action-token';
import { boltLogger, createSlackApp } from './app';
import { checkRequest, type HttpEvent, type HttpResponse } from './edge';

export interface SlackSecrets {
  signingSecret: string;
  botToken: string;
  /**
   * During a rotation: the signing secret before the current one, and until when (epoch
   * seconds) buttons signed with it are still accepted. Requests are verified with the current
   * secret only: Slack signs with the new one as soon as it is regenerated.
   */
  previousSigningSecret?: string | undefined;
  previousSigningSecretUntil?: number | undefined;
}

/** The keys buttons are checked with, from the secrets. */
export function tokenKeys(secrets: SlackSecrets): TokenKeys {
  return {
    current: secrets.signingSecret,
    previous: secrets.previousSigningSecret,
    previousUntil: secrets.previousSigningSecretUntil,
  };
}

function sameSecrets(a: SlackSecrets, b: SlackSecrets): boolean {
  return (
    a.signingSecret === b.signingSecret &&
    a.botToken === b.botToken &&
    a.previousSigningSecret === b.previousSigningSecret &&
    a.previousSigningSecretUntil === b.previousSigningSecretUntil
  );
}

export interface IngressOptions {
  /** Cached, TTL-bounded secrets (Secrets Manager in production). */
  secrets: () => Promise<SlackSecrets>;
  jobs: JobQueuePort;
  clientOptions: WebClientOptions;
  log: Log;
  defaultWindow?: string;
  nowSeconds?: () => number;
  /** See SlackAppOptions.viewsOpenTimeoutMs. */
  viewsOpenTimeoutMs?: number;
}

type BoltHandler = (event: unknown, context: unknown) => Promise<HttpResponse>;

/**
 * The ingress: verify at the edge, then let Bolt route to a listener that acks and enqueues.
 * Bolt's receiver runs with its own verification off because the edge already verified the
 * raw bytes; there is one verifier.
 */
export function createIngress(options: IngressOptions): (event: HttpEvent, context?: unknown) => Promise<HttpResponse> {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  let built: { secrets: SlackSecrets; handler: BoltHandler } | undefined;

  const boltFor = (secrets: SlackSecrets): BoltHandler => {
    if (built && sameSecrets(built.secrets, secrets)) return built.handler;
    const receiver = new AwsLambdaReceiver({
      signingSecret: secrets.signingSecret,
      signatureVerification: false,
      // Its default logger prints the whole event (trigger_id, response_url) at debug level.
      logger: boltLogger(options.log),
    });
    createSlackApp({
      receiver,
      botToken: secrets.botToken,
      signingSecret: tokenKeys(secrets),
      jobs: options.jobs,
      clientOptions: options.clientOptions,
      log: options.log,
      defaultWindow: options.defaultWindow,
      nowSeconds,
      viewsOpenTimeoutMs: options.viewsOpenTimeoutMs,
    });
    built = { secrets, handler: receiver.toHandler() as unknown as BoltHandler };
    return built.handler;
  };

  return async (event, context) => {
    try {
      const secrets = await options.secrets();
      const checked = checkRequest(event ?? {}, secrets.signingSecret, nowSeconds());
      if (!checked.ok) {
        options.log.warn('refused a request at the edge', {
          reason: checked.reason,
          status: checked.response.statusCode,
        });
        return checked.response;
      }
      return await boltFor(secrets)(checked.event, context ?? {});
    } catch (error) {
      options.log.error('the ingress failed', { error });
      return { statusCode: 500, body: '' };
    }
  };
}
