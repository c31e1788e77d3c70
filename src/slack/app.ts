import { App, type BlockButtonAction, type Receiver } from '@slack/bolt';
import type { LogLevel, Logger as SlackLogger } from '@slack/logger';
import type { WebClientOptions } from '@slack/web-api';
import type { Log } from '../log';
import type { JobQueuePort } from '../ports';
import { clickRefusal, describeTokenProblem, mayAct, verifyActionToken } from './action-token';
import { parseCommandText, USAGE } from './command';
import type { Job } from './jobs';
import { confirmModal, CONFIRM_CALLBACK_ID, problemModal, type ConfirmMetadata } from './render/modals';
import { ACTION_BUTTON_PREFIX, LINK_BUTTON_PREFIX } from './render/report';

export interface SlackAppOptions {
  receiver: Receiver;
  botToken: string;
  /** Verifies action tokens in button values. */
  signingSecret: string;
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
}

/**
 * The Bolt app: every listener acks within Slack's 3 seconds and hands slow work to a job.
 * The only Slack API call made before the ack is `views.open`, because a trigger_id lives 3 s.
 */
export function createSlackApp(options: SlackAppOptions): App {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const defaultWindow = options.defaultWindow ?? '1h';
  const { log, jobs } = options;
  const app = new App({
    receiver: options.receiver,
    // A static authorize avoids Bolt's auth.test call, which would be a Slack round trip before the ack.
    authorize: async () => ({ botToken: options.botToken }),
    ignoreSelf: false,
    // gofn keeps no conversation state; Bolt's default store rejects with a new Error on every
    // request that names a channel, about a fifth of an ack's CPU.
    convoStore: false,
    clientOptions: options.clientOptions,
    logger: boltLogger(log),
  });

  const enqueue = async (job: Job): Promise<boolean> => {
    try {
      await jobs.enqueue(job);
      return true;
    } catch (error) {
      log.error('could not hand the job to the worker', { kind: job.kind, id: job.id, error });
      return false;
    }
  };

  app.command(options.command ?? '/gofn', async ({ command, ack }) => {
    const parsed = parseCommandText(command.text, defaultWindow);
    if (parsed.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: parsed.problem ? `${parsed.problem}\n\n${USAGE}` : USAGE });
      return;
    }
    const queued = await enqueue({
      kind: 'status',
      id: command.trigger_id,
      functionName: parsed.functionName,
      window: parsed.window,
      alias: parsed.alias,
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
          : `looking at the managed fleet (last ${parsed.window})…`,
    });
  });

  app.action<BlockButtonAction>(new RegExp(`^${ACTION_BUTTON_PREFIX}`), async ({ ack, body, action, client }) => {
    await ack();
    const channel = body.channel?.id;
    const checked = verifyActionToken(options.signingSecret, action.value ?? '', { channel, nowSeconds: nowSeconds() });
    if ('problem' in checked) log.warn('refused an action button', { problem: checked.problem, user: body.user.id });
    const metadata: ConfirmMetadata = {
      token: action.value ?? '',
      channel: channel ?? '',
      messageTs: body.message?.ts,
      threadTs: (body.message as { thread_ts?: string } | undefined)?.thread_ts,
    };
    if ('problem' in checked) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: problemModal(describeTokenProblem(checked.problem)),
      });
      return;
    }
    // Someone the button does not name never sees the plan; the worker audits the attempt.
    if (mayAct(checked.claim, body.user.id) === 'no') {
      // Audited first: the modal can fail (an expired trigger_id), the attempt still happened.
      await enqueue({
        kind: 'refusal',
        id: body.trigger_id,
        token: action.value ?? '',
        channel: metadata.channel,
        user: body.user.id,
      });
      await client.views.open({ trigger_id: body.trigger_id, view: problemModal(clickRefusal(checked.claim.fn)) });
      return;
    }
    await client.views.open({ trigger_id: body.trigger_id, view: confirmModal(checked.claim, body.user.id, metadata) });
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

/** Bolt logs through gofn's structured logger, so its lines follow the same redaction rules. */
function boltLogger(log: Log): SlackLogger {
  let level = 'info' as LogLevel;
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => log.info(String(msg[0])),
    warn: (...msg: unknown[]) => log.warn(String(msg[0])),
    error: (...msg: unknown[]) => log.error(String(msg[0])),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
