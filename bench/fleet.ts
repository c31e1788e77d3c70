/**
 * The fleet overview (`fleetOverview`) of 1,000 managed functions over the real adapters with
 * simulated latency: tag pages of 100 one after another, GetMetricData batches of 500 queries.
 */
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { planFleetMetrics } from '../src/aws/fleet-metric-plan';
import { fleetQueriesFor, type FleetTarget } from '../src/ports';
import { fleetOverview } from '../src/runbook/fleet';
import { loadRunbook } from '../src/runbook/loader';
import { fleetFunctionName, SimulatedAws } from './aws-sim';
import { baselineOf, nowMs, result, summarize, type BenchResult } from './stats';

const HOUR = 3_600_000;
/** GetMetricData's default quota: 50 transactions per second per account and region. */
const GET_METRIC_DATA_TPS = 50;

/**
 * The unavoidable chain: every tag page (each needs the token of the one before), then one
 * GetMetricData round for the last batch. Sent through the same stubbed clients.
 */
export async function listingChain(sim: SimulatedAws, size: number): Promise<number> {
  const started = nowMs();
  let token: string | undefined;
  do {
    const page = await sim.clients.tagging.send(
      new GetResourcesCommand({
        ResourcesPerPage: 100,
        PaginationToken: token,
        ResourceTypeFilters: ['lambda:function'],
      }),
    );
    token = page.PaginationToken || undefined;
  } while (token);
  const end = new Date();
  const targets = fleetTargets(Math.min(size, 100));
  const plan = planFleetMetrics(targets, { start: new Date(end.getTime() - HOUR), end }, end);
  await sim.clients.cloudWatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: plan.batches[0]!.queries,
      StartTime: plan.startTime,
      EndTime: plan.endTime,
    }),
  );
  return nowMs() - started;
}

/** The simulated fleet as the overview asks about it: alias live, no DLQ tag. */
function fleetTargets(count: number): FleetTarget[] {
  return Array.from({ length: count }, (_, i) => ({
    functionName: fleetFunctionName(i),
    alias: 'live',
    deadLetterQueue: undefined,
  }));
}

export async function benchFleet(options: { size: number; runs: number }): Promise<BenchResult[]> {
  const sim = new SimulatedAws({ fleetSize: options.size });
  try {
    const sources = sim.sources();
    const runbook = await loadRunbook();
    const once = async () => {
      sim.reset();
      const started = nowMs();
      const report = await fleetOverview({ sources, runbook, windowMs: HOUR, deadlineMs: 60_000 });
      const wall = nowMs() - started;
      if (report.functions.length !== options.size) {
        throw new Error(`the overview listed ${report.functions.length} of ${options.size} functions`);
      }
      return {
        wall,
        metricCalls: sim.counts()['CloudWatch:GetMetricData'] ?? 0,
        pages: sim.counts()['ResourceGroupsTaggingAPI:GetResources'] ?? 0,
        peakInFlight: sim.peakInFlight('CloudWatch:GetMetricData'),
        peakPerSecond: sim.peakPerSecond('CloudWatch:GetMetricData'),
      };
    };

    await once();
    await listingChain(sim, options.size);
    const walls: number[] = [];
    const chain: number[] = [];
    let last: Awaited<ReturnType<typeof once>> | undefined;
    for (let i = 0; i < options.runs; i++) {
      if (i % 2 === 0) chain.push(await listingChain(sim, options.size));
      last = await once();
      if (i % 2 === 1) chain.push(await listingChain(sim, options.size));
      walls.push(last.wall);
    }
    if (!last) throw new Error('no runs');

    const queries = fleetTargets(options.size).reduce((n, target) => n + fleetQueriesFor(target), 0);
    const expectedCalls = Math.ceil(queries / 500);
    const measured = summarize(walls);
    const baseline = baselineOf('tag pages one after another + one GetMetricData', chain);
    const withinRate = last.peakPerSecond <= GET_METRIC_DATA_TPS;
    return [
      result({
        name: `fleet overview, ${options.size.toLocaleString('en-US')} functions`,
        unit: 'ms',
        measured,
        baseline,
        target: `${expectedCalls} GetMetricData (⌈queries ÷ 500⌉), ≤ 50 TPS; ≤ 1.25 × chain`,
        pass: measured.median <= 1.25 * baseline.median && last.metricCalls === expectedCalls && withinRate,
        details: {
          getMetricDataCalls: last.metricCalls,
          expectedGetMetricDataCalls: expectedCalls,
          tagPages: last.pages,
          peakGetMetricDataInFlight: last.peakInFlight,
          peakGetMetricDataPerSecond: last.peakPerSecond,
          computedChainMs:
            Math.ceil(options.size / 100) * sim.latencyOf('ResourceGroupsTaggingAPI:GetResources') +
            sim.latencyOf('CloudWatch:GetMetricData'),
        },
      }),
    ];
  } finally {
    sim.destroy();
  }
}
