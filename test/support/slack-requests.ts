import { signSlackRequest } from '../../src/slack/verify';
import type { HttpEvent } from '../../src/slack/edge';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-bot-token';

/** A Lambda Function URL event carrying a body signed the way Slack signs it. */
export function signedEvent(
  body: string,
  options: {
    timestamp?: number;
    secret?: string;
    contentType?: string;
    headers?: Record<string, string>;
    base64?: boolean;
  } = {},
): HttpEvent {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    rawPath: '/',
    requestContext: { http: { method: 'POST' } },
    isBase64Encoded: options.base64 ?? false,
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(options.secret ?? SIGNING_SECRET, timestamp, body),
      ...options.headers,
    },
  };
}

export function slashCommandBody(text: string, overrides: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: 'C0ONCALL',
    channel_name: 'oncall',
    user_id: 'U0MARIA',
    user_name: 'maria',
    command: '/gofn',
    text,
    api_app_id: 'A1',
    response_url: 'https://hooks.slack.com/commands/T1/1/abc',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  }).toString();
}

export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function buttonClick(options: {
  value: string;
  channel?: string;
  user?: string;
  actionId?: string;
  messageTs?: string;
}) {
  return {
    type: 'block_actions',
    team: { id: 'T1', domain: 'acme' },
    user: { id: options.user ?? 'U0MARIA', username: 'maria', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    container: {
      type: 'message',
      message_ts: options.messageTs ?? '1700000000.000100',
      channel_id: options.channel ?? 'C0ONCALL',
    },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    channel: { id: options.channel ?? 'C0ONCALL', name: 'oncall' },
    message: { type: 'message', ts: options.messageTs ?? '1700000000.000100', text: 'report' },
    response_url: 'https://hooks.slack.com/actions/T1/1/abc',
    actions: [
      {
        type: 'button',
        action_id: options.actionId ?? 'gofn-action:rollback:0',
        block_id: 'gofn-actions',
        text: { type: 'plain_text', text: 'Roll back' },
        value: options.value,
        action_ts: '1700000001.000200',
      },
    ],
  };
}

export function viewSubmission(options: { metadata: Record<string, unknown>; user?: string; viewId?: string }) {
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: options.user ?? 'U0MARIA', username: 'maria', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: 'trigger-view',
    view: {
      id: options.viewId ?? 'V0001',
      team_id: 'T1',
      type: 'modal',
      callback_id: 'gofn-confirm',
      private_metadata: JSON.stringify(options.metadata),
      state: { values: {} },
      hash: 'h',
      title: { type: 'plain_text', text: 'Confirm' },
      blocks: [],
      app_id: 'A1',
      bot_id: 'B1',
    },
  };
}
