import { randomUUID } from 'node:crypto';
import { WebClient, type FetchFunction, type WebClientOptions } from '@slack/web-api';
import { ErrorCode, GofnError } from '../errors';
import type { Log } from '../log';
import { POST_EVENT_TYPE, PostOnce, type PostedMessage, type PostSearch } from './post-once';
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

export interface SlackUserFacts {
  id: string;
  teamId: string | undefined;
  enterpriseId: string | undefined;
  isRestricted: boolean;
  isUltraRestricted: boolean;
  isStranger: boolean;
}

export interface SlackOutOptions {
  botToken: string;
  clientOptions: WebClientOptions;
  log: Log;
  /** Timeout of one response_url post. */
  responseTimeoutMs?: number;
}

/** How far before the first uncertain attempt a search for the post looks, for clock skew. */
const SEARCH_SLACK_MS = 10_000;

/**
 * Everything the worker writes to Slack, through the Web API (which retries 429s after
 * Retry-After and 5xx with backoff) or a command's response_url. A post is made once even when
 * an attempt's answer is lost (see PostOnce).
 */
export class SlackOut {
  readonly client: WebClient;
  private readonly apiUrl: string;
  private readonly postOnce: PostOnce;
  /** The HTTP client of every call, the Web API's and response_url posts alike. */
  private readonly transport: FetchFunction;

  constructor(private readonly options: SlackOutOptions) {
    const { fetch: transport = globalThis.fetch, ...clientOptions } = options.clientOptions;
    this.transport = transport;
    this.postOnce = new PostOnce(transport, (search) => this.findPosted(search), options.log);
    this.client = new WebClient(options.botToken, {
      retryConfig: { retries: 5, factor: 2, minTimeout: 250, maxTimeout: 5000, randomize: true },
      timeout: 10_000,
      ...clientOptions,
      fetch: this.postOnce.fetch,
    });
    this.apiUrl = options.clientOptions.slackApiUrl ?? 'https://slack.com/api/';
  }

  async post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    const key = randomUUID();
    try {
      const result = await this.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        metadata: { event_type: POST_EVENT_TYPE, event_payload: { post_key: key } },
        unfurl_links: false,
        unfurl_media: false,
      });
      return String(result.ts);
    } finally {
      this.postOnce.forget(key);
    }
  }

  /** gofn's post with this key in the thread or channel, read from Slack's history. */
  private async findPosted({ channel, threadTs, key, since }: PostSearch): Promise<PostedMessage | undefined> {
    const window = {
      channel,
      oldest: ((since - SEARCH_SLACK_MS) / 1000).toFixed(6),
      inclusive: true,
      include_all_metadata: true,
      limit: 200,
    };
    const result = threadTs
      ? await this.client.conversations.replies({ ...window, ts: threadTs })
      : await this.client.conversations.history(window);
    const found = (result.messages ?? []).find((m) => {
      const payload = m.metadata?.event_payload as { post_key?: unknown } | undefined;
      return m.metadata?.event_type === POST_EVENT_TYPE && payload?.post_key === key;
    });
    return found?.ts ? { ...found, ts: found.ts } : undefined;
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
    const response = await this.transport(responseUrl, {
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

  /**
   * users.info (scope users:read): the fields that tell a guest (`is_restricted`,
   * `is_ultra_restricted`) or someone from another organisation (`is_stranger`, a `team_id` or
   * enterprise that is not ours) apart, as Slack's user object documents them.
   */
  async userInfo(user: string): Promise<SlackUserFacts> {
    const result = await this.client.users.info({ user });
    const u = (result.user ?? {}) as Record<string, unknown> & { enterprise_user?: { enterprise_id?: string } };
    return {
      id: user,
      teamId: typeof u.team_id === 'string' ? u.team_id : undefined,
      enterpriseId: u.enterprise_user?.enterprise_id,
      isRestricted: u.is_restricted === true,
      isUltraRestricted: u.is_ultra_restricted === true,
      isStranger: u.is_stranger === true,
    };
  }

  /** conversations.info (scopes channels:read, groups:read): is the channel shared with another organisation? */
  async channelInfo(channel: string): Promise<{ isExtShared: boolean }> {
    const result = await this.client.conversations.info({ channel });
    const c = (result.channel ?? {}) as { is_ext_shared?: boolean; is_pending_ext_shared?: boolean };
    return { isExtShared: c.is_ext_shared === true || c.is_pending_ext_shared === true };
  }

  /** auth.test: the workspace (and Enterprise Grid organisation) the bot token belongs to. */
  async identity(): Promise<{ teamId: string | undefined; enterpriseId: string | undefined }> {
    const result = await this.client.auth.test();
    return {
      teamId: typeof result.team_id === 'string' ? result.team_id : undefined,
      enterpriseId: typeof result.enterprise_id === 'string' && result.enterprise_id ? result.enterprise_id : undefined,
    };
  }

  /** Members of a Slack user group, for authorization by group. */
  async userGroupMembers(groupId: string): Promise<string[]> {
    const result = await this.client.usergroups.users.list({ usergroup: groupId });
    return (result.users ?? []) as string[];
  }
}

export { cannotPostInChannel } from './slack-problems';
