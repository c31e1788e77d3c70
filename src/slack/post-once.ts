import type { FetchFunction } from '@slack/web-api';
import type { Log } from '../log';

/**
 * chat.postMessage has no idempotency key, and `@slack/web-api` retries an attempt whose answer
 * was lost (a timeout, a dropped connection, a 5xx). Slack may have posted the message anyway, so
 * a blind retry can post it twice. Every gofn post therefore carries a random key in its message
 * metadata; before an attempt that follows an uncertain one, the channel (or thread) is searched
 * for a message with that key, and if Slack already has it, its answer is rebuilt from it instead
 * of posting again.
 *
 * This sits in the client's `fetch` so the Web API client's own retry policy (Retry-After on 429,
 * backoff on 5xx) stays as it is: only the attempts after an uncertain one cost a read.
 */
export const POST_EVENT_TYPE = 'gofn_post';

export interface PostedMessage {
  ts: string;
  [field: string]: unknown;
}

export interface PostSearch {
  channel: string;
  threadTs: string | undefined;
  key: string;
  /** When the first uncertain attempt was sent (ms since the epoch). */
  since: number;
}

/** Finds a message gofn posted with this key; undefined when there is none. */
export type FindPosted = (search: PostSearch) => Promise<PostedMessage | undefined>;

interface PostRequest {
  channel: string;
  threadTs: string | undefined;
  key: string;
}

/** The post's channel, thread and key, from the form body `@slack/web-api` sends. */
function postRequestOf(url: string | URL, init: Parameters<FetchFunction>[1]): PostRequest | undefined {
  if (!String(url).endsWith('/chat.postMessage') || typeof init?.body !== 'string') return undefined;
  const form = new URLSearchParams(init.body);
  const channel = form.get('channel');
  try {
    const metadata = JSON.parse(form.get('metadata') ?? 'null') as {
      event_type?: unknown;
      event_payload?: { post_key?: unknown };
    } | null;
    const key = metadata?.event_type === POST_EVENT_TYPE ? metadata.event_payload?.post_key : undefined;
    if (typeof key !== 'string' || !channel) return undefined;
    return { channel, threadTs: form.get('thread_ts') ?? undefined, key };
  } catch {
    return undefined;
  }
}

export class PostOnce {
  /** Keys of posts whose last attempt may or may not have reached Slack, with when it was first sent. */
  private readonly uncertainSince = new Map<string, number>();

  constructor(
    private readonly inner: FetchFunction,
    private readonly findPosted: FindPosted,
    private readonly log: Log,
  ) {}

  readonly fetch: FetchFunction = async (url, init) => {
    const post = postRequestOf(url, init);
    if (!post) return this.inner(url, init);
    const since = this.uncertainSince.get(post.key);
    if (since !== undefined) {
      const posted = await this.search({ ...post, since });
      if (posted) {
        this.uncertainSince.delete(post.key);
        this.log.info('a post Slack had already taken was not sent again', { channel: post.channel });
        return Response.json({ ok: true, channel: post.channel, ts: posted.ts, message: posted });
      }
    }
    const sentAt = Date.now();
    try {
      const response = await this.inner(url, init);
      if (response.status >= 500) this.markUncertain(post.key, sentAt);
      else this.uncertainSince.delete(post.key);
      return response;
    } catch (error) {
      this.markUncertain(post.key, sentAt);
      throw error;
    }
  };

  /** Drops what is kept for a post once the client has given up on it or it went through. */
  forget(key: string): void {
    this.uncertainSince.delete(key);
  }

  private markUncertain(key: string, sentAt: number): void {
    if (!this.uncertainSince.has(key)) this.uncertainSince.set(key, sentAt);
  }

  /** A search that fails (no history scope, not a member) means post again: a duplicate beats a loss. */
  private async search(search: PostSearch): Promise<PostedMessage | undefined> {
    try {
      return await this.findPosted(search);
    } catch (error) {
      this.log.warn('could not check whether Slack already has a post; sending it again', {
        channel: search.channel,
        error,
      });
      return undefined;
    }
  }
}
