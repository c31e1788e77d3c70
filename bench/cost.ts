/**
 * `gofn cost` over 1,000 managed functions through the real adapters with simulated latency: one
 * batched read of each kind per account and region — tag pages, ListFunctions pages, ⌈queries ÷
 * 500⌉ GetMetricData, one Logs Insights query per 50 log groups, one service graph, one Compute
 * Optimizer and one Cost Explorer request — and no request per function but the provisioned
 * concurrency configuration of the functions that served requests from it.
 */
import { COST_QUERIES_PER_FUNCTION } from '../src/ports';
import { costReport } from '../src/cost/collect';
import { LOG_GROUPS_PER_QUERY } from '../src/memory-query';
import { SimulatedAws } from './aws-sim';
import { baselineOf, nowMs, result, summarize, type BenchResult } from './stats';

/** Operations sent once per function would be round trips per function; only these may be. */
const PER_FUNCTION_ALLOWED = new Set(['Lambda:ListProvisionedConcurrencyConfigs']);

export async function benchCost(options: { size: number; runs: number }): Promise<BenchResult[]> {
  const provisionedEvery = 100;
  const sim = new SimulatedAws({ fleetSize: options.size, provisionedEvery, queryRunsMs: 2000 });
  try {
    const sources = sim.sources();
    const once = async () => {
      sim.reset();
      const started = nowMs();
      const report = await costReport({ sources, selection: { kind: 'all' }, deadlineMs: 120_000 });
      const wall = nowMs() - started;
      if (report.functions.length !== options.size) {
        throw new Error(
          `priced ${report.functions.length} of ${options.size} functions: ${JSON.stringify(report.unpriced[0])}`,
        );
      }
      return { wall, counts: sim.counts(), report };
    };

    await once();
    const walls: number[] = [];
    let last: Awaited<ReturnType<typeof once>> | undefined;
    for (let i = 0; i < options.runs; i++) {
      last = await once();
      walls.push(last.wall);
    }
    if (!last) throw new Error('no runs');

    const counts = last.counts;
    const expected = {
      'CloudWatch:GetMetricData': Math.ceil((options.size * COST_QUERIES_PER_FUNCTION) / 500),
      'CloudWatchLogs:StartQuery': Math.ceil(options.size / LOG_GROUPS_PER_QUERY),
      'Lambda:ListFunctions': Math.ceil(options.size / 50),
      'ResourceGroupsTaggingAPI:GetResources': Math.ceil(options.size / 100),
      'XRay:GetServiceGraph': 1,
      'ComputeOptimizer:GetLambdaFunctionRecommendations': 1,
      'CostExplorer:GetCostAndUsage': 1,
      'Lambda:ListProvisionedConcurrencyConfigs': Math.ceil(options.size / provisionedEvery),
    };
    const mismatched = Object.entries(expected).filter(([op, n]) => (counts[op] ?? 0) !== n);
    const perFunction = Object.entries(counts).filter(
      ([op, n]) => n >= options.size && !PER_FUNCTION_ALLOWED.has(op) && op !== 'CloudWatchLogs:GetQueryResults',
    );
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    // The chains no batching removes: the tag pages beside the ListFunctions pages (which start
    // after the first tag page), a GetMetricData round, then the Insights queries, 10 at a time,
    // each StartQuery, the query's run and the poll that finds it complete.
    const tagChain =
      expected['ResourceGroupsTaggingAPI:GetResources'] * sim.latencyOf('ResourceGroupsTaggingAPI:GetResources');
    const configChain =
      sim.latencyOf('ResourceGroupsTaggingAPI:GetResources') +
      expected['Lambda:ListFunctions'] * sim.latencyOf('Lambda:ListFunctions');
    const insightsRounds = Math.ceil(expected['CloudWatchLogs:StartQuery'] / 10);
    const computedChainMs =
      Math.max(tagChain, configChain) +
      sim.latencyOf('CloudWatch:GetMetricData') +
      insightsRounds *
        (sim.latencyOf('CloudWatchLogs:StartQuery') +
          sim.queryRunsMs +
          sim.latencyOf('CloudWatchLogs:GetQueryResults'));
    const measured = summarize(walls);
    return [
      result({
        name: `gofn cost, ${options.size.toLocaleString('en-US')} functions`,
        unit: 'ms',
        measured,
        baseline: baselineOf('computed chain: listings side by side, 1 GetMetricData, Insights rounds', [
          computedChainMs,
        ]),
        target:
          `${expected['CloudWatch:GetMetricData']} GetMetricData (⌈queries ÷ 500⌉), ${expected['CloudWatchLogs:StartQuery']} Insights queries (⌈log groups ÷ 50⌉), ` +
          'one batched read of each other kind, no request per function; ≤ 1.25 × chain',
        pass: mismatched.length === 0 && perFunction.length === 0 && measured.median <= 1.25 * computedChainMs,
        details: {
          requests: counts,
          totalRequests: total,
          expected,
          mismatched: Object.fromEntries(mismatched.map(([op, n]) => [op, { expected: n, sent: counts[op] ?? 0 }])),
          sentOncePerFunctionOrMore: Object.fromEntries(perFunction),
          getMetricDataPeakInFlight: sim.peakInFlight('CloudWatch:GetMetricData'),
          startQueryPeakInFlight: sim.peakInFlight('CloudWatchLogs:StartQuery'),
          monthlyTotalUsd: Math.round(last.report.total.month),
          computedChainMs,
        },
      }),
    ];
  } finally {
    sim.destroy();
  }
}
