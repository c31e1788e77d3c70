import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: requests older (or further in the future) than this are refused. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export type VerifyFailure =
  'missing-signature' | 'missing-timestamp' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature';

/**
 * The one Slack signature verifier: HMAC-SHA256 of `v0:<timestamp>:<raw body bytes>` with the
 * signing secret, compared in constant time, timestamp within five minutes either way.
 * Runs on the raw bytes before anything parses them.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  rawBody: Buffer;
  nowSeconds: number;
}): VerifyFailure | undefined {
  const { signature, timestamp } = input;
  if (!signature) return 'missing-signature';
  if (!timestamp) return 'missing-timestamp';
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad-timestamp';
  if (Math.abs(input.nowSeconds - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) return 'stale-timestamp';
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return 'bad-signature';
  const expected = createHmac('sha256', input.signingSecret).update(`v0:${timestamp}:`).update(input.rawBody).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  return timingSafeEqual(expected, given) ? undefined : 'bad-signature';
}

/** Signs a body like Slack does; for tests, the local runner and the benchmarks. */
export function signSlackRequest(signingSecret: string, timestamp: number, rawBody: string | Buffer): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}
