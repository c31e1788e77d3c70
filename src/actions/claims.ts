import type { CallOptions, RecordStore } from '../ports';

/**
 * Exactly-once work over the record store. A claim is a lease: the first worker to create it
 * runs the work; a duplicate delivery finds it and stops; a delivery that arrives after a
 * worker died mid-job (lease expired, never marked done) takes it over, so nothing is lost.
 *
 * A claim also names its holder: the Lambda request ID of the invocation that took it. Lambda
 * retries a failed asynchronous invocation with the same request ID (AWS Knowledge Center, "How
 * do I prevent duplicate Lambda function invocations?"), and only after that attempt ended, so a
 * delivery holding the same ID as a running claim is the retry of an invocation that died: it
 * takes the claim over at once, however long the dead one's lease still had to run.
 */
export type ClaimOutcome = 'claimed' | 'running-elsewhere' | 'done';

export interface Claim {
  key: string;
  version: number;
  /** On a takeover: what the worker that held the claim before had noted (see noteOnClaim). */
  previous?: Record<string, unknown>;
  /** The holder's invocation (Lambda request ID), when known. */
  holder?: string | undefined;
}

const PK = (key: string) => `claim#${key}`;
const SK = 'claim';

export async function claimWork(
  store: RecordStore,
  key: string,
  options: { leaseSeconds: number; keepSeconds: number; nowMs?: number; holder?: string | undefined },
  opts?: CallOptions,
): Promise<{ outcome: ClaimOutcome; claim?: Claim }> {
  const now = options.nowMs ?? Date.now();
  const holder = options.holder;
  const data = { state: 'running', leaseUntil: now + options.leaseSeconds * 1000, ...(holder ? { holder } : {}) };
  const expiresAt = Math.floor(now / 1000) + options.keepSeconds;
  if (await store.create({ pk: PK(key), sk: SK, expiresAt, data }, opts)) {
    return { outcome: 'claimed', claim: { key, version: 1, holder } };
  }
  const existing = await store.get(PK(key), SK, opts);
  if (!existing) return claimWork(store, key, options, opts);
  if (existing.data.state === 'done') return { outcome: 'done' };
  const retryOfHolder = holder !== undefined && existing.data.holder === holder;
  if (Number(existing.data.leaseUntil) > now && !retryOfHolder) return { outcome: 'running-elsewhere' };
  // What the holder before noted stays with the claim, should this holder die as well.
  const taken = await store.updateIf(
    PK(key),
    SK,
    existing.version,
    { ...data, ...notesOf(existing.data) },
    expiresAt,
    opts,
  );
  return taken
    ? { outcome: 'claimed', claim: { key, version: existing.version + 1, previous: existing.data, holder } }
    : { outcome: 'running-elsewhere' };
}

/**
 * Notes what the holder is about to do, kept with the claim so that a worker taking it over
 * after a crash knows what may already have happened. Returns the claim at its new version, or
 * undefined when the lease was lost to another worker meanwhile.
 */
export async function noteOnClaim(
  store: RecordStore,
  claim: Claim,
  note: Record<string, unknown>,
  leaseUntilMs: number,
  opts?: CallOptions,
): Promise<Claim | undefined> {
  const noted = await store.updateIf(
    PK(claim.key),
    SK,
    claim.version,
    { state: 'running', leaseUntil: leaseUntilMs, ...(claim.holder ? { holder: claim.holder } : {}), ...note },
    undefined,
    opts,
  );
  return noted ? { key: claim.key, version: claim.version + 1, holder: claim.holder } : undefined;
}

export async function markDone(
  store: RecordStore,
  claim: Claim,
  result: Record<string, unknown> = {},
  opts?: CallOptions,
): Promise<void> {
  await store.updateIf(PK(claim.key), SK, claim.version, { state: 'done', ...result }, undefined, opts);
}

/**
 * Gives the claim back after a failure that is safe to retry, so the next delivery runs it,
 * keeping `notes` (what may already have happened) for whoever takes it next.
 */
export async function releaseClaim(
  store: RecordStore,
  claim: Claim,
  opts?: CallOptions,
  notes: Record<string, unknown> = {},
): Promise<void> {
  await store.updateIf(
    PK(claim.key),
    SK,
    claim.version,
    { state: 'running', leaseUntil: 0, ...notes },
    undefined,
    opts,
  );
}

/** The notes kept with a claim (see noteOnClaim), without its state. */
function notesOf(data: Record<string, unknown>): Record<string, unknown> {
  const { state: _state, leaseUntil: _leaseUntil, holder: _holder, ...notes } = data;
  return notes;
}

/** Whether the work under this key already finished, without claiming it. */
export async function isDone(store: RecordStore, key: string, opts?: CallOptions): Promise<boolean> {
  const existing = await store.get(PK(key), SK, opts);
  return existing?.data.state === 'done';
}
