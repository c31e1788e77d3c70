/**
 * One diagnosis through the real engine (`diagnose`) and the real AWS adapters, over clients whose
 * commands wait a simulated latency: wall time against the slowest single call chain, the requests
 * it sends, and how it polls Logs Insights.
 */
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { diagnose } from '../src/runbook/engine';
import { loadRunbook } from '../src/runbook/loader';
import type { Report } from '../src/runbook/report';
import { functionName, SimulatedAws, type LatencyTable } from './aws-sim';
import { baselineOf, nowMs, result, sleep, summarize, type BenchResult } from './stats';

const HOUR = 3_600_000;

/** The call chains of one diagnosis, from the simulated latencies: each step waits for the one before. */
export function diagnosisChains(latency: (operation: string) => number, queryRunsMs: number): Record<string, number> {
  // GetAlias (the alias's weights) is sent beside GetFunction: the first step ends with the slower.
  const getFunction = Math.max(latency('Lambda:GetFunction'), latency('Lambda:GetAlias'));
  // The one GetMetricData carries the SQS source's age and depth, so it waits for the mappings.
  const metrics = latency('Lambda:ListEventSourceMappings') + latency('CloudWatch:GetMetricData');
  return {
    'GetFunction → StartQuery → GetQueryResults (Complete)': getFunction + queryRunsMs,
    // One page of summaries: the adapter reads a second only when the first is thin.
    'GetFunction → ListEventSourceMappings → GetMetricData → GetTraceSummaries → BatchGetTraces':
      getFunction + metrics + latency('XRay:GetTraceSummaries') + latency('XRay:BatchGetTraces'),
    'GetFunction → ListEventSourceMappings → GetMetricData → GetAccountSettings':
      getFunction + metrics + latency('Lambda:GetAccountSettings'),
    'GetFunction → ListEventSourceMappings → GetQueueAttributes ×2':
      getFunction + latency('Lambda:ListEventSourceMappings') + 2 * latency('SQS:GetQueueAttributes'),
    // The deployment's versions come from its target, one request after its details.
    'GetFunction → ListDeployments → BatchGetDeployments → BatchGetDeploymentTargets':
      getFunction +
      latency('CodeDeploy:ListDeployments') +
      latency('CodeDeploy:BatchGetDeployments') +
      latency('CodeDeploy:BatchGetDeploymentTargets'),
    'GetFunction → GetServiceGraph (both windows at once)': getFunction + latency('XRay:GetServiceGraph'),
  };
}

/**
 * Exactly the slowest chain, sent through the same stubbed clients: GetFunction, StartQuery, then
 * one GetQueryResults timed to answer the moment the query completes (a poller that knew when).
 */
async function slowestChain(sim: SimulatedAws): Promise<number> {
  const started = nowMs();
  await sim.clients.lambda.send(new GetFunctionCommand({ FunctionName: functionName, Qualifier: 'live' }));
  const { queryId } = await sim.clients.logs.send(
    new StartQueryCommand({ logGroupName: `/aws/lambda/${functionName}`, startTime: 0, endTime: 1, queryString: '' }),
  );
  // Timers may fire up to a millisecond early; land 2 ms after completion, and ask again if early.
  const pollAt = sim.queryCompletesAt(queryId!) - sim.latencyOf('CloudWatchLogs:GetQueryResults') + 2;
  await sleep(Math.max(0, pollAt - nowMs()));
  for (let polls = 0; polls < 3; polls++) {
    const out = await sim.clients.logs.send(new GetQueryResultsCommand({ queryId }));
    if (out.status === 'Complete') return nowMs() - started;
  }
  throw new Error('the baseline chain found the query still running');
}

export interface DiagnosisOptions {
  runs: number;
  latency?: LatencyTable;
  /** Logs Insights query durations to run once each besides the 2 s of the target, to show how the figure depends on it. */
  otherQueryDurationsMs?: number[];
}

/** One warm diagnosis per query duration: its wall time against the computed chain. */
async function queryDurationSensitivity(durations: number[], latency: LatencyTable | undefined) {
  const runbook = await loadRunbook();
  const rows: { queryRunsMs: number; wallMs: number; chainMs: number; ratio: number; polls: number }[] = [];
  for (const queryRunsMs of durations) {
    const sim = new SimulatedAws({ latency, queryRunsMs });
    try {
      const sources = sim.sources();
      const run = async () => {
        sim.reset();
        const started = nowMs();
        await diagnose({ sources, runbook, functionName, windowMs: HOUR, deadlineMs: 20_000 });
        return nowMs() - started;
      };
      await run();
      const wallMs = Math.round(await run());
      const chainMs = Math.max(...Object.values(diagnosisChains((op) => sim.latencyOf(op), queryRunsMs)));
      const polls = sim.counts()['CloudWatchLogs:GetQueryResults'] ?? 0;
      rows.push({ queryRunsMs, wallMs, chainMs, ratio: Number((wallMs / chainMs).toFixed(2)), polls });
    } finally {
      sim.destroy();
    }
  }
  return rows;
}

export async function benchDiagnosis(options: DiagnosisOptions): Promise<BenchResult[]> {
  const sim = new SimulatedAws({ latency: options.latency });
  try {
    const sources = sim.sources();
    const runbook = await loadRunbook();
    const once = async () => {
      sim.reset();
      const started = nowMs();
      const report = await diagnose({ sources, runbook, functionName, windowMs: HOUR, deadlineMs: 20_000 });
      const wall = nowMs() - started;
      const polls = sim.counts()['CloudWatchLogs:GetQueryResults'] ?? 0;
      const startQuery = sim.sentTimes('CloudWatchLogs:StartQuery')[0] ?? 0;
      const pollOffsets = sim.sentTimes('CloudWatchLogs:GetQueryResults').map((t) => Math.round(t - startQuery));
      return { wall, report, counts: sim.counts(), polls, pollOffsets, pollGaps: pollGaps(pollOffsets) };
    };

    await once(); // warm-up: module and JIT warm, as in a warm worker
    await slowestChain(sim);

    const walls: number[] = [];
    const chain: number[] = [];
    let last: Awaited<ReturnType<typeof once>> | undefined;
    const requests: number[] = [];
    const polls: number[] = [];
    const metricCalls: number[] = [];
    const startQueries: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      // Interleaved, alternating which goes first, so drift on the machine hits both alike.
      if (i % 2 === 0) chain.push(await slowestChain(sim));
      last = await once();
      if (i % 2 === 1) chain.push(await slowestChain(sim));
      walls.push(last.wall);
      requests.push(countExceptPolls(last.counts));
      polls.push(last.polls);
      metricCalls.push(last.counts['CloudWatch:GetMetricData'] ?? 0);
      startQueries.push(last.counts['CloudWatchLogs:StartQuery'] ?? 0);
    }
    const metricQueryIds = sim.lastMetricQueryIds();
    if (!last) throw new Error('no runs');
    const report = last.report;
    assertComplete(report);

    const sensitivity = await queryDurationSensitivity(options.otherQueryDurationsMs ?? [], options.latency);
    const canary = await canaryDiagnosis(options.latency);
    const chains = diagnosisChains((op) => sim.latencyOf(op), sim.queryRunsMs);
    const computed = Math.max(...Object.values(chains));
    const wall = summarize(walls);
    const baseline = baselineOf('slowest simulated call chain, measured', chain);
    const allowed = 1.15 * baseline.median + 100;

    const requestSummary = summarize(requests);
    const pollSummary = summarize(polls);
    const gaps = last.pollGaps;
    const backsOff = gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1]! - 5);
    return [
      result({
        name: 'diagnosis wall time',
        unit: 'ms',
        measured: wall,
        baseline,
        target: '≤ 1.15 × chain + 100 ms',
        pass: wall.median <= allowed,
        details: {
          allowedMs: Math.round(allowed),
          computedChainMs: computed,
          chainsMs: chains,
          latencyMs: sim.latency,
          queryRunsMs: sim.queryRunsMs,
          otherQueryDurations: sensitivity,
          stepStatuses: Object.fromEntries(report.steps.map((s) => [s.id, s.status])),
        },
      }),
      result({
        name: 'AWS requests per diagnosis (no polls)',
        unit: 'requests',
        measured: requestSummary,
        baseline: null,
        // The worst case on purpose: each request answers a question no other does (the table in
        // docs/performance.md); a 19th would be a question asked twice.
        target: '≤ 18 (each named in docs/performance.md), GetMetricData = 1',
        pass: requestSummary.max <= 18 && metricCalls.every((n) => n === 1),
        details: { requests: withoutPolls(last.counts) },
      }),
      result({
        name: 'GetMetricData per diagnosis, canary included',
        unit: 'requests',
        measured: summarize([...metricCalls, canary.metricCalls]),
        baseline: null,
        target: '= 1 (per-version queries ride in the same request)',
        pass: metricCalls.every((n) => n === 1) && canary.metricCalls === 1,
        details: {
          canaryQueries: canary.queries,
          canaryRequests: withoutPolls(canary.counts),
          canaryRecentDeploy: canary.recentDeploy,
        },
      }),
      result({
        name: 'StartQuery per diagnosis (cold starts, memory and crashes)',
        unit: 'requests',
        measured: summarize(startQueries),
        baseline: null,
        target: '= 1 (memory and crashes ride in the cold-start query)',
        pass: startQueries.every((n) => n === 1),
        details: {
          steps: Object.fromEntries(
            report.steps
              .filter((s) => ['memory-crashes', 'event-source-lag', 'timeouts'].includes(s.id))
              .map((s) => [s.id, s.summary]),
          ),
          // The SQS source's age and depth (x0, x1) in the one GetMetricData.
          metricQueryIds,
        },
      }),
      result({
        name: 'Logs Insights polls per diagnosis',
        unit: 'polls',
        measured: pollSummary,
        baseline: null,
        target: '≤ 10, with backoff',
        pass: pollSummary.max <= 10 && backsOff,
        details: {
          pollSentAfterStartQueryMs: last.pollOffsets,
          gapsMs: gaps,
          queryCompletesAfterMs: sim.queryRunsMs,
        },
      }),
    ];
  } finally {
    sim.destroy();
  }
}

/**
 * One diagnosis of the same function during a canary (v42 stable, 10% on v43): the per-version
 * errors and p99 must come from the one GetMetricData, not from a request of their own.
 */
async function canaryDiagnosis(latency: LatencyTable | undefined) {
  const sim = new SimulatedAws({ latency, canary: true });
  try {
    const runbook = await loadRunbook();
    sim.reset();
    const report = await diagnose({
      sources: sim.sources(),
      runbook,
      functionName,
      windowMs: HOUR,
      deadlineMs: 20_000,
    });
    const counts = sim.counts();
    return {
      counts,
      metricCalls: counts['CloudWatch:GetMetricData'] ?? 0,
      queries: sim.lastMetricQueryIds(),
      recentDeploy: report.steps.find((s) => s.id === 'recent-deploy')?.summary,
    };
  } finally {
    sim.destroy();
  }
}

/** Time between one poll and the next; the first is measured from StartQuery. */
function pollGaps(offsets: number[]): number[] {
  return offsets.map((t, i) => t - (offsets[i - 1] ?? 0));
}

function withoutPolls(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([op]) => op !== 'CloudWatchLogs:GetQueryResults'));
}

function countExceptPolls(counts: Record<string, number>): number {
  return Object.values(withoutPolls(counts)).reduce((a, b) => a + b, 0);
}

/** A benchmark of a diagnosis that silently failed half its steps would measure nothing useful. */
function assertComplete(report: Report): void {
  const unknown = report.steps.filter((s) => s.status === 'unknown');
  if (unknown.length > 0 || report.incomplete) {
    throw new Error(
      `the simulated diagnosis did not complete: ${unknown.map((s) => `${s.id}: ${s.reason}`).join('; ')} ${report.incomplete ?? ''}`,
    );
  }
}
