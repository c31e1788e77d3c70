import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { OWNERS_TAG } from '../owners';
import type { OfferedAction } from '../runbook/report';

/**
 * A button carries a signed, expiring reference to the action it offers, so the click can be
 * confirmed without a database read in the 3-second ack path, and a forged, edited, expired or
 * replayed-elsewhere value is refused before anything runs. The key is derived from the signing
 * secret, so there is no extra secret to manage and rotating the secret revokes every button.
 */
/** IDs a button can carry and stay well inside Slack's 2,000 characters for a button value. */
export const MAX_WHO = 30;
/** A Slack user (U…, W…) or user-group (S…) ID, as long as a button may carry. */
const WHO_ID = /^[UWS][A-Z0-9]{2,31}$/;

export const actionClaimSchema = z.strictObject({
  v: z.literal(1),
  /** Unique per offered action: the idempotency key that makes it run at most once. */
  id: z.uuid(),
  kind: z.enum(['rollback', 'replay-dlq', 'raise-concurrency', 'profile']),
  fn: z.string().min(1).max(170),
  alias: z.string().min(1).max(128),
  params: z.record(z.string(), z.union([z.string().max(256), z.number()])),
  /** The channel the report was posted in; a click from anywhere else is refused. */
  channel: z.string().min(1).max(32),
  /**
   * Who could act when the button was made (admins and the function's owners, users and user
   * groups), so the click is checked before a confirmation opens. Left out when the list is too
   * long for a button; the worker authorizes again on submit either way.
   */
  who: z.array(z.string().regex(WHO_ID)).max(MAX_WHO).optional(),
  /** Expiry, epoch seconds. */
  exp: z.number().int().positive(),
});

export type ActionClaim = z.output<typeof actionClaimSchema>;

export type TokenProblem = 'malformed' | 'bad-signature' | 'expired' | 'wrong-channel';

function tokenKey(signingSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', signingSecret, 'gofn', 'action-token/v1', 32));
}

export function signActionToken(signingSecret: string, claim: ActionClaim): string {
  const body = Buffer.from(JSON.stringify(claim)).toString('base64url');
  const mac = createHmac('sha256', tokenKey(signingSecret)).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function claimFor(
  action: OfferedAction,
  channel: string,
  nowSeconds: number,
  ttlSeconds: number,
  who?: string[],
): ActionClaim {
  const { function: fn, alias, ...params } = action.params;
  const allowed = who ? [...new Set(who)] : undefined;
  // A list the token could not carry whole is left out: the click then cannot refuse anyone
  // (the worker still decides), rather than every button failing to verify.
  const carried = allowed && allowed.length <= MAX_WHO && allowed.every((id) => WHO_ID.test(id));
  return {
    v: 1,
    id: randomUUID(),
    kind: action.kind,
    fn: String(fn),
    alias: String(alias ?? 'live'),
    params,
    channel,
    exp: nowSeconds + ttlSeconds,
    ...(carried ? { who: allowed } : {}),
  };
}

/**
 * Whether the person clicking may act, as far as the button knows: `yes` when named, `no` when
 * neither named nor possibly in a named user group, `maybe` when only group membership could
 * tell (that takes a usergroups.users.list call, which the click path does not make: the only
 * Slack call it makes is views.open, within the trigger_id's 3 seconds) or when the button
 * carries no list. A `maybe` sees the confirmation; the worker decides on submit.
 */
export function mayAct(claim: ActionClaim, userId: string): 'yes' | 'no' | 'maybe' {
  if (!claim.who) return 'maybe';
  if (claim.who.includes(userId)) return 'yes';
  return claim.who.some((id) => id.startsWith('S')) ? 'maybe' : 'no';
}

export function verifyActionToken(
  signingSecret: string,
  token: string,
  context: { channel: string | undefined; nowSeconds: number },
): { claim: ActionClaim } | { problem: TokenProblem } {
  // A forged payload can carry any JSON value where Slack puts the button's string.
  if (typeof token !== 'string' || token.length > 2000) return { problem: 'malformed' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { problem: 'malformed' };
  const body = token.slice(0, dot);
  // Compared as text: base64url decoding ignores the last character's spare bits, so comparing
  // decoded bytes would accept several spellings of one MAC.
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(createHmac('sha256', tokenKey(signingSecret)).update(body).digest('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'bad-signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { problem: 'malformed' };
  }
  const claim = actionClaimSchema.safeParse(parsed);
  if (!claim.success) return { problem: 'malformed' };
  if (claim.data.exp < context.nowSeconds) return { problem: 'expired' };
  if (claim.data.channel !== context.channel) return { problem: 'wrong-channel' };
  return { claim: claim.data };
}

/** What someone the button does not name is told, and what the audit records. */
export function clickRefusal(functionName: string): string {
  return `You are not allowed to change ${functionName}: only gofn's admins and the people in its ${OWNERS_TAG} tag may. Nothing was run.`;
}

export function describeTokenProblem(problem: TokenProblem): string {
  switch (problem) {
    case 'expired':
      return 'This button has expired. Run `/gofn status` again for fresh numbers and buttons.';
    case 'wrong-channel':
      return 'This button belongs to a message in another channel; nothing was run.';
    default:
      return 'This button could not be verified; nothing was run.';
  }
}
