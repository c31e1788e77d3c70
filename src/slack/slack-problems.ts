import { escapeMrkdwn } from './render/mrkdwn';

/**
 * What went wrong with a Slack Web API call, as a sentence a person can act on ("invite @gofn to
 * <#C123>"), for the thread or the ephemeral reply that says a graph or a reply could not be
 * posted. Codes are `@slack/web-api`'s error codes and the Web API's documented `error` strings.
 * The sentence is mrkdwn (the channel is a link); what Slack said in it is escaped.
 */
interface WebApiFailure {
  code?: string;
  statusCode?: number;
  retryAfter?: number;
  data?: { error?: string; needed?: string };
}

/** Slack API error strings that mean the bot cannot post in the channel. */
const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found']);

export function slackErrorCode(error: unknown): string | undefined {
  return (error as WebApiFailure | undefined)?.data?.error;
}

export function cannotPostInChannel(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && (NOT_IN_CHANNEL.has(code) || code === 'is_archived');
}

export function explainSlackFailure(error: unknown, channel: string | undefined): string {
  const failure = (error ?? {}) as WebApiFailure;
  const where = channel && /^[CGD][A-Z0-9]+$/.test(channel) ? `<#${channel}>` : 'the channel';
  const code = failure.data?.error;
  if (code && NOT_IN_CHANNEL.has(code)) return `gofn is not a member of ${where}: invite it with \`/invite @gofn\`.`;
  if (code === 'is_archived') return `${where} is archived, so gofn cannot post there.`;
  if (code === 'missing_scope') {
    const needed = failure.data?.needed ? `\`${escapeMrkdwn(failure.data.needed)}\`` : 'a scope it needs';
    return `gofn's Slack app lacks ${needed}: reinstall it from slack-app-manifest.yaml.`;
  }
  if (code === 'not_allowed_token_type' || code === 'invalid_auth' || code === 'token_revoked') {
    return "gofn's bot token was refused: check the token in the stack's secret.";
  }
  if (code) return `Slack refused it (${escapeMrkdwn(code)}).`;
  if (failure.code === 'slack_webapi_rate_limited_error') return 'Slack is rate limiting gofn; try again in a minute.';
  if (failure.code === 'slack_webapi_http_error') {
    return `Slack answered HTTP ${failure.statusCode ?? '?'}; try again in a minute.`;
  }
  return 'Slack did not answer in time; try again in a minute.';
}
