import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A fake Slack Web API over real HTTP on loopback. `@slack/web-api` and Bolt run unchanged
 * against it through SLACK_API_URL; it records what reached Slack: Web API calls, file uploads
 * and response_url posts. Faults (429 with Retry-After, 5xx, slow answers) can be injected, and a
 * per-channel rate limit like Slack's can be switched on.
 */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
  /** What the fake answered (for chat.postMessage, the message `ts`). */
  response: Record<string, unknown>;
}

export interface RecordedPost {
  path: string;
  body: Record<string, unknown>;
}

export type Fault =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 502 | 503 }
  | { delayMs: number; thenOk?: boolean }
  /** No answer at all until the test ends (the connection stays open). */
  | { hang: true }
  /** A Web API error in a 200 answer, like `{"ok": false, "error": "not_in_channel"}`. */
  | { error: string; needed?: string }
  /** The call is carried out and recorded, then the connection drops before the answer. */
  | { loseAnswer: true };

export interface FakeSlack {
  /** Base URL for SLACK_API_URL, ending in /api/. */
  apiUrl: string;
  /** A response_url the fake accepts. */
  responseUrl(id: string): string;
  calls: RecordedCall[];
  responses: RecordedPost[];
  uploads: Map<string, Buffer>;
  /** Calls of one method, in order. */
  callsOf(method: string): RecordedCall[];
  /** The next calls of `method` get these faults, one each, before answering normally again. */
  injectFaults(method: string, faults: Fault[]): void;
  /** Slack's "about one message per second per channel" for chat.postMessage; 429 beyond it. */
  limitPostsPerChannel(perSecond: number | undefined): void;
  /** Members returned by usergroups.users.list per group ID. */
  userGroups: Map<string, string[]>;
  /**
   * users.info answers per user ID (Slack's user object); a user not here is a full member of
   * team T1 (the bot's, as auth.test says).
   */
  users: Map<string, Record<string, unknown>>;
  /** conversations.info answers per channel ID; a channel not here is not shared. */
  channels: Map<string, Record<string, unknown>>;
  rateLimited: number;
  reset(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseArgs(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
  const type = req.headers['content-type'] ?? '';
  const text = raw.toString('utf8');
  if (type.includes('application/json')) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    // @slack/web-api form-encodes objects and arrays as JSON strings.
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

/** The file's bytes, whether the client sent them raw or as the single part of a multipart form. */
function fileContent(req: IncomingMessage, raw: Buffer): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers['content-type'] ?? '');
  if (!boundary) return raw;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = raw.indexOf(delimiter);
  const headersEnd = raw.indexOf('\r\n\r\n', start);
  const end = raw.indexOf(delimiter, headersEnd);
  return raw.subarray(headersEnd + 4, end - 2);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startFakeSlack(): Promise<FakeSlack> {
  let seq = 0;
  const faults = new Map<string, Fault[]>();
  const lastPostAt = new Map<string, number[]>();
  let postsPerSecond: number | undefined;
  const hanging = new Set<ServerResponse>();
  const fake: Omit<FakeSlack, 'apiUrl' | 'responseUrl' | 'close'> = {
    calls: [],
    responses: [],
    uploads: new Map(),
    userGroups: new Map(),
    users: new Map(),
    channels: new Map(),
    rateLimited: 0,
    callsOf: (method) => fake.calls.filter((c) => c.method === method),
    injectFaults: (method, list) => faults.set(method, [...(faults.get(method) ?? []), ...list]),
    limitPostsPerChannel: (perSecond) => {
      postsPerSecond = perSecond;
    },
    reset: () => {
      fake.calls.length = 0;
      fake.responses.length = 0;
      fake.uploads.clear();
      fake.userGroups.clear();
      fake.users.clear();
      fake.channels.clear();
      faults.clear();
      lastPostAt.clear();
      postsPerSecond = undefined;
      fake.rateLimited = 0;
    },
  };

  const nextTs = () => {
    seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(seq).padStart(6, '0')}`;
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const answer = (method: string, args: Record<string, unknown>, origin: string): Record<string, unknown> => {
    switch (method) {
      case 'chat.postMessage': {
        const ts = nextTs();
        return {
          ok: true,
          channel: args.channel,
          ts,
          message: { ts, text: args.text, blocks: args.blocks, thread_ts: args.thread_ts },
        };
      }
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'views.open':
      case 'views.update':
        return { ok: true, view: { id: `V${seq++}`, ...(args.view as object) } };
      case 'files.getUploadURLExternal': {
        const fileId = `F${String(++seq).padStart(8, '0')}`;
        return { ok: true, upload_url: `${origin}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal':
        return {
          ok: true,
          files: ((args.files as { id: string; title?: string }[]) ?? []).map((f) => ({ id: f.id, title: f.title })),
        };
      case 'usergroups.users.list':
        return { ok: true, users: fake.userGroups.get(String(args.usergroup)) ?? [] };
      // Shapes of Slack's user and conversation objects (api.slack.com/types/user, /types/conversation).
      case 'users.info':
        return {
          ok: true,
          user: {
            id: args.user,
            team_id: 'T1',
            is_restricted: false,
            is_ultra_restricted: false,
            is_stranger: false,
            ...fake.users.get(String(args.user)),
          },
        };
      case 'conversations.info':
        return {
          ok: true,
          channel: {
            id: args.channel,
            is_channel: true,
            is_shared: false,
            is_ext_shared: false,
            is_org_shared: false,
            ...fake.channels.get(String(args.channel)),
          },
        };
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' };
      case 'conversations.replies':
      case 'conversations.history': {
        // Like Slack: history holds the channel's top-level messages, replies a thread (its root
        // first); metadata only when asked for; `oldest` bounds the window.
        const inThread = (c: RecordedCall) =>
          method === 'conversations.history'
            ? c.args.thread_ts === undefined
            : c.response.ts === args.ts || c.args.thread_ts === args.ts;
        const oldest = Number(args.oldest ?? 0);
        const withMetadata = String(args.include_all_metadata) === 'true';
        const messages = fake
          .callsOf('chat.postMessage')
          .filter((c) => c.args.channel === args.channel && inThread(c) && Number(c.response.ts) >= oldest)
          .map((c) => ({
            ts: c.response.ts,
            text: c.args.text,
            thread_ts: c.args.thread_ts,
            ...(withMetadata && c.args.metadata ? { metadata: c.args.metadata } : {}),
          }));
        return {
          ok: true,
          messages: method === 'conversations.history' ? messages.reverse() : messages,
          has_more: false,
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const origin = `http://${req.headers.host}`;
      if (url.pathname.startsWith('/upload/')) {
        fake.uploads.set(url.pathname.slice('/upload/'.length), fileContent(req, raw));
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('OK');
        return;
      }
      if (url.pathname.startsWith('/response/')) {
        fake.responses.push({
          path: url.pathname,
          body: JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>,
        });
        json(res, 200, { ok: true });
        return;
      }
      const method = url.pathname.replace(/^\/api\//, '');
      const pending = faults.get(method);
      const fault = pending?.shift();
      if (fault && 'hang' in fault) {
        hanging.add(res);
        return;
      }
      if (fault && 'error' in fault) {
        json(res, 200, { ok: false, error: fault.error, ...(fault.needed ? { needed: fault.needed } : {}) });
        return;
      }
      if (fault && 'delayMs' in fault) {
        await new Promise((r) => setTimeout(r, fault.delayMs));
        if (!fault.thenOk) {
          res.destroy();
          return;
        }
      } else if (fault && 'loseAnswer' in fault) {
        // carried out below; only the answer is lost
      } else if (fault && fault.status === 429) {
        fake.rateLimited += 1;
        json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSeconds) });
        return;
      } else if (fault) {
        json(res, fault.status, { ok: false, error: 'internal_error' });
        return;
      }
      const args = parseArgs(req, raw);
      if (method === 'chat.postMessage' && postsPerSecond !== undefined) {
        const channel = String(args.channel);
        const now = Date.now();
        const recent = (lastPostAt.get(channel) ?? []).filter((t) => now - t < 1000);
        if (recent.length >= postsPerSecond) {
          fake.rateLimited += 1;
          json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
          return;
        }
        lastPostAt.set(channel, [...recent, now]);
      }
      const auth = req.headers.authorization;
      const response = answer(method, args, origin);
      fake.calls.push({ method, args, token: auth?.replace(/^Bearer /, ''), at: Date.now(), response });
      if (fault && 'loseAnswer' in fault) {
        res.destroy();
        return;
      }
      json(res, 200, response);
    })().catch((error: unknown) => {
      json(res, 500, { ok: false, error: String(error) });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  return {
    ...fake,
    get calls() {
      return fake.calls;
    },
    get rateLimited() {
      return fake.rateLimited;
    },
    apiUrl: `${base}/api/`,
    responseUrl: (id) => `${base}/response/${id}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } as FakeSlack;
}
