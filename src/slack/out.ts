import { WebClient, type WebClientOptions } from '@slack/web-api';
import { ErrorCode, GofnError } from '../errors';
import type { Log } from '../log';
import type { SlackMessage } from './render/report';

/** Hosts a response_url may point at: Slack's own (and GovSlack's), or the configured API host. */
function responseUrlAllowed(url: string, apiUrl: string): boolean {
  try {
    const target = new URL(url);
    const api = new URL(apiUrl);
    if (target.host === api.host) return true;
    return target.protocol === 'https:' && /(^|\.)(slack\.com|slack-gov\.com)$/.test(target.hostname);
  } catch {
    return false;
  }
}

export interface SlackOutOptions {
  botToken: string;
  clientOptions: WebClientOptions;
  log: Log;
  /** Timeout of one response_url post. */
  responseTimeoutMs?: number;
}

/**
 * Everything the worker writes to Slack, through the Web API (which retries 429s after
 * Retry-After and 5xx with backoff) or a command's response_url.
 */
export class SlackOut {
  readonly client: WebClient;
  private readonly apiUrl: string;

  constructor(private readonly options: SlackOutOptions) {
    this.client = new WebClient(options.botToken, {
      retryConfig: { retries: 5, factor: 2, minTimeout: 250, maxTimeout: 5000, randomize: true },
      timeout: 10_000,
      ...options.clientOptions,
    });
    this.apiUrl = options.clientOptions.slackApiUrl ?? 'https://slack.com/api/';
  }

  async post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    const result = await this.client.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    return String(result.ts);
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
  }

  async ephemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void> {
    await this.client.chat.postEphemeral({
      channel,
      user,
      text: message.text,
      blocks: message.blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
  }

  /** Posts to a slash command's response_url (5 uses in 30 minutes): ephemeral unless told otherwise. */
  async respond(responseUrl: string, message: SlackMessage, inChannel = false): Promise<void> {
    if (!responseUrlAllowed(responseUrl, this.apiUrl)) {
      throw new GofnError(ErrorCode.InvalidInput, 'The response_url does not point at Slack; nothing was sent.');
    }
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...message, response_type: inChannel ? 'in_channel' : 'ephemeral' }),
      signal: AbortSignal.timeout(this.options.responseTimeoutMs ?? 5000),
    });
    if (!response.ok) {
      throw new GofnError(ErrorCode.Upstream, `Slack refused the response_url post with HTTP ${response.status}.`);
    }
  }

  async uploadPng(channel: string, threadTs: string, png: Uint8Array, title: string): Promise<void> {
    await this.client.files.uploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      file: Buffer.from(png),
      filename: `${title.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`,
      title,
    });
  }

  /** Members of a Slack user group, for authorization by group. */
  async userGroupMembers(groupId: string): Promise<string[]> {
    const result = await this.client.usergroups.users.list({ usergroup: groupId });
    return (result.users ?? []) as string[];
  }
}

/** Slack API error codes that mean the bot cannot post in the channel. */
export function cannotPostInChannel(error: unknown): boolean {
  const code = (error as { data?: { error?: string } })?.data?.error;
  return code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived';
}
