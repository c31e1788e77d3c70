import * as z from 'zod';
import { verifySlackSignature, type VerifyFailure } from './verify';

/** A Lambda Function URL (or API Gateway HTTP API payload 2.0) request, as much of it as gofn reads. */
export interface HttpEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  rawPath?: string;
  requestContext?: { http?: { method?: string } };
}

export interface HttpResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

/** Slack's largest payloads (a view submission with big state) stay far below this. */
export const MAX_BODY_BYTES = 128 * 1024;

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

export type Rejection =
  VerifyFailure | 'method-not-allowed' | 'body-too-large' | 'unsupported-content-type' | 'bad-encoding' | 'bad-payload';

export type EdgeResult =
  | {
      ok: true;
      /** The request as Bolt's receiver should see it: verified, decoded as UTF-8, normalised. */
      event: { headers: Record<string, string>; body: string; isBase64Encoded: false; rawPath: string };
      retryNum: string | undefined;
    }
  | { ok: false; reason: Rejection; response: HttpResponse };

const commandSchema = z.object({
  command: z.string().min(1).max(64),
  text: z.string().max(4000).default(''),
  team_id: z.string().min(1).max(32),
  channel_id: z.string().min(1).max(32),
  user_id: z.string().min(1).max(32),
  response_url: z.url().max(500),
  trigger_id: z.string().min(1).max(200),
});

const interactionSchema = z.object({
  type: z.enum(['block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion']),
  user: z.object({ id: z.string().min(1).max(32) }).loose(),
  team: z
    .object({ id: z.string().max(32) })
    .loose()
    .nullable()
    .optional(),
});

const eventSchema = z.union([
  z.object({ type: z.literal('url_verification'), challenge: z.string().max(200) }).loose(),
  z.object({ type: z.literal('event_callback'), event: z.object({ type: z.string() }).loose() }).loose(),
]);

function reject(reason: Rejection, statusCode: number): EdgeResult {
  return { ok: false, reason, response: { statusCode, body: '' } };
}

function lowerCaseHeaders(headers: HttpEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Everything a request must pass before any of gofn (or Bolt) looks at it: POST, size, content
 * type, Slack's signature over the raw bytes, strict UTF-8, and a payload of a known shape.
 * Bolt's own receiver parses before it verifies and decodes base64 as ASCII; here the order is
 * verify first, then decode, then parse, so no hostile body reaches a parser unverified.
 */
export function checkRequest(event: HttpEvent, signingSecret: string, nowSeconds: number): EdgeResult {
  const method = event.requestContext?.http?.method;
  if (method !== undefined && method !== 'POST') return reject('method-not-allowed', 405);
  const headers = lowerCaseHeaders(event.headers);

  const encoded = typeof event.body === 'string' ? event.body : '';
  if (encoded.length > (event.isBase64Encoded ? Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4 : MAX_BODY_BYTES * 3)) {
    return reject('body-too-large', 413);
  }
  const raw = event.isBase64Encoded ? Buffer.from(encoded, 'base64') : Buffer.from(encoded, 'utf8');
  if (raw.length > MAX_BODY_BYTES) return reject('body-too-large', 413);

  const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== FORM && contentType !== JSON_TYPE) return reject('unsupported-content-type', 415);

  const failure = verifySlackSignature({
    signingSecret,
    signature: headers['x-slack-signature'],
    timestamp: headers['x-slack-request-timestamp'],
    rawBody: raw,
    nowSeconds,
  });
  if (failure) return reject(failure, 401);

  let body: string;
  try {
    body = utf8.decode(raw);
  } catch {
    return reject('bad-encoding', 400);
  }
  if (!payloadIsKnown(contentType, body)) return reject('bad-payload', 400);

  return {
    ok: true,
    event: {
      headers: {
        'content-type': contentType,
        'x-slack-signature': headers['x-slack-signature']!,
        'x-slack-request-timestamp': headers['x-slack-request-timestamp']!,
        ...(headers['x-slack-retry-num'] ? { 'x-slack-retry-num': headers['x-slack-retry-num'] } : {}),
        ...(headers['x-slack-retry-reason'] ? { 'x-slack-retry-reason': headers['x-slack-retry-reason'] } : {}),
      },
      body,
      isBase64Encoded: false,
      rawPath: event.rawPath ?? '/',
    },
    retryNum: headers['x-slack-retry-num'],
  };
}

function payloadIsKnown(contentType: string, body: string): boolean {
  try {
    if (contentType === JSON_TYPE) return eventSchema.safeParse(JSON.parse(body)).success;
    const form = new URLSearchParams(body);
    if (form.get('ssl_check') === '1') return true;
    const payload = form.get('payload');
    if (payload !== null) return interactionSchema.safeParse(JSON.parse(payload)).success;
    return commandSchema.safeParse(Object.fromEntries(form)).success;
  } catch {
    return false;
  }
}
