import http from 'node:http';
import https from 'node:https';

/**
 * A `fetch` for the Slack Web API client over `node:https`, not Node's global fetch.
 *
 * Node's fetch (undici) compiles its HTTP parser, llhttp, to WebAssembly on the first request,
 * and V8's optimising compiler then builds it on background threads: about 29 MB of peak RSS for
 * a worker that makes a handful of Slack calls (docs/performance.md). `node:http` parses in C++
 * and costs nothing of the kind. The WHATWG classes (`Response`, `Headers`, `FormData`) are kept:
 * constructing them loads undici's JavaScript but never its parser, and `@slack/web-api` builds a
 * `FormData` for every file upload anyway.
 *
 * It covers what `@slack/web-api` 8's `makeRequest` passes (a URL string, POST, headers, a string
 * or FormData body, `redirect: 'error'`, an AbortSignal) and no more: no redirects are followed,
 * no compression is asked for, and the whole answer is read before the promise settles (Slack's
 * answers are small, and the signal then covers the body too).
 */

// Keep-alive, so the calls of one job (a post, the upload's three steps) share a connection; LIFO
// reuses the most recent socket, the one least likely to have been closed while Lambda was frozen.
// Idle sockets are dropped after 4 s, as Node's own fetch does, rather than kept until the server
// closes them and the next call (after a freeze, often) finds the connection reset.
const IDLE_SOCKET_MS = 4000;
const agents = {
  'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS }),
  'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS }),
};

const NULL_BODY_STATUSES = new Set([204, 205, 304]);

export const httpsFetch: typeof fetch = async (input, init = {}) => {
  if (typeof input !== 'string' && !(input instanceof URL)) {
    throw new TypeError('httpsFetch takes a URL string or URL, not a Request');
  }
  const url = new URL(input);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`httpsFetch cannot fetch ${url.protocol} URLs`);
  }
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  const body = await bodyBytes(init.body, headers);
  if (body) headers.set('content-length', String(body.byteLength));

  const answer = await send(url, method, headers, body, signal);
  const status = answer.statusCode ?? 0;
  if (status >= 300 && status < 400 && answer.headers.location !== undefined && init.redirect !== 'manual') {
    // `redirect: 'error'` is what the Web API client asks for; following one is not supported, so a
    // caller who asked for that gets an error rather than the redirect's own answer.
    throw new TypeError('fetch failed', { cause: new Error(`unexpected redirect to ${answer.headers.location}`) });
  }
  const response = new Response(NULL_BODY_STATUSES.has(status) || method === 'HEAD' ? null : answer.body, {
    status,
    statusText: answer.statusMessage ?? '',
    headers: pairs(answer.rawHeaders),
  });
  // The Web API client reads `response.url` (admin.analytics.getFile); a constructed Response has ''.
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
};

/**
 * The body as bytes, with the Content-Type fetch would give it. `new Response(body)` is the
 * standard's own body extraction: it encodes a FormData as multipart with a fresh boundary, a
 * URLSearchParams as a form, a Blob with its type. A Content-Type set by the caller wins, as in fetch.
 * Handing uploads to the global fetch instead would compile the parser after all: the worker's
 * peak for one diagnosis was 113 MB that way, 106 MB this way.
 */
async function bodyBytes(body: RequestInit['body'], headers: Headers): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    return Buffer.from(body, 'utf8');
  }
  const extracted = new Response(body);
  const type = extracted.headers.get('content-type');
  if (type && !headers.has('content-type')) headers.set('content-type', type);
  return Buffer.from(await extracted.arrayBuffer());
}

interface Answer {
  statusCode: number | undefined;
  statusMessage: string | undefined;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

function send(
  url: URL,
  method: string,
  headers: Headers,
  body: Buffer | undefined,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method,
      headers: Object.fromEntries(headers),
      agent: agents[url.protocol as keyof typeof agents],
    });
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    };
    // As fetch does: an aborted call rejects with the signal's reason (a TimeoutError for
    // AbortSignal.timeout), a network failure with TypeError('fetch failed') and the cause.
    const onAbort = () => {
      fail(signal?.reason);
      request.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => fail(new TypeError('fetch failed', { cause: error })));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => fail(new TypeError('fetch failed', { cause: error })));
      res.on('close', () => {
        if (!res.complete) fail(new TypeError('fetch failed', { cause: new Error('the answer was cut off') }));
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve({
          statusCode: res.statusCode,
          statusMessage: res.statusMessage,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        });
      });
    });
    request.end(body);
  });
}

/** Node's flat [name, value, name, value, …] as pairs, repeated headers kept. */
function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}
