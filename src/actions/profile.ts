import { gzipSync } from 'node:zlib';
import { PROFILE_BUCKET_TAG, PROFILE_PARAMETER_TAG } from '../checks/profile';
import { ErrorCode, GofnError } from '../errors';
import { formatClock, formatCount, formatVersion, plural } from '../format';
import type { FunctionInfo, ProfilePorts } from '../ports';
import { decodeProfile, mergeProfiles, summarize, type FunctionCost, type ProfileSummary } from './profile-merge';
import type { ActionDeps, ActionRequest, Plan } from './types';

type ProfilePlan = Extract<Plan, { kind: 'profile' }>;

/** Where the workloads put profiles: <prefix>/<function>/<version>/<instance>/<time>-<session>-cpu.pb.gz. */
export const PROFILE_PREFIX = 'profiles';

export const DEFAULT_PROFILE_SECONDS = 30;
const MIN_SECONDS = 5;
/** The workloads' own bound on one recording (internal/profiling.MaxSeconds). */
const MAX_SECONDS = 300;
const DEFAULT_FLAG_TTL_SECONDS = 30;
const DEFAULT_UPLOAD_GRACE_SECONDS = 5;
/** Kept from the invocation's time for collecting, merging and reporting after the wait. */
const COLLECT_RESERVE_MS = 10_000;
/** More instances than this are sampled: the merged profile is already representative. */
const MAX_INSTANCES = 50;

/** What the workloads read: `off`, or which version records until when, for how long, under which session. */
export interface ProfileFlag {
  version: string;
  until: string;
  seconds: number;
  session: string;
}

/** The flag's value, if it is on (as internal/profiling.ParseFlag reads it). */
export function parseProfileFlag(raw: string | undefined): ProfileFlag | undefined {
  if (!raw || raw.trim() === 'off') return undefined;
  try {
    const flag = JSON.parse(raw) as Partial<ProfileFlag>;
    if (typeof flag.version === 'string' && typeof flag.until === 'string' && typeof flag.session === 'string') {
      return { version: flag.version, until: flag.until, seconds: Number(flag.seconds), session: flag.session };
    }
  } catch {
    // not ours: treated as off, and overwritten by the next request
  }
  return undefined;
}

function refuse(message: string): GofnError {
  return new GofnError(ErrorCode.Forbidden, message, { hint: 'Nothing was changed.' });
}

/** The session of a request: its idempotency key, as the workloads accept it in object keys. */
export function sessionOf(requestId: string): string {
  return `p-${requestId.replace(/[^A-Za-z0-9-]+/g, '-')}`.slice(0, 64);
}

/**
 * Plans a profile: which version, for how long, with the function's flag parameter and bucket.
 * Refuses a function that is not set up for profiling, and a second profile while one is on.
 */
export async function planProfile(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<ProfilePlan> {
  const ports = deps.control.profiles;
  if (!ports)
    throw refuse(`Profiling needs the functions' flag parameter and bucket, which a simulated fleet has not.`);
  const parameter = fn.tags[PROFILE_PARAMETER_TAG];
  const bucket = fn.tags[PROFILE_BUCKET_TAG];
  if (!parameter || !bucket) {
    throw refuse(
      `${fn.name} is not set up for profiling: it has no ${PROFILE_PARAMETER_TAG} and ${PROFILE_BUCKET_TAG} tags naming its flag parameter and bucket (see docs/profiling.md).`,
    );
  }
  const seconds = request.expected.seconds ?? DEFAULT_PROFILE_SECONDS;
  if (!Number.isInteger(seconds) || seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `Profile for a whole number of seconds from ${MIN_SECONDS} to ${MAX_SECONDS}, not ${String(seconds)}.`,
    );
  }
  const version = request.expected.version ?? fn.version ?? '$LATEST';
  const session = sessionOf(request.requestId);
  const current = parseProfileFlag(await ports.flags.read(parameter, deps.call));
  const now = deps.now?.() ?? new Date();
  if (current && current.session !== session && new Date(current.until) > now) {
    throw new GofnError(
      ErrorCode.Conflict,
      `${fn.name} is being profiled already: ${formatVersion(current.version)} until ${formatClock(new Date(current.until))} UTC (session ${current.session}).`,
      { hint: 'Nothing was changed; its profile is collected when that session ends.' },
    );
  }
  return {
    kind: 'profile',
    functionName: fn.name,
    alias: request.alias,
    version,
    seconds,
    parameter,
    bucket,
    session,
    sentence: `${fn.name}: record CPU on the warm instances of ${formatVersion(version)} for ${seconds} s each, then merge their profiles`,
  };
}

export interface ProfileResult {
  done: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * Turns the flag on for the plan's version, waits while the warm instances record across the
 * invocations they serve (each notices within the flag's cache time, then records for the
 * plan's seconds), turns it off, and merges what they uploaded.
 */
export async function runProfile(plan: ProfilePlan, deps: ActionDeps): Promise<ProfileResult> {
  const ports = deps.control.profiles!;
  const now = () => deps.now?.() ?? new Date();
  const ttl = deps.settings.profiling?.flagTtlSeconds ?? DEFAULT_FLAG_TTL_SECONDS;
  const grace = deps.settings.profiling?.uploadGraceSeconds ?? DEFAULT_UPLOAD_GRACE_SECONDS;
  const before = await ports.flags.read(plan.parameter, deps.call);
  // Every instance reads the flag within ttl, then records for the plan's seconds.
  const until = new Date(now().getTime() + (ttl + plan.seconds) * 1000);
  const value = JSON.stringify({
    version: plan.version,
    until: until.toISOString(),
    seconds: plan.seconds,
    session: plan.session,
  });
  await ports.flags.write(plan.parameter, value, deps.call);
  const readBack = await ports.flags.read(plan.parameter, deps.call);
  if (readBack !== value) {
    throw new GofnError(ErrorCode.Upstream, `The profiling flag was written but reads back as ${String(readBack)}.`, {
      hint: 'Check the parameter before trying again.',
    });
  }

  let waitUntil = until.getTime() + grace * 1000;
  const left = deps.timeLeftMs?.();
  const cutShort = left !== undefined && now().getTime() + left - COLLECT_RESERVE_MS < waitUntil;
  if (cutShort) waitUntil = now().getTime() + Math.max(0, left - COLLECT_RESERVE_MS);
  await deps.onProgress?.(
    `recording CPU on the warm instances of ${plan.functionName} ${formatVersion(plan.version)} until ${formatClock(until)} UTC; the merged profile follows`,
  );
  await sleep(waitUntil - now().getTime(), deps.call?.signal);

  // Off again, unless someone else's request took the flag over meanwhile.
  if ((await ports.flags.read(plan.parameter, deps.call)) === value) {
    await ports.flags.write(plan.parameter, 'off', deps.call);
  }
  const collected = await collectProfiles(ports, plan, deps);
  const after: Record<string, unknown> = { flag: 'off', ...collected.record };
  if (!collected.summary) {
    return {
      done:
        `profiled ${plan.functionName} ${formatVersion(plan.version)} for ${plan.seconds} s: no warm instance served an ` +
        `invocation while the flag was on, so there is no profile` +
        (cutShort ? ` yet (gofn profile ${plan.functionName} --session ${plan.session} collects later uploads)` : ''),
      before: { flag: before ?? null },
      after,
    };
  }
  return {
    done: profiledSentence(plan, collected.instances, collected.summary, collected.mergedKey, cutShort),
    before: { flag: before ?? null },
    after,
  };
}

interface Collected {
  instances: number;
  summary: ProfileSummary | undefined;
  mergedKey: string | undefined;
  /** For the audit record and the CLI: numbers and the top functions, never the profile itself. */
  record: Record<string, unknown>;
}

/** Every instance's CPU profile of the plan's session, merged into one stored next to them. */
export async function collectProfiles(
  ports: ProfilePorts,
  plan: Pick<ProfilePlan, 'functionName' | 'version' | 'bucket' | 'session' | 'seconds'>,
  deps: Pick<ActionDeps, 'call'>,
): Promise<Collected> {
  const prefix = `${PROFILE_PREFIX}/${plan.functionName}/${plan.version}/`;
  const listed = await ports.store.list(plan.bucket, prefix, deps.call);
  const cpu = listed.filter((o) => o.key.endsWith(`-${plan.session}-cpu.pb.gz`) && !o.key.includes('/merged/'));
  const heap = listed.filter((o) => o.key.endsWith(`-${plan.session}-heap.pb.gz`));
  const chosen = cpu.slice(0, MAX_INSTANCES);
  if (chosen.length === 0) {
    return { instances: 0, summary: undefined, mergedKey: undefined, record: { instances: 0, samples: 0 } };
  }
  const profiles = await Promise.all(
    chosen.map(async (o) => decodeProfile((await ports.store.get(plan.bucket, o.key, deps.call)).body, o.key)),
  );
  const merged = mergeProfiles(profiles);
  const summary = summarize(merged, 10);
  const mergedKey = `${prefix}merged/${plan.session}-cpu.pb.gz`;
  await ports.store.put(plan.bucket, mergedKey, gzipSync(merged.encode()), deps.call);
  const row = (c: FunctionCost) => ({
    function: c.function,
    flatPercent: round1(c.flatPercent),
    cumPercent: round1(c.cumPercent),
  });
  return {
    instances: chosen.length,
    summary,
    mergedKey,
    record: {
      instances: chosen.length,
      instancesSeen: cpu.length,
      heapProfiles: heap.length,
      samples: summary.samples,
      cpuSeconds: round1(summary.total / 1e9),
      byFlat: summary.byFlat.map(row),
      byCum: summary.byCum.map(row),
      merged: `s3://${plan.bucket}/${mergedKey}`,
      command: `go tool pprof -top ${localProfileName(plan)}`,
    },
  };
}

/** The file name the CLI saves the merged profile as. */
export function localProfileName(plan: Pick<ProfilePlan, 'functionName' | 'version' | 'session'>): string {
  return `${plan.functionName}-${formatVersion(plan.version).replace(/[^A-Za-z0-9.-]/g, '')}-${plan.session}.pb.gz`;
}

function profiledSentence(
  plan: ProfilePlan,
  instances: number,
  s: ProfileSummary,
  mergedKey: string | undefined,
  cutShort: boolean,
): string {
  const flat = s.byFlat[0];
  const cum = s.byCum.find((c) => c.function !== flat?.function && c.cumPercent < 100) ?? s.byCum[0];
  const top = [
    flat ? `${flat.function} ${Math.round(flat.flatPercent)}% flat` : undefined,
    cum ? `${cum.function} ${Math.round(cum.cumPercent)}% cumulative` : undefined,
  ].filter(Boolean);
  return (
    `profiled ${plan.functionName} ${formatVersion(plan.version)}: ${formatCount(s.samples)} CPU samples across ` +
    `${plural(instances, 'warm instance')} in ${plan.seconds} s` +
    (top.length ? `; top ${top.join(', ')}` : '') +
    (mergedKey ? `; merged profile s3://${plan.bucket}/${mergedKey}` : '') +
    (cutShort
      ? ` (collected early to finish in time; gofn profile ${plan.functionName} --session ${plan.session} merges later uploads)`
      : '')
  );
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Resolves after ms, or rejects as soon as signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(
        new GofnError(ErrorCode.Timeout, 'Profiling was stopped: the deadline passed.', { cause: signal?.reason }),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
