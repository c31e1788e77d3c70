import { formatCount, formatMs, formatRatio } from '../format';
import type { DownstreamStats } from '../ports';
import { gradeAbove, round, worst } from './grade';
import { serviceMapLink, tracesLink } from './links';
import type { CheckParams } from './params';
import { untracedReason } from './tracing';
import type { CheckContext, CheckResult, StepStatus } from './types';

interface Judged {
  service: DownstreamStats;
  latencyMs: number | undefined;
  previousMs: number | undefined;
  ratio: number | undefined;
  status: StepStatus;
}

/** p95 when the source has a histogram, the average otherwise. */
function latencyOf(stats: DownstreamStats | undefined): number | undefined {
  return stats?.p95Ms ?? stats?.averageMs;
}

export async function downstreamLatencyCheck(
  ctx: CheckContext,
  params: CheckParams<'downstream-latency'>,
): Promise<CheckResult> {
  const { fn, window } = ctx;
  const links = [serviceMapLink(fn.region, window), tracesLink(fn.region, fn.name, window)];
  // The metrics (shared with the other steps, one request) are waited for only when the traces
  // have nothing to say: then they tell "nothing ran" from "not traced". Otherwise a slow
  // CloudWatch would hold this step up too.
  const noTraffic = async () => {
    const metrics = await ctx.evidence.metrics().catch(() => undefined);
    if (!metrics) return { quiet: false, invocations: undefined };
    return {
      quiet: metrics.current.invocations + metrics.current.throttles === 0,
      invocations: metrics.current.invocations,
    };
  };
  const quiet: CheckResult = {
    status: 'no-traffic',
    summary: `no invocations of ${fn.alias}, so no downstream calls`,
    evidence: {},
    links,
  };
  const untraced = untracedReason(fn);
  if (untraced) {
    if ((await noTraffic()).quiet) return quiet;
    return {
      status: 'unknown',
      summary: `not traced: ${untraced}`,
      reason: untraced,
      evidence: { tracingMode: fn.tracingMode ?? null },
      links,
    };
  }

  let graphs;
  try {
    graphs = await ctx.evidence.downstream();
  } catch (error) {
    // An account that traced nothing at all answers an empty graph (Unsupported): quiet, or not.
    if ((await noTraffic()).quiet) return quiet;
    throw error;
  }
  const { current } = graphs;
  const partial = current.partial;
  const graphEvidence = { tracingMode: fn.tracingMode ?? null, partialGraph: partial ?? null };
  if (!current.functionFound) {
    const traffic = await noTraffic();
    if (traffic.quiet) return quiet;
    const why = partial
      ? `${partial}, and ${fn.name} is not in the part read`
      : `the service graph has no node for ${fn.name}` +
        (traffic.invocations !== undefined ? ` although it ran ${formatCount(traffic.invocations)} times` : '');
    return {
      status: 'unknown',
      summary: `${partial ? 'partial service graph: ' : ''}${why}`,
      reason: why,
      evidence: { services: 0, ...graphEvidence },
      links,
    };
  }
  const note = partial ? ` · partial service graph: ${partial}` : '';
  if (current.services.length === 0) {
    return {
      status: 'ok',
      summary: `no downstream calls in the traces of this window${note}`,
      evidence: { services: 0, ...graphEvidence },
      links,
    };
  }

  const judged: Judged[] = current.services.map((service) => {
    const before = graphs.previous.services.find((p) => p.name === service.name && p.type === service.type);
    const latencyMs = latencyOf(service);
    const previousMs = before && before.requests >= params.minRequests ? latencyOf(before) : undefined;
    const ratio =
      latencyMs !== undefined && previousMs !== undefined && previousMs > 0 ? latencyMs / previousMs : undefined;
    const enough = service.requests >= params.minRequests;
    const status = enough
      ? worst(gradeAbove(latencyMs, params.thresholds.p95Ms), gradeAbove(ratio, params.thresholds.slowdownRatio))
      : 'ok';
    return { service, latencyMs, previousMs, ratio, status };
  });
  judged.sort((a, b) => (b.latencyMs ?? -1) - (a.latencyMs ?? -1));
  const status = worst(...judged.map((j) => j.status));
  const slowest = judged[0]!;
  const culprit = judged.find((j) => j.status === status) ?? slowest;

  return {
    status,
    summary: judged.slice(0, 3).map(describe).join(' · ') + note,
    headline:
      `${culprit.service.name} is slow: ${statName(culprit.service)} ${formatMs(culprit.latencyMs ?? 0)}` +
      (culprit.ratio !== undefined ? ` (${formatRatio(culprit.ratio)} vs the previous window)` : ''),
    evidence: {
      services: judged.length,
      slowest: culprit.service.name,
      slowestLatencyMs: culprit.latencyMs === undefined ? null : Math.round(culprit.latencyMs),
      slowestPreviousMs: culprit.previousMs === undefined ? null : Math.round(culprit.previousMs),
      slowdownRatio: culprit.ratio === undefined ? null : round(culprit.ratio),
      downstream: judged.map(
        (j) =>
          `${j.service.name} ${statName(j.service)} ${j.latencyMs === undefined ? '?' : Math.round(j.latencyMs)} ms`,
      ),
      ...graphEvidence,
    },
    links,
  };
}

function statName(stats: DownstreamStats): string {
  return stats.p95Ms !== undefined ? 'p95' : 'avg';
}

function describe(j: Judged): string {
  const now = j.latencyMs === undefined ? 'latency unknown' : `${statName(j.service)} ${formatMs(j.latencyMs)}`;
  const before = j.previousMs !== undefined ? ` (prev. ${formatMs(j.previousMs)})` : '';
  return `${j.service.name} ${now}${before}`;
}
