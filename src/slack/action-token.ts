import { createHash, createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { OWNERS_TAG } from '../owners';
import type { OfferedAction } from '../runbook/report';

/**
 * A button carries a signed, expiring reference to the action it offers, so the click can be
 * confirmed without a database read in the 3-second ack path, and a forged, edited, expired or
 * replayed-elsewhere value is refused before anything runs. The key is derived from the signing
 * secret, so there is no extra secret to manage.
 *
 * A token is `<key id>.<claim>.<mac>`. The key id names the key that signed it (a digest of the
 * key, which reveals nothing of it), so after the signing secret is rotated, buttons signed with
 * the previous secret keep working for a grace window (see TokenKeys) instead of every open
 * button breaking at once. Tokens made before key ids existed (`<claim>.<mac>`) are checked
 * against the current and the previous key.
 */
/** IDs a button can carry. */
export const MAX_WHO = 30;
/** A Slack user (U…, W…) or user-group (S…) ID, as long as a button may carry. */
const WHO_ID = /^[UWS][A-Z0-9]{2,31}$/;
/** Slack's limit for a button's value. */
export const MAX_BUTTON_VALUE = 2000;

export const actionClaimSchema = z.strictObject({
  v: z.literal(1),
  /** Unique per offered action: the idempotency key that makes it run at most once. */
  id: z.uuid(),
  kind: z.enum(['rollback', 'replay-dlq', 'raise-concurrency', 'profile']),
  fn: z.string().min(1).max(170),
  alias: z.string().min(1).max(128),
  params: z
    .record(z.string().max(32), z.union([z.string().max(256), z.number()]))
    .refine((p) => Object.keys(p).length <= 3, 'at most 3 parameters'),
  /** The channel the report was posted in; a click from anywhere else is refused. */
  channel: z.string().min(1).max(32),
  /**
   * Who could act when the button was made (admins and the function's owners, users and user
   * groups), so the click is checked before a confirmation opens. Left out when the list is too
   * long for a button; the worker authorizes again on submit either way.
   */
  who: z.array(z.string().regex(WHO_ID)).max(MAX_WHO).optional(),
  /**
   * The same list as digests (8 characters each) when the IDs themselves would not fit in a
   * button's 2,000 characters; `groups` says whether it holds a user group.
   */
  whoDigest: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{8}$/))
    .max(MAX_WHO)
    .optional(),
  groups: z.boolean().optional(),
  /** Expiry, epoch seconds. */
  exp: z.number().int().positive(),
});

export type ActionClaim = z.output<typeof actionClaimSchema>;

export type TokenProblem = 'malformed' | 'bad-signature' | 'expired' | 'wrong-channel';

/**
 * The keys buttons are signed and checked with: the current signing secret, and during a
 * rotation the previous one until `previousUntil` (epoch seconds).
 */
export interface TokenKeys {
  current: string;
  previous?: string | undefined;
  previousUntil?: number | undefined;
}

function keysOf(keys: string | TokenKeys): TokenKeys {
  return typeof keys === 'string' ? { current: keys } : keys;
}

const derived = new Map<string, { key: Buffer; id: string }>();

function tokenKey(signingSecret: string): { key: Buffer; id: string } {
  let found = derived.get(signingSecret);
  if (!found) {
    const key = Buffer.from(hkdfSync('sha256', signingSecret, 'gofn', 'action-token/v1', 32));
    const id = `k${createHash('sha256').update(key).digest('base64url').slice(0, 8)}`;
    found = { key, id };
    if (derived.size > 8) derived.clear();
    derived.set(signingSecret, found);
  }
  return found;
}

function macOf(key: Buffer, signed: string): string {
  return createHmac('sha256', key).update(signed).digest('base64url');
}

/** Constant time, compared as text: base64url decoding ignores spare bits, so bytes would accept several spellings. */
function sameMac(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function signActionToken(keys: string | TokenKeys, claim: ActionClaim): string {
  const { key, id } = tokenKey(keysOf(keys).current);
  const body = Buffer.from(JSON.stringify(claim)).toString('base64url');
  return `${id}.${body}.${macOf(key, `${id}.${body}`)}`;
}

/** An 8-character digest of a Slack ID, for buttons whose list of IDs would not fit. */
export function whoDigest(id: string): string {
  return createHash('sha256').update(`gofn-who:${id}`).digest('base64url').slice(0, 8);
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
 * The button value for a claim, within Slack's 2,000 characters whatever the IDs: the list of
 * who may act as IDs, else as digests, else left out (the worker authorizes on submit anyway).
 */
export function buttonValue(keys: string | TokenKeys, claim: ActionClaim): string {
  const full = signActionToken(keys, claim);
  if (full.length <= MAX_BUTTON_VALUE || !claim.who) return full;
  const { who, ...rest } = claim;
  const digested = signActionToken(keys, {
    ...rest,
    whoDigest: who.map(whoDigest),
    groups: who.some((id) => id.startsWith('S')),
  });
  if (digested.length <= MAX_BUTTON_VALUE) return digested;
  return signActionToken(keys, rest);
}

/**
 * Whether the person clicking may act, as far as the button knows: `yes` when named, `no` when
 * neither named nor possibly in a named user group, `maybe` when only group membership could
 * tell (that takes a usergroups.users.list call, which the click path does not make: the only
 * Slack call it makes is views.open, within the trigger_id's 3 seconds) or when the button
 * carries no list. A `maybe` sees the confirmation; the worker decides on submit.
 */
export function mayAct(claim: ActionClaim, userId: string): 'yes' | 'no' | 'maybe' {
  if (claim.who) {
    if (claim.who.includes(userId)) return 'yes';
    return claim.who.some((id) => id.startsWith('S')) ? 'maybe' : 'no';
  }
  if (claim.whoDigest) {
    if (claim.whoDigest.includes(whoDigest(userId))) return 'yes';
    return claim.groups ? 'maybe' : 'no';
  }
  return 'maybe';
}

export function verifyActionToken(
  keys: string | TokenKeys,
  token: string,
  context: { channel: string | undefined; nowSeconds: number },
): { claim: ActionClaim } | { problem: TokenProblem } {
  // A forged payload can carry any JSON value where Slack puts the button's string.
  if (typeof token !== 'string' || token.length > MAX_BUTTON_VALUE) return { problem: 'malformed' };
  const { current, previous, previousUntil } = keysOf(keys);
  const candidates = [tokenKey(current)];
  if (previous && previous !== current && (previousUntil ?? 0) >= context.nowSeconds)
    candidates.push(tokenKey(previous));

  const parts = token.split('.');
  let body: string;
  if (parts.length === 3) {
    const [id, claimPart, mac] = parts as [string, string, string];
    const key = candidates.find((k) => k.id === id);
    if (!claimPart || !key) return { problem: key ? 'malformed' : 'bad-signature' };
    if (!sameMac(mac, macOf(key.key, `${id}.${claimPart}`))) return { problem: 'bad-signature' };
    body = claimPart;
  } else if (parts.length === 2 && parts[0]) {
    // Made before tokens named their key: the MAC covers the claim alone.
    const [claimPart, mac] = parts as [string, string];
    if (!candidates.some((k) => sameMac(mac, macOf(k.key, claimPart)))) return { problem: 'bad-signature' };
    body = claimPart;
  } else {
    return { problem: 'malformed' };
  }
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
