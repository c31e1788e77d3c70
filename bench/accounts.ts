/**
 * The fleet across accounts and regions (`fleetAcrossTargets`): 1,000 managed functions in each
 * of 3 regions × 2 accounts, over the real adapters with simulated latency. Each account's
 * requests wait for its role to be assumed (the real credential provider over a stubbed STS),
 * as the SDK resolves credentials before it signs; the farther regions answer more slowly.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { assumedRoleCredentials } from '../src/aws/accounts';
import { createAwsClients, type AwsClients } from '../src/aws/clients';
import { createControlPorts } from '../src/aws/control-ports';
import type { TargetPorts, TargetSet } from '../src/ports';
import { fleetQueriesFor } from '../src/ports';
import { fleetAcrossTargets } from '../src/runbook/targets';
import { loadRunbook } from '../src/runbook/loader';
import { targetLabel, type TargetRef } from '../src/targets';
import { defaultLatency, fleetFunctionName, SimulatedAws, type LatencyTable } from './aws-sim';
import { listingChain } from './fleet';
import { baselineOf, nowMs, result, sleep, summarize, type BenchResult } from './stats';

const HOUR = 3_600_000;
const GET_METRIC_DATA_TPS = 50;
/** An AssumeRole round trip to STS in the caller's region. */
export const ASSUME_ROLE_MS = 100;

const ACCOUNTS = [
  { name: 'prod', id: '111122223333' },
  { name: 'staging', id: '444455556666' },
];
/** Round trips grow with distance from the caller: each region's latencies are the defaults times this. */
const REGIONS: [region: string, factor: number][] = [
  ['us-east-1', 1],
  ['eu-west-1', 1.25],
  ['ap-southeast-2', 1.6],
];

function scaled(latency: LatencyTable, factor: number): LatencyTable {
  return Object.fromEntries(Object.entries(latency).map(([op, ms]) => [op, Math.round(ms * factor)]));
}

/** Six simulated account-regions behind one TargetSet, and the STS their roles are assumed from. */
export class AccountsFleet {
  readonly targets: TargetRef[];
  readonly sims = new Map<string, SimulatedAws>();
  readonly set: TargetSet;
  private readonly home: AwsClients;
  private readonly sts: ReturnType<typeof mockClient>;
  private providers = new Map<string, () => Promise<unknown>>();
  assumeRoleCalls = 0;

  constructor(perTarget: number, latency: LatencyTable = {}) {
    this.home = createAwsClients({ region: 'us-east-1', maxAttempts: 1 });
    this.sts = mockClient(this.home.sts);
    this.sts.on(AssumeRoleCommand).callsFake(async () => {
      this.assumeRoleCalls += 1;
      await sleep(ASSUME_ROLE_MS);
      return {
        Credentials: {
          AccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
          SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
          SessionToken: 'FwoGZXIvYXdzEBYaDExampleSessionToken',
          Expiration: new Date(Date.now() + HOUR),
        },
      };
    });
    this.targets = ACCOUNTS.flatMap((a) => REGIONS.map(([region]) => ({ account: a.name, accountId: a.id, region })));
    const ports = new Map<string, TargetPorts>();
    for (const target of this.targets) {
      const factor = REGIONS.find(([r]) => r === target.region)![1];
      const sim = new SimulatedAws({
        fleetSize: perTarget,
        latency: scaled({ ...defaultLatency, ...latency }, factor),
        beforeRequest: () => this.providers.get(target.account)!(),
        // What the fleet overview calls: the tag pages, the batched metrics, the reservations.
        services: ['lambda', 'cloudwatch', 'tagging'],
      });
      const label = targetLabel(target);
      this.sims.set(label, sim);
      const sources = sim.sources();
      sources.region = target.region;
      ports.set(label, { target, sources, control: createControlPorts(sim.clients) });
    }
    this.set = { targets: this.targets, configured: true, open: (t) => ports.get(targetLabel(t))! };
    this.reset();
  }

  /** Requests sent since the last reset, per "Service:Operation", all account-regions added up. */
  requestCounts(): Record<string, number> {
    const total: Record<string, number> = { 'STS:AssumeRole': this.assumeRoleCalls };
    for (const sim of this.sims.values()) {
      for (const [op, n] of Object.entries(sim.counts())) total[op] = (total[op] ?? 0) + n;
    }
    return total;
  }

  /** Forgets the counts and every account's credentials: the next run assumes each role again. */
  reset(): void {
    for (const sim of this.sims.values()) sim.reset();
    this.assumeRoleCalls = 0;
    this.providers = new Map(
      ACCOUNTS.map((a) => [
        a.name,
        assumedRoleCredentials({
          home: this.home,
          account: { name: a.name, id: a.id, roleArn: `arn:aws:iam::${a.id}:role/gofn-member`, externalId: 'bench' },
        }),
      ]),
    );
  }

  destroy(): void {
    for (const sim of this.sims.values()) sim.destroy();
    this.sts.restore();
    this.home.destroy();
  }
}

/**
 * One account-region's unavoidable chain, alone: its role assumed, every tag page one after
 * another, then one GetMetricData round.
 */
async function chainOf(fleet: AccountsFleet, target: TargetRef, perTarget: number): Promise<number> {
  fleet.reset();
  const sim = fleet.sims.get(targetLabel(target))!;
  const started = nowMs();
  // The chain's own requests wait for AssumeRole through the sim's hook, as the overview's do.
  await listingChain(sim, perTarget);
  return nowMs() - started;
}

export async function benchFleetAcrossAccounts(options: { perTarget: number; runs: number }): Promise<BenchResult[]> {
  const fleet = new AccountsFleet(options.perTarget);
  try {
    const runbook = await loadRunbook();
    const once = async () => {
      fleet.reset();
      const started = nowMs();
      const report = await fleetAcrossTargets({ targets: fleet.set, runbook, windowMs: HOUR, deadlineMs: 60_000 });
      const wall = nowMs() - started;
      const total = options.perTarget * fleet.targets.length;
      if (report.functions.length !== total || report.targets?.some((t) => t.problem)) {
        throw new Error(`the overview listed ${report.functions.length} of ${total} functions`);
      }
      const sims = [...fleet.sims.values()];
      const firstPages = sims.map((sim) => sim.sentTimes('ResourceGroupsTaggingAPI:GetResources')[0]! - started);
      return {
        wall,
        metricCalls: sims.map((sim) => sim.counts()['CloudWatch:GetMetricData'] ?? 0),
        peakPerSecond: Math.max(...sims.map((sim) => sim.peakPerSecond('CloudWatch:GetMetricData'))),
        firstPageLatestMs: Math.max(...firstPages),
        assumeRoleCalls: fleet.assumeRoleCalls,
      };
    };
    const slowestChain = async () => {
      const chains: number[] = [];
      for (const target of fleet.targets) chains.push(await chainOf(fleet, target, options.perTarget));
      return Math.max(...chains);
    };

    await once();
    const walls: number[] = [];
    const chains: number[] = [];
    let last: Awaited<ReturnType<typeof once>> | undefined;
    for (let i = 0; i < options.runs; i++) {
      if (i % 2 === 0) chains.push(await slowestChain());
      last = await once();
      if (i % 2 === 1) chains.push(await slowestChain());
      walls.push(last.wall);
    }
    if (!last) throw new Error('no runs');

    const perTarget = Array.from({ length: options.perTarget }, (_, i) => ({
      functionName: fleetFunctionName(i),
      alias: 'live',
      deadLetterQueue: undefined,
    }));
    const expectedCalls = Math.ceil(perTarget.reduce((n, t) => n + fleetQueriesFor(t), 0) / 500);
    const measured = summarize(walls);
    const baseline = baselineOf(
      "the slowest account-region's chain alone: AssumeRole, tag pages, one GetMetricData",
      chains,
    );
    // All at once: every account-region's first tag page goes out as soon as its role is assumed,
    // not after another account-region's listing (the quickest takes over 1.8 s); the margin is
    // for a busy machine.
    const allAtOnce = last.firstPageLatestMs <= ASSUME_ROLE_MS + 250;
    return [
      result({
        name: `fleet across 2 accounts × 3 regions, ${options.perTarget.toLocaleString('en-US')} functions each`,
        unit: 'ms',
        measured,
        baseline,
        target: `${expectedCalls} GetMetricData per account-region (⌈queries ÷ 500⌉), all at once, ≤ 50 TPS each; ≤ 1.25 × the slowest chain`,
        pass:
          measured.median <= 1.25 * baseline.median &&
          last.metricCalls.every((n) => n === expectedCalls) &&
          last.peakPerSecond <= GET_METRIC_DATA_TPS &&
          allAtOnce &&
          last.assumeRoleCalls === ACCOUNTS.length,
        details: {
          getMetricDataCallsPerAccountRegion: last.metricCalls,
          expectedGetMetricDataCallsPerAccountRegion: expectedCalls,
          peakGetMetricDataPerSecondInOneAccountRegion: last.peakPerSecond,
          lastFirstTagPageSentAfterMs: Math.round(last.firstPageLatestMs),
          assumeRoleCalls: last.assumeRoleCalls,
          regionLatencyFactors: Object.fromEntries(REGIONS),
        },
      }),
    ];
  } finally {
    fleet.destroy();
  }
}
