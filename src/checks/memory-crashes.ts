import { formatCount, formatPercent, plural } from '../format';
import type { CrashKind, FunctionInfo, InvocationLogStats } from '../ports';
import { unreadableFormat } from './cold-starts';
import { gradeAbove, percentOf, round, worst } from './grade';
import { logsInsightsLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult, EvidenceValue, Link } from './types';

/**
 * How invocations end and how close they run to their memory, from the one Logs Insights query:
 * Max Memory Used against Memory Size, timeouts, out-of-memory kills and Go panics, each counted
 * with a share of invocations and three request IDs; and whether GOMEMLIMIT lets the Go garbage
 * collector work before the sandbox kills the process (it should be set, below the memory size
 * minus some headroom for what is not Go heap).
 */
export async function memoryCrashesCheck(
  ctx: CheckContext,
  params: CheckParams<'memory-crashes'>,
): Promise<CheckResult> {
  const { fn, window } = ctx;
  const limit = goMemLimitFinding(fn, params.goMemLimitHeadroomPercent);
  const unreadable = unreadableFormat(fn);
  if (unreadable) {
    return {
      status: 'unknown',
      summary: `cannot read memory use: ${unreadable}`,
      reason: unreadable,
      evidence: { logFormat: fn.logFormat ?? null, ...limit.evidence },
      links: [],
    };
  }
  const logs = await ctx.evidence.invocationLogs();
  const { memory, crashes } = logs;
  const invocations = logs.current.invocations;
  const links: Link[] = [logsInsightsLink(fn.region, fn.logGroup, logs.queryString, window)];
  const crashIds = [...crashes.timeouts.requestIds, ...crashes.outOfMemory.requestIds, ...crashes.panics.requestIds];
  if (crashIds.length > 0) links.push(crashLogsLink(fn, crashIds, window));

  const sizeMb = memory.memorySizeMB ?? fn.memoryMb;
  const memoryPercent =
    memory.maxMemoryUsedMB !== undefined && sizeMb ? percentOf(memory.maxMemoryUsedMB, sizeMb) : undefined;
  const crashed = crashes.timeouts.count + crashes.outOfMemory.count + crashes.panics.count;
  const crashPercent = invocations > 0 ? percentOf(crashed, invocations) : crashed > 0 ? 100 : 0;

  const evidence: Record<string, EvidenceValue> = {
    invocations,
    maxMemoryUsedMB: memory.maxMemoryUsedMB ?? null,
    avgMemoryUsedMB: memory.avgMemoryUsedMB ?? null,
    memorySizeMB: sizeMb ?? null,
    memoryPercent: memoryPercent === undefined ? null : round(memoryPercent),
    timeouts: crashes.timeouts.count,
    timeoutRequestIds: crashes.timeouts.requestIds,
    outOfMemory: crashes.outOfMemory.count,
    outOfMemoryRequestIds: crashes.outOfMemory.requestIds,
    panics: crashes.panics.count,
    panicRequestIds: crashes.panics.requestIds,
    panicMessage: crashes.panics.message ?? null,
    panicTopFrame: crashes.panics.topFrame ?? null,
    crashPercent: round(crashPercent),
    ...limit.evidence,
  };

  if (invocations === 0 && crashed === 0) {
    const metrics = await ctx.evidence.metrics().catch(() => undefined);
    if (metrics && metrics.current.invocations + metrics.current.throttles === 0) {
      return { status: 'no-traffic', summary: `no invocations of ${fn.alias} in the window`, evidence, links };
    }
    const why = `${fn.logGroup} holds no REPORT line or platform.report record in the window`;
    return { status: 'unknown', summary: `cannot read memory use: ${why}`, reason: why, evidence, links };
  }

  const memoryStatus = gradeAbove(memoryPercent, params.thresholds.memoryPercent);
  const crashStatus = gradeAbove(crashed > 0 ? crashPercent : undefined, params.thresholds.crashPercent);
  // A GOMEMLIMIT problem is named always; it is a cause only while memory is tight or the sandbox kills.
  const limitStatus = limit.problem && (memoryStatus !== 'ok' || crashes.outOfMemory.count > 0) ? 'warn' : 'ok';
  const status = worst(memoryStatus, crashStatus, limitStatus);

  const parts: string[] = [];
  parts.push(
    memory.maxMemoryUsedMB !== undefined && sizeMb
      ? `max memory ${formatCount(memory.maxMemoryUsedMB)} of ${formatCount(sizeMb)} MB (${formatPercent(memoryPercent ?? 0)})` +
          (memory.avgMemoryUsedMB !== undefined ? `, avg ${formatCount(memory.avgMemoryUsedMB)} MB` : '')
      : 'max memory not reported',
  );
  parts.push(
    crashed === 0
      ? 'no timeouts, OOM kills or panics'
      : [
          crashPart('timed out', crashes.timeouts, invocations),
          crashPart('killed for memory', crashes.outOfMemory, invocations),
          crashPart('panicked', crashes.panics, invocations),
        ]
          .filter(Boolean)
          .join(' · '),
  );
  if (crashes.panics.count > 0 && crashes.panics.message) {
    parts.push(`panic: "${crashes.panics.message}"${crashes.panics.topFrame ? ` at ${crashes.panics.topFrame}` : ''}`);
  }
  if (limit.sentence) parts.push(limit.sentence);

  return {
    status,
    summary: parts.join(' · '),
    headline: headlineOf(crashes, invocations, memoryPercent, limit.sentence, memoryStatus),
    evidence,
    links,
  };
}

function crashPart(what: string, kind: CrashKind, invocations: number): string {
  if (kind.count === 0) return '';
  const share = invocations > 0 ? ` (${formatPercent(percentOf(kind.count, invocations))})` : '';
  const ids = kind.requestIds.length > 0 ? `: ${kind.requestIds.map(shortId).join(', ')}` : '';
  return `${formatCount(kind.count)} ${what}${share}${ids}`;
}

/** The first block of a request ID, as a person would quote it ("6d68ca91…"). */
function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

function headlineOf(
  crashes: InvocationLogStats['crashes'],
  invocations: number,
  memoryPercent: number | undefined,
  limitSentence: string | undefined,
  memoryStatus: string,
): string {
  const share = (n: number) => (invocations > 0 ? ` (${formatPercent(percentOf(n, invocations))})` : '');
  const worstKind = [
    {
      n: crashes.outOfMemory.count,
      text: (n: number) => `${plural(n, 'invocation')} killed for running out of memory${share(n)}`,
    },
    {
      n: crashes.panics.count,
      text: (n: number) =>
        `${plural(n, 'Go panic')}${share(n)}${crashes.panics.message ? `: "${crashes.panics.message}"` : ''}`,
    },
    { n: crashes.timeouts.count, text: (n: number) => `${plural(n, 'invocation')} timed out${share(n)}` },
  ].sort((a, b) => b.n - a.n)[0];
  if (worstKind && worstKind.n > 0) return worstKind.text(worstKind.n);
  if (memoryStatus !== 'ok' && memoryPercent !== undefined) {
    return `invocations use up to ${formatPercent(memoryPercent)} of their memory${limitSentence ? `; ${limitSentence}` : ''}`;
  }
  return limitSentence ?? 'memory use is close to the memory size';
}

interface LimitFinding {
  /** True when GOMEMLIMIT is missing, unparsable, or above memory size minus headroom. */
  problem: boolean;
  sentence: string | undefined;
  evidence: Record<string, EvidenceValue>;
}

/** GOMEMLIMIT against the memory size; only the verdict is kept, never the value. */
function goMemLimitFinding(fn: FunctionInfo, headroomPercent: number): LimitFinding {
  const limit = fn.goMemLimit;
  const sizeMb = fn.memoryMb;
  const ceilingBytes = sizeMb ? sizeMb * 1024 * 1024 * (1 - headroomPercent / 100) : undefined;
  const evidence = (state: string, ok: boolean | null): Record<string, EvidenceValue> => ({
    goMemLimit: state,
    goMemLimitOk: ok,
  });
  if (!limit) return { problem: false, sentence: undefined, evidence: evidence('not read', null) };
  switch (limit.state) {
    case 'unreadable':
      return {
        problem: false,
        sentence: `GOMEMLIMIT unknown: ${limit.reason}`,
        evidence: evidence('unreadable', null),
      };
    case 'unset':
      return {
        problem: true,
        sentence: `GOMEMLIMIT is not set (set it to about ${100 - headroomPercent}% of the memory size)`,
        evidence: evidence('unset', false),
      };
    case 'unparsable':
      return {
        problem: true,
        sentence: 'GOMEMLIMIT is set to something the Go runtime refuses',
        evidence: evidence('unparsable', false),
      };
    case 'set': {
      if (ceilingBytes === undefined) return { problem: false, sentence: undefined, evidence: evidence('set', null) };
      const ok = limit.bytes <= ceilingBytes;
      return {
        problem: !ok,
        sentence: ok ? undefined : `GOMEMLIMIT is above the memory size less ${headroomPercent}% headroom`,
        evidence: evidence('set', ok),
      };
    }
  }
}

/** A Logs Insights query showing every line of the sampled crashed invocations. */
function crashLogsLink(fn: FunctionInfo, requestIds: string[], window: CheckContext['window']): Link {
  const ids = [...new Set(requestIds)].map((id) => id.replace(/[^0-9A-Za-z-]/g, ''));
  const query = `fields @timestamp, @requestId, @message | filter @message like /${ids.join('|')}/ | sort @timestamp asc`;
  return { ...logsInsightsLink(fn.region, fn.logGroup, query, window), label: 'crash logs' };
}
