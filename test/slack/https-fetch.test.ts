import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, WebClient } from '@slack/web-api';
import { httpsFetch } from '../../src/slack/https-fetch';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Route = (req: Received, res: ServerResponse) => void;

/** A loopback HTTP server that records each request in full and answers it with `route`. */
async function startServer(
  route: Route,
): Promise<{ url: string; received: Received[]; connections: () => number; close: () => Promise<void> }> {
  const received: Received[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      received.push(request);
      route(request, res);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** The parts of a multipart body, parsed by the standard's own parser. */
async function multipartOf(req: Received): Promise<FormData> {
  return new Response(req.body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
}

describe('httpsFetch', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let route: Route;

  beforeEach(async () => {
    route = (_req, res) => json(res, 200, { ok: true });
    server = await startServer((req, res) => route(req, res));
  });

  afterEach(async () => {
    await server.close();
  });

  it('sends a POST with its form body and headers as given', async () => {
    const body = 'channel=C1&text=h%C3%A9llo+%E2%9C%93&blocks=%5B%5D';
    await httpsFetch(`${server.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer xoxb-test',
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Extra': 'one',
      },
      body,
    });

    const [req] = server.received;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/api/chat.postMessage');
    expect(req?.headers.authorization).toBe('Bearer xoxb-test');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers['x-extra']).toBe('one');
    expect(req?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(req?.body.toString('utf8')).toBe(body);
    expect(Object.fromEntries(new URLSearchParams(req?.body.toString('utf8')))).toEqual({
      channel: 'C1',
      text: 'héllo ✓',
      blocks: '[]',
    });
  });

  it('encodes a URLSearchParams body as a form, as fetch does', async () => {
    await httpsFetch(`${server.url}/form`, { method: 'POST', body: new URLSearchParams({ a: '1 2', b: 'ü' }) });

    const [req] = server.received;
    expect(req?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(req?.body.toString('utf8')))).toEqual({ a: '1 2', b: 'ü' });
  });

  it('answers with a standard Response whose JSON, status, headers and URL can be read', async () => {
    route = (_req, res) =>
      json(res, 200, { ok: true, ts: '1.000100', nested: { list: [1, 2] } }, { 'x-oauth-scopes': 'chat:write' });

    const response = await httpsFetch(`${server.url}/api/chat.postMessage`, { method: 'POST', body: 'a=b' });

    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('X-OAuth-Scopes')).toBe('chat:write');
    expect(response.url).toBe(`${server.url}/api/chat.postMessage`);
    await expect(response.json()).resolves.toEqual({ ok: true, ts: '1.000100', nested: { list: [1, 2] } });
  });

  it('passes a non-200 status and its body through', async () => {
    route = (_req, res) => {
      res.writeHead(503, 'Service Unavailable', { 'content-type': 'text/plain' });
      res.end('try later');
    };

    const response = await httpsFetch(`${server.url}/api/chat.postMessage`, { method: 'POST', body: 'a=b' });

    expect(response.status).toBe(503);
    expect(response.ok).toBe(false);
    expect(response.statusText).toBe('Service Unavailable');
    await expect(response.text()).resolves.toBe('try later');
  });

  it('lets a 429 be read with its Retry-After', async () => {
    route = (_req, res) => json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '7' });

    const response = await httpsFetch(`${server.url}/api/chat.postMessage`, { method: 'POST', body: 'a=b' });

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(Object.fromEntries(response.headers.entries())).toMatchObject({ 'retry-after': '7' });
  });

  it('answers a 204 with no body', async () => {
    route = (_req, res) => {
      res.writeHead(204);
      res.end();
    };

    const response = await httpsFetch(`${server.url}/empty`, { method: 'POST', body: 'a=b' });

    expect(response.status).toBe(204);
    await expect(response.text()).resolves.toBe('');
  });

  it('rejects with the signal’s TimeoutError when the server does not answer in time', async () => {
    route = () => undefined; // never answers

    const call = httpsFetch(`${server.url}/slow`, { method: 'POST', body: 'a=b', signal: AbortSignal.timeout(50) });

    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('rejects at once when the signal was aborted before the call, and sends nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gave up'));

    await expect(
      httpsFetch(`${server.url}/x`, { method: 'POST', body: 'a=b', signal: controller.signal }),
    ).rejects.toThrow('gave up');
    expect(server.received).toHaveLength(0);
  });

  it('rejects a redirect when redirect is "error", as the Web API client asks', async () => {
    route = (_req, res) => {
      res.writeHead(302, { location: 'https://example.invalid/elsewhere' });
      res.end();
    };

    await expect(
      httpsFetch(`${server.url}/api/chat.postMessage`, { method: 'POST', body: 'a=b', redirect: 'error' }),
    ).rejects.toThrow(TypeError);
  });

  it('rejects with TypeError("fetch failed") when nothing listens', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();

    await expect(httpsFetch(`${closed.url}/x`, { method: 'POST', body: 'a=b' })).rejects.toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
    });
  });

  it('rejects when the connection drops before the answer', async () => {
    route = (_req, res) => res.socket?.destroy();

    await expect(httpsFetch(`${server.url}/x`, { method: 'POST', body: 'a=b' })).rejects.toMatchObject({
      message: 'fetch failed',
    });
  });

  it('sends a multipart upload with its bytes and filename intact', async () => {
    const png = randomBytes(70_000);
    const form = new FormData();
    form.append('channel_id', 'C1');
    form.append('file', new Blob([png]), 'graph.png');

    await httpsFetch(`${server.url}/upload/F1`, { method: 'POST', body: form });

    const [req] = server.received;
    expect(req?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req?.headers['content-length']).toBe(String(req?.body.length));
    const parts = await multipartOf(req!);
    expect(parts.get('channel_id')).toBe('C1');
    const file = parts.get('file') as File;
    expect(file.name).toBe('graph.png');
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
  });

  it('keeps the connection for the next call', async () => {
    await (await httpsFetch(`${server.url}/one`, { method: 'POST', body: 'a=b' })).text();
    await (await httpsFetch(`${server.url}/two`, { method: 'POST', body: 'a=b' })).text();

    expect(server.received.map((r) => r.path)).toEqual(['/one', '/two']);
    expect(server.connections()).toBe(1);
  });
});

describe('a WebClient over httpsFetch', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let uploads: Map<string, FormData>;
  let rateLimitNext: number;

  beforeEach(async () => {
    uploads = new Map();
    rateLimitNext = 0;
    server = await startServer((req, res) => {
      if (req.path.startsWith('/upload/')) {
        multipartOf(req).then(
          (form) => {
            uploads.set(req.path.slice('/upload/'.length), form);
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end('OK');
          },
          () => {
            res.writeHead(400, { 'content-type': 'text/plain' });
            res.end('not multipart');
          },
        );
        return;
      }
      const args = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
      switch (req.path) {
        case '/api/chat.postMessage':
          if (rateLimitNext > 0) {
            rateLimitNext -= 1;
            json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '0' });
            return;
          }
          json(res, 200, { ok: true, channel: args.channel, ts: '1700000000.000100', message: { text: args.text } });
          return;
        case '/api/files.getUploadURLExternal':
          json(res, 200, { ok: true, upload_url: `${server.url}/upload/F123`, file_id: 'F123' });
          return;
        case '/api/files.completeUploadExternal':
          json(res, 200, { ok: true, files: JSON.parse(args.files ?? '[]') as unknown });
          return;
        default:
          json(res, 200, { ok: false, error: 'unknown_method' });
      }
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const client = () =>
    new WebClient('xoxb-test', {
      slackApiUrl: `${server.url}/api/`,
      fetch: httpsFetch,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 },
      timeout: 5000,
    });

  it('posts a message', async () => {
    const result = await client().chat.postMessage({ channel: 'C1', text: 'diagnosis ✓', thread_ts: '1.000001' });

    expect(result.ok).toBe(true);
    expect(result.ts).toBe('1700000000.000100');
    const [req] = server.received;
    expect(req?.headers.authorization).toBe('Bearer xoxb-test');
    expect(Object.fromEntries(new URLSearchParams(req?.body.toString('utf8')))).toMatchObject({
      channel: 'C1',
      text: 'diagnosis ✓',
      thread_ts: '1.000001',
    });
  });

  it('posts again after a 429, as its retry policy says', async () => {
    rateLimitNext = 1;

    const result = await client().chat.postMessage({ channel: 'C1', text: 'hello' });

    expect(result.ok).toBe(true);
    expect(server.received.filter((r) => r.path === '/api/chat.postMessage')).toHaveLength(2);
  });

  it('uploads a file with files.uploadV2, its bytes intact', async () => {
    const png = randomBytes(40_000);

    const result = await client().files.uploadV2({
      channel_id: 'C1',
      thread_ts: '1.000001',
      file: png,
      filename: 'graph.png',
      title: 'orders-api duration',
    });

    expect(result.ok).toBe(true);
    expect(server.received.map((r) => r.path)).toEqual([
      '/api/files.getUploadURLExternal',
      '/upload/F123',
      '/api/files.completeUploadExternal',
    ]);
    const files = [...(uploads.get('F123')?.values() ?? [])].filter((v) => typeof v !== 'string');
    expect(files).toHaveLength(1);
    expect(Buffer.from(await (files[0] as Blob).arrayBuffer()).equals(png)).toBe(true);
    const completed = Object.fromEntries(new URLSearchParams(server.received[2]?.body.toString('utf8')));
    expect(JSON.parse(completed.files ?? '[]')).toEqual([{ id: 'F123', title: 'orders-api duration' }]);
    expect(completed.channel_id).toBe('C1');
  });
});
