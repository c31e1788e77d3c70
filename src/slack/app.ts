import { App, type BlockButtonAction, type Receiver } from '@slack/bolt';
import type { LogLevel, Logger as SlackLogger } from '@slack/logger';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Log } from '../log';
import type { JobQueuePort } from '../ports';
import { clickRefusal, describeTokenProblem, mayAct, verifyActionToken, type TokenKeys } from './action-token';
import { parseCommandText, USAGE } from './command';
import type { Job } from './jobs';
import { confirmModal, CONFIRM_CALLBACK_ID, problemModal, type ConfirmMetadata } from './render/modals';
import { escapeMrkdwn } from './render/mrkdwn';
import { ACTION_BUTTON_PREFIX, CONFIRM_BUTTON_PREFIX, LINK_BUTTON_PREFIX } from './render/report';

export interface SlackAppOptions {
  receiver: Receiver;
  botToken: string;
  /** Verifies action tokens in button values: the signing secret, and the previous one during a rotation. */
  signingSecret: string | TokenKeys;
  /** Where jobs go: the worker Lambda in production, an in-process runner locally. */
  jobs: JobQueuePort;
  /** Web API options, e.g. `slackApiUrl` from SLACK_API_URL. */
  clientOptions: WebClientOptions;
  log: Log;
  /** `/gofn status` without a window. Default 1h. */
  defaultWindow?: string;
  /** The slash command as configured in the manifest. Default `/gofn`. */
  command?: string;
  nowSeconds?: () => number;
  /**
   * How long the one Slack call made before the ack (views.open) may take; it is tried once.
   * Default 1,200 ms: with the hand-off to the worker, the ack stays well inside Slack's 3 s.
   */
  viewsOpenTimeoutMs?: number;
}

/** Default of `viewsOpenTimeoutMs`. */
export const VIEWS_OPEN_TIMEOUT_MS = 1200;

/**
 * The Bolt app: every listener acks within Slack's 3 seconds and hands slow work to a job.
 * Bolt's Lambda receiver answers Slack only once the listener returns, so the one Slack call
 * made before that (views.open, because a trigger_id lives 3 s) gets a short timeout and no
 * retries; when it fails, the worker sends the person an ephemeral message with the same plan
 * and a button to confirm it.
 */
export function createSlackApp(options: SlackAppOptions): App {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const defaultWindow = options.defaultWindow ?? '1h';
  const { log, jobs } = options;
  const logger = boltLogger(log);
  const app = new App({
    receiver: options.receiver,
    // A static authorize avoids Bolt's auth.test call, which would be a Slack round trip before the ack.
    authorize: async () => ({ botToken: options.botToken }),
    ignoreSelf: false,
    // gofn keeps no conversation state; Bolt's default store rejects with a new Error on every
    // request that names a channel, about a fifth of an ack's CPU.
    convoStore: false,
    clientOptions: options.clientOptions,
    logger,
  });
  // The client for the call before the ack: one attempt, a short deadline, and a 429 is a
  // failure at once rather than a wait for Retry-After.
  const beforeAck = new WebClient(options.botToken, {
    ...options.clientOptions,
    logger,
    timeout: options.viewsOpenTimeoutMs ?? VIEWS_OPEN_TIMEOUT_MS,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });

  const enqueue = async (job: Job): Promise<boolean> => {
    try {
      await jobs.enqueue(job);
      return true;
    } catch (error) {
      log.error('could not hand the job to the worker', { kind: job.kind, error });
      return false;
    }
  };

  /** views.open, or on failure the same words as an ephemeral message sent by the worker. */
  const openOrFallBack = async (
    triggerId: string,
    view: Parameters<WebClient['views']['open']>[0]['view'],
    fallback: Omit<Extract<Job, { kind: 'fallback' }>, 'kind' | 'id'>,
  ): Promise<void> => {
    try {
      await beforeAck.views.open({ trigger_id: triggerId, view });
    } catch (error) {
      log.warn('views.open failed before the ack; the worker sends the person an ephemeral message instead', {
        error,
      });
      await enqueue({ kind: 'fallback', id: triggerId, ...fallback });
    }
  };

  app.command(options.command ?? '/gofn', async ({ command, ack }) => {
    const parsed = parseCommandText(command.text, defaultWindow);
    if (parsed.kind === 'help') {
      await ack({
        response_type: 'ephemeral',
        text: parsed.problem ? `${escapeMrkdwn(parsed.problem)}\n\n${USAGE}` : USAGE,
      });
      return;
    }
    if (parsed.kind === 'cost') {
      const queuedCost = await enqueue({
        kind: 'cost',
        id: command.trigger_id,
        ...(parsed.target ? { target: parsed.target } : {}),
        responseUrl: command.response_url,
        channel: command.channel_id,
        user: command.user_id,
        team: command.team_id,
      });
      await ack({
        response_type: 'ephemeral',
        text: queuedCost
          ? `pricing ${escapeMrkdwn(parsed.target ?? 'the managed fleet')} (last 30 days)…`
          : 'gofn could not start reading the costs right now; nothing was run. Try again in a minute.',
      });
      return;
    }
    const queued = await enqueue({
      kind: 'status',
      id: command.trigger_id,
      functionName: parsed.functionName,
      window: parsed.window,
      alias: parsed.alias,
      ...(parsed.service ? { service: parsed.service } : {}),
      responseUrl: command.response_url,
      channel: command.channel_id,
      user: command.user_id,
      team: command.team_id,
    });
    await ack({
      response_type: 'ephemeral',
      text: !queued
        ? 'gofn could not start the diagnosis right now; nothing was run. Try again in a minute.'
        : parsed.functionName
          ? `diagnosing ${parsed.functionName} (${parsed.alias}, last ${parsed.window})…`
          : parsed.service
            ? `looking at service ${escapeMrkdwn(parsed.service)} in each account and region (last ${parsed.window})…`
            : `looking at the managed fleet (last ${parsed.window})…`,
    });
  });

  app.action<BlockButtonAction>(new RegExp(`^${ACTION_BUTTON_PREFIX}`), async ({ ack, body, action }) => {
    await ack();
    const channel = body.channel?.id;
    const token = action.value ?? '';
    const checked = verifyActionToken(options.signingSecret, token, { channel, nowSeconds: nowSeconds() });
    if ('problem' in checked) log.warn('refused an action button', { problem: checked.problem, user: body.user.id });
    const metadata: ConfirmMetadata = {
      token,
      channel: channel ?? '',
      messageTs: body.message?.ts,
      threadTs: (body.message as { thread_ts?: string } | undefined)?.thread_ts,
    };
    const where = {
      channel: metadata.channel,
      user: body.user.id,
      ...(metadata.messageTs ? { messageTs: metadata.messageTs } : {}),
      ...(metadata.threadTs ? { threadTs: metadata.threadTs } : {}),
    };
    if ('problem' in checked) {
      const sentence = describeTokenProblem(checked.problem);
      await openOrFallBack(body.trigger_id, problemModal(sentence), { ...where, problem: sentence });
      return;
    }
    // Someone the button does not name never sees the plan; the worker audits the attempt.
    if (mayAct(checked.claim, body.user.id) === 'no') {
      // Audited first: the modal can fail (an expired trigger_id), the attempt still happened.
      await enqueue({ kind: 'refusal', id: body.trigger_id, token, channel: metadata.channel, user: body.user.id });
      const sentence = clickRefusal(checked.claim.fn);
      await openOrFallBack(body.trigger_id, problemModal(sentence), { ...where, problem: sentence });
      return;
    }
    await openOrFallBack(body.trigger_id, confirmModal(checked.claim, body.user.id, metadata), { ...where, token });
  });

  // The Confirm button of the ephemeral message sent when the confirmation modal could not open:
  // Slack showed the button's own confirm dialog, so the click is the confirmation.
  app.action<BlockButtonAction>(new RegExp(`^${CONFIRM_BUTTON_PREFIX}`), async ({ ack, body, action }) => {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    const token = action.value ?? '';
    const checked = verifyActionToken(options.signingSecret, token, { channel, nowSeconds: nowSeconds() });
    const where = { channel: channel ?? '', user: body.user.id };
    if ('problem' in checked) {
      await enqueue({
        kind: 'fallback',
        id: body.trigger_id,
        ...where,
        problem: describeTokenProblem(checked.problem),
      });
      return;
    }
    if (mayAct(checked.claim, body.user.id) === 'no') {
      await enqueue({ kind: 'refusal', id: body.trigger_id, token, ...where });
      await enqueue({ kind: 'fallback', id: body.trigger_id, ...where, problem: clickRefusal(checked.claim.fn) });
      return;
    }
    const container = body.container as { message_ts?: string; thread_ts?: string } | undefined;
    await enqueue({
      kind: 'action',
      id: `confirm:${body.trigger_id}`,
      token,
      ...where,
      ...(container?.thread_ts ? { threadTs: container.thread_ts } : {}),
    });
  });

  // Link buttons open a URL in the browser; Slack still sends the click, which only needs an ack.
  app.action(new RegExp(`^${LINK_BUTTON_PREFIX}`), async ({ ack }) => {
    await ack();
  });

  app.view(CONFIRM_CALLBACK_ID, async ({ ack, view, body }) => {
    let metadata: ConfirmMetadata;
    try {
      metadata = JSON.parse(view.private_metadata) as ConfirmMetadata;
      if (typeof metadata?.token !== 'string' || typeof metadata.channel !== 'string') throw new Error('not ours');
    } catch {
      await ack({
        response_action: 'update',
        view: problemModal('This confirmation could not be read; nothing was run.'),
      });
      return;
    }
    const queued = await enqueue({
      kind: 'action',
      id: view.id,
      token: String(metadata.token),
      channel: String(metadata.channel),
      user: body.user.id,
      ...(metadata.messageTs ? { messageTs: String(metadata.messageTs) } : {}),
      ...(metadata.threadTs ? { threadTs: String(metadata.threadTs) } : {}),
    });
    if (queued) {
      await ack();
    } else {
      await ack({
        response_action: 'update',
        view: problemModal('gofn could not start the action right now; nothing was run. Try again in a minute.'),
      });
    }
  });

  // A mention gets the usage as an ephemeral message; posting it is a Slack call, so the worker does it.
  app.event('app_mention', async ({ event, body }) => {
    if (!event.user) return;
    await enqueue({
      kind: 'mention',
      id: String((body as { event_id?: string }).event_id ?? event.ts),
      channel: event.channel,
      user: event.user,
    });
  });

  app.error(async (error) => {
    log.error('a Slack listener failed', { error });
  });

  return app;
}

/**
 * Capabilities a Slack payload carries that must never reach a log line: a trigger_id (opens a
 * modal as the person) and a response_url (posts as gofn in the channel).
 */
const CAPABILITIES = [
  /https:\/\/hooks\.slack(-gov)?\.com\/\S+/g,
  /\b\d{6,}\.\d{6,}\.[0-9a-f]{32}\b/g,
  /"(trigger_id|response_url)"\s*:\s*"[^"]*"/g,
];

export function withoutCapabilities(text: string): string {
  return CAPABILITIES.reduce((out, pattern) => out.replace(pattern, '[redacted]'), text);
}

/**
 * Bolt's receiver and clients log through gofn's structured logger, so their lines follow the
 * same redaction rules; debug lines (the receiver's dump of the whole event) are dropped.
 */
export function boltLogger(log: Log): SlackLogger {
  let level = 'info' as LogLevel;
  const line = (msg: unknown[]) => withoutCapabilities(msg.map(String).join(' '));
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => log.info(line(msg)),
    warn: (...msg: unknown[]) => log.warn(line(msg)),
    error: (...msg: unknown[]) => log.error(line(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
