import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { MAX_BODY_BYTES, type HttpEvent } from '../../src/slack/edge';
import { createIngress } from '../../src/slack/ingress';
import { signSlackRequest } from '../../src/slack/verify';
import { keptLog, memorySlackFetch, recordResult, repoPath, tally } from './support';
import { BOT_TOKEN, buttonClick, interactionBody, SIGNING_SECRET, slashCommandBody } from '../support/slack-requests';

/**
 * Anyone on the internet can reach the Function URL. Every request here is broken in at least
 * one way (signature, timestamp, body, size, content type, encoding, headers, method, payload
 * shape) around otherwise realistic Slack requests; each must be answered 4xx, enqueue nothing,
 * call no Slack API and throw nothing out of the handler.
 */
const NOW = 1_800_000_000;
const RUNS = 12_000;

type Category =
  | 'missing-signature'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'bad-timestamp'
  | 'missing-timestamp'
  | 'signed-other-body'
  | 'oversized'
  | 'wrong-content-type'
  | 'base64'
  | 'non-ascii'
  | 'missing-headers'
  | 'wrong-method'
  | 'unknown-payload';

/** Status codes the edge may answer for each kind of breakage. */
const allowed: Record<Category, number[]> = {
  'missing-signature': [401],
  'bad-signature': [401],
  'stale-timestamp': [401],
  'future-timestamp': [401],
  'bad-timestamp': [401],
  'missing-timestamp': [401],
  'signed-other-body': [401],
  oversized: [413],
  'wrong-content-type': [415],
  base64: [400, 401],
  'non-ascii': [400, 401],
  'missing-headers': [401, 415],
  'wrong-method': [405],
  'unknown-payload': [400],
};

interface Hostile {
  category: Category;
  event: HttpEvent;
}

/** Realistic bodies a Slack request carries: the things an attacker starts from. */
const realBody: fc.Arbitrary<{ body: string; contentType: string }> = fc.oneof(
  fc
    .string({ maxLength: 60 })
    .map((text) => ({ body: slashCommandBody(`status ${text}`), contentType: 'application/x-www-form-urlencoded' })),
  fc.string({ maxLength: 40 }).map((value) => ({
    body: interactionBody(buttonClick({ value })),
    contentType: 'application/x-www-form-urlencoded',
  })),
  fc.string({ maxLength: 30 }).map((challenge) => ({
    body: JSON.stringify({ type: 'url_verification', challenge }),
    contentType: 'application/json',
  })),
  fc.constant({
    body: JSON.stringify({ type: 'event_callback', event: { type: 'app_mention', user: 'U1', channel: 'C1' } }),
    contentType: 'application/json',
  }),
);

const timestampNearNow = fc.integer({ min: NOW - 300, max: NOW + 300 });

/** Header names arrive in any case through some proxies; the edge must not care. */
const headerCase = fc.constantFrom(
  (h: string) => h,
  (h: string) => h.toUpperCase(),
  (h: string) => h.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase()),
);

function event(
  body: string,
  headers: Record<string, string | undefined>,
  options: { base64?: boolean; method?: string } = {},
): HttpEvent {
  return {
    rawPath: '/',
    requestContext: { http: { method: options.method ?? 'POST' } },
    isBase64Encoded: options.base64 ?? false,
    body,
    headers,
  };
}

function signedHeaders(
  body: string | Buffer,
  contentType: string,
  timestamp: number,
  rename: (h: string) => string = (h) => h,
  secret = SIGNING_SECRET,
): Record<string, string> {
  return {
    [rename('content-type')]: contentType,
    [rename('x-slack-request-timestamp')]: String(timestamp),
    [rename('x-slack-signature')]: signSlackRequest(secret, timestamp, body),
  };
}

const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  // No signature header at all, or an empty one.
  fc
    .record({ real: realBody, ts: timestampNearNow, rename: headerCase, empty: fc.boolean() })
    .map(({ real, ts, rename, empty }) => {
      const headers: Record<string, string | undefined> = signedHeaders(real.body, real.contentType, ts, rename);
      headers[rename('x-slack-signature')] = empty ? '' : undefined;
      return { category: 'missing-signature' as const, event: event(real.body, headers) };
    }),
  // A signature that is not Slack's: random hex, another secret, the right one altered, other shapes.
  fc
    .record({
      real: realBody,
      ts: timestampNearNow,
      how: fc.constantFrom('random-hex', 'other-secret', 'uppercase', 'truncated', 'v1', 'flipped', 'garbage'),
      hex: fc.stringMatching(/^[0-9a-f]{64}$/),
      garbage: fc.string({ maxLength: 100 }),
    })
    .map(({ real, ts, how, hex, garbage }) => {
      const headers = signedHeaders(real.body, real.contentType, ts);
      const good = headers['x-slack-signature']!;
      const replaced: Record<string, string> = {
        'random-hex': `v0=${hex}`,
        'other-secret': signSlackRequest('another-signing-secret-0000', ts, real.body),
        uppercase: `v0=${good.slice(3).toUpperCase()}`,
        truncated: good.slice(0, 40),
        v1: `v1=${good.slice(3)}`,
        flipped: `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`,
        garbage: garbage === good ? `${garbage}x` : garbage,
      };
      // Uppercase hex of a signature made only of digits is the signature itself: skip that one case.
      const signature = how === 'uppercase' && !/[a-f]/.test(good.slice(3)) ? `v0=${hex}` : replaced[how]!;
      return {
        category: 'bad-signature' as const,
        event: event(real.body, {
          ...headers,
          'x-slack-signature': signature === good ? `v0=${'0'.repeat(64)}` : signature,
        }),
      };
    }),
  // Correctly signed, but long ago: a replay.
  fc.record({ real: realBody, age: fc.integer({ min: 301, max: 1_000_000_000 }) }).map(({ real, age }) => ({
    category: 'stale-timestamp' as const,
    event: event(real.body, signedHeaders(real.body, real.contentType, NOW - age)),
  })),
  // Correctly signed, in the future: a request prepared for a later replay.
  fc.record({ real: realBody, ahead: fc.integer({ min: 301, max: 1_000_000_000 }) }).map(({ real, ahead }) => ({
    category: 'future-timestamp' as const,
    event: event(real.body, signedHeaders(real.body, real.contentType, NOW + ahead)),
  })),
  // Timestamps that are not whole seconds: signed over exactly what is sent.
  fc
    .record({
      real: realBody,
      ts: fc.oneof(
        fc.constantFrom(`${NOW}.5`, `-${NOW}`, `${NOW}e0`, ` ${NOW}`, `0x${NOW.toString(16)}`, `${NOW}0000000`, 'NaN'),
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^\d{1,12}$/.test(s)),
      ),
    })
    .map(({ real, ts }) => ({
      category: 'bad-timestamp' as const,
      event: event(real.body, {
        'content-type': real.contentType,
        'x-slack-request-timestamp': ts,
        'x-slack-signature': `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${real.body}`).digest('hex')}`,
      }),
    })),
  fc.record({ real: realBody, ts: timestampNearNow }).map(({ real, ts }) => {
    const headers: Record<string, string | undefined> = signedHeaders(real.body, real.contentType, ts);
    delete headers['x-slack-request-timestamp'];
    return { category: 'missing-timestamp' as const, event: event(real.body, headers) };
  }),
  // A valid signature over body A, sent with body B.
  fc
    .record({
      a: realBody,
      b: realBody,
      ts: timestampNearNow,
      edit: fc.constantFrom('other', 'append', 'prepend', 'replace-char', 'trailing-newline', 'percent-case'),
      extra: fc.string({ minLength: 1, maxLength: 20 }),
    })
    .map(({ a, b, ts, edit, extra }) => {
      const sent =
        edit === 'other'
          ? b.body
          : edit === 'append'
            ? `${a.body}&${extra}`
            : edit === 'prepend'
              ? `${extra}${a.body}`
              : edit === 'replace-char'
                ? a.body.replace(/status|payload|type/, 'STATUS')
                : edit === 'trailing-newline'
                  ? `${a.body}\n`
                  : a.body.replace(/%[0-9A-F]{2}/, (m) => m.toLowerCase());
      const body = sent === a.body ? `${a.body} ` : sent;
      return { category: 'signed-other-body' as const, event: event(body, signedHeaders(a.body, a.contentType, ts)) };
    }),
  // Bodies over the limit, correctly signed, plain or base64.
  fc
    .record({
      over: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: MAX_BODY_BYTES })),
      base64: fc.boolean(),
      ts: timestampNearNow,
      fill: fc.constantFrom('x', 'é', '%41'),
    })
    .map(({ over, base64, ts, fill }) => {
      // Padding appended after the fields: URL-encoding a quarter of a megabyte per run would dominate the test.
      const padding = fill.repeat(Math.ceil((MAX_BODY_BYTES + over) / Buffer.byteLength(fill)));
      const raw = `${slashCommandBody('status orders-api')}&pad=${padding}`;
      const sent = base64 ? Buffer.from(raw).toString('base64') : raw;
      return {
        category: 'oversized' as const,
        event: event(sent, signedHeaders(raw, 'application/x-www-form-urlencoded', ts), { base64 }),
      };
    }),
  // Correctly signed, but not a content type Slack sends.
  fc
    .record({
      real: realBody,
      ts: timestampNearNow,
      type: fc.oneof(
        fc.constantFrom(
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/x-www-form-urlencoded-evil',
          'application/jsonp',
          '',
          'application/json, application/x-www-form-urlencoded',
        ),
        fc
          .string({ maxLength: 40 })
          .filter(
            (t) =>
              !['application/json', 'application/x-www-form-urlencoded'].includes(
                t.split(';')[0]!.trim().toLowerCase(),
              ),
          ),
      ),
    })
    .map(({ real, ts, type }) => ({
      category: 'wrong-content-type' as const,
      event: event(real.body, signedHeaders(real.body, type, ts)),
    })),
  // Base64: signed over the encoded text, undecodable, or invalid UTF-8 once decoded.
  fc
    .record({
      real: realBody,
      ts: timestampNearNow,
      how: fc.constantFrom('signed-over-encoding', 'flag-missing', 'invalid-utf8', 'not-base64'),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    })
    .map(({ real, ts, how, bytes }) => {
      const encoded = Buffer.from(real.body).toString('base64');
      if (how === 'signed-over-encoding') {
        return {
          category: 'base64' as const,
          event: event(encoded, signedHeaders(encoded, real.contentType, ts), { base64: true }),
        };
      }
      if (how === 'flag-missing') {
        return { category: 'base64' as const, event: event(encoded, signedHeaders(real.body, real.contentType, ts)) };
      }
      if (how === 'invalid-utf8') {
        // A lone continuation byte makes any byte string invalid UTF-8.
        const raw = Buffer.concat([Buffer.from('text='), Buffer.from(bytes), Buffer.from([0x80])]);
        return {
          category: 'base64' as const,
          event: event(raw.toString('base64'), signedHeaders(raw, real.contentType, ts), { base64: true }),
        };
      }
      const junk = `${encoded.slice(0, 10)}!*~${encoded.slice(10)}`;
      return {
        category: 'base64' as const,
        event: event(junk, signedHeaders(junk, real.contentType, ts), { base64: true }),
      };
    }),
  // Non-ASCII text: signed over Latin-1 bytes but sent as UTF-8, or well signed but of no known shape.
  fc
    .record({
      text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map((s) => `${s}é`),
      ts: timestampNearNow,
      latin1: fc.boolean(),
    })
    .map(({ text, ts, latin1 }) => {
      const body = `text=${text}&user_name=zoë`;
      const signedOver = latin1 ? Buffer.from(body, 'latin1') : body;
      return {
        category: 'non-ascii' as const,
        event: event(body, signedHeaders(signedOver, 'application/x-www-form-urlencoded', ts)),
      };
    }),
  // Headers or body missing altogether.
  fc
    .record({
      headers: fc.constantFrom(undefined, null, {}),
      body: fc.constantFrom(undefined, null, '', 'payload=%7B%7D'),
      base64: fc.boolean(),
    })
    .map(({ headers, body, base64 }) => ({
      category: 'missing-headers' as const,
      event: { isBase64Encoded: base64, headers, body } as HttpEvent,
    })),
  // Methods other than POST, correctly signed.
  fc
    .record({
      real: realBody,
      ts: timestampNearNow,
      method: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'post', 'TRACE'),
    })
    .map(({ real, ts, method }) => ({
      category: 'wrong-method' as const,
      event: event(real.body, signedHeaders(real.body, real.contentType, ts), { method }),
    })),
  // Correctly signed, right content type, but not a payload Slack sends.
  fc
    .record({
      ts: timestampNearNow,
      form: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 6 }),
      json: fc.json({ maxDepth: 3 }),
      payload: fc.oneof(fc.string({ maxLength: 50 }), fc.json({ maxDepth: 2 })),
      how: fc.constantFrom('form', 'json', 'payload', 'command-missing-field', 'interaction-without-user'),
      drop: fc.constantFrom('team_id', 'channel_id', 'user_id', 'response_url', 'trigger_id', 'command'),
    })
    .map(({ ts, form, json, payload, how, drop }) => {
      let body: string;
      let contentType = 'application/x-www-form-urlencoded';
      if (how === 'form') {
        delete form.ssl_check;
        delete form.payload;
        body = new URLSearchParams({ ...form, command: '' }).toString();
      } else if (how === 'json') {
        body = json.includes('url_verification') || json.includes('event_callback') ? '[]' : json;
        contentType = 'application/json';
      } else if (how === 'payload') {
        body = new URLSearchParams({ payload: payload.includes('"user"') ? '{}' : payload }).toString();
      } else if (how === 'command-missing-field') {
        const fields = Object.fromEntries(new URLSearchParams(slashCommandBody('status orders-api')));
        delete fields[drop];
        body = new URLSearchParams(fields).toString();
      } else {
        const click: Record<string, unknown> = buttonClick({ value: 'x' });
        delete click.user;
        body = interactionBody(click);
      }
      return { category: 'unknown-payload' as const, event: event(body, signedHeaders(body, contentType, ts)) };
    }),
);

describe('hostile requests at the ingress', () => {
  it(`answers ${RUNS.toLocaleString('en')} broken requests with 4xx, enqueues nothing and never throws`, async () => {
    // Prepare
    const started = Date.now();
    const slack = memorySlackFetch();
    const log = keptLog();
    let enqueued = 0;
    const ingress = createIngress({
      secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
      jobs: { enqueue: async () => void (enqueued += 1) },
      clientOptions: { slackApiUrl: slack.slackApiUrl, fetch: slack.fetch, retryConfig: { retries: 0 } },
      log,
      nowSeconds: () => NOW,
    });
    const byCategory: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    let thrown = 0;

    // Act
    await fc.assert(
      fc.asyncProperty(hostile, async ({ category, event }) => {
        tally(byCategory, category);
        let status: number;
        try {
          status = (await ingress(event)).statusCode;
        } catch (error) {
          thrown += 1;
          throw error;
        }
        tally(byStatus, String(status));
        // Assess (per request)
        expect(allowed[category]).toContain(status);
        expect(enqueued).toBe(0);
        expect(slack.calls).toEqual([]);
      }),
      { numRuns: RUNS, seed: 20260701 },
    );

    // Assess
    expect(Object.keys(byCategory).sort()).toEqual(Object.keys(allowed).sort());
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
    recordResult('hostile-ingress', {
      test: 'Hostile requests at the ingress',
      file: repoPath(__filename),
      group: 'hostile input',
      tried: `${RUNS.toLocaleString('en')} generated Function URL requests in ${Object.keys(allowed).length} categories: missing, wrong and other-secret signatures; stale, future, malformed and missing timestamps; a valid signature over a different body; oversized plain and base64 bodies; wrong content types; base64 and non-ASCII bodies; missing headers; methods other than POST; signed payloads of no known shape`,
      inputs: RUNS,
      lost: 0,
      duplicated: 0,
      details: {
        ...Object.fromEntries(Object.entries(byCategory).map(([k, v]) => [`category ${k}`, v])),
        ...Object.fromEntries(Object.entries(byStatus).map(([k, v]) => [`answered ${k}`, v])),
        enqueued,
        'Slack calls': slack.calls.length,
        'thrown out of the handler': thrown,
      },
      durationMs: Date.now() - started,
    });
  });
});
