import { describeError } from '../../errors';
import { LOG_GROUPS_PER_QUERY, memoryQueryString } from '../../memory-query';
import {
  COST_QUERIES_PER_FUNCTION,
  COST_QUERIES_PER_REQUEST,
  noUsage,
  RECENT_PERIOD_HOURS,
  type BilledAnswer,
  type BilledRow,
  type CallOptions,
  type CostPort,
  type CostTarget,
  type CostUsage,
  type CostUsageEntry,
  type CostWindow,
  type DayUsage,
  type FunctionCostConfig,
  type MemoryRecommendation,
  type LogGroupMemory,
  type MemoryUseAnswer,
  type ProvisionedConfig,
  type RecommendationsAnswer,
  type TimeWindow,
  type TracedRequests,
} from '../../ports';
import { PRICE_TABLE, pricesFor } from '../../prices';
import type { SimulatedFleet, SimulatedFunction } from '../fleet';
import { meanDurationMs, derivedConcurrency, rateAmount } from '../levels';
import { MINUTE_MS } from '../time';
import { readMetricBatches } from './metric-batches';
import { faultOf, type RequestSimulator } from './requests';

/**
 * What `gofn cost` reads, over the simulated fleet. Usage is the expected value of the function's
 * levels, minute by 5 minutes, over the whole window: the simulation assumes the function ran at
 * its levels before its first listed version too, so a 30-day window is 30 days of traffic. The
 * requests are counted as the AWS adapters send them: ListFunctions per 50 functions,
 * GetMetricData per 100, a Logs Insights query (StartQuery and two polls) per 50 log groups, one
 * service graph, one Compute Optimizer and one Cost Explorer request.
 */

/** Minutes between the level samples the usage is integrated from. */
const STEP_MINUTES = 5;
const DAY_MS = 86_400_000;
const GB = 1024 ** 3;
/** A short query is seen running once, then complete. */
const POLLS_UNTIL_COMPLETE = 2;

interface Integrated {
  days: DayUsage[];
  p99: number | undefined;
  coldStarts: number;
  initMs: number;
  /** Invocations in the last 6 hours of the window. */
  recent: number;
}

export class SimulatedCost implements CostPort {
  private readonly cache = new Map<string, Integrated>();

  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async *functionConfigPages(opts?: CallOptions): AsyncIterable<FunctionCostConfig[]> {
    const names = this.fleet.functionNames();
    for (let i = 0; i === 0 || i < names.length; i += 50) {
      await this.requests.send('Lambda', 'ListFunctions', opts);
      yield names.slice(i, i + 50).map((name) => configOf(this.fleet.requireFunction(name)));
    }
  }

  async getUsage(targets: CostTarget[], window: CostWindow, opts?: CallOptions): Promise<Map<string, CostUsageEntry>> {
    const perRequest = COST_QUERIES_PER_REQUEST / COST_QUERIES_PER_FUNCTION;
    const batches: CostTarget[][] = [];
    for (let i = 0; i < targets.length; i += perRequest) batches.push(targets.slice(i, i + perRequest));
    return readMetricBatches(
      this.fleet,
      this.requests,
      batches,
      (t): CostUsageEntry => ({ served: true, usage: this.usageOf(t, window) }),
      opts,
    );
  }

  async getMemoryUse(logGroups: string[], window: TimeWindow, opts?: CallOptions): Promise<MemoryUseAnswer> {
    const answer: MemoryUseAnswer = {
      byLogGroup: new Map(),
      unanswered: new Map(),
      queryString: memoryQueryString,
      window,
    };
    const unique = [...new Set(logGroups)];
    for (let i = 0; i < unique.length; i += LOG_GROUPS_PER_QUERY) {
      const groups = unique.slice(i, i + LOG_GROUPS_PER_QUERY);
      const fault = groups
        .map((g) => faultOf(this.fleet.findFunctionByLogGroup(g), 'logs', `log group ${g}`))
        .find((f) => f !== undefined);
      try {
        await this.requests.send('CloudWatchLogs', 'StartQuery', opts, fault);
        for (let poll = 0; poll < POLLS_UNTIL_COMPLETE; poll++) {
          await this.requests.send('CloudWatchLogs', 'GetQueryResults', opts);
        }
      } catch (error) {
        for (const group of groups) answer.unanswered.set(group, describeError(error));
        continue;
      }
      for (const group of groups) {
        const fn = this.fleet.findFunctionByLogGroup(group);
        if (!fn) answer.unanswered.set(group, `log group ${group} does not exist`);
        else answer.byLogGroup.set(group, this.memoryOf(fn, window));
      }
    }
    return answer;
  }

  async getTracedRequests(window: TimeWindow, opts?: CallOptions): Promise<TracedRequests> {
    // One service graph for the whole account: a fault on any function's traces fails it.
    const fault = this.fleet
      .functionNames()
      .map((name) => faultOf(this.fleet.findFunction(name), 'traces', 'the service graph'))
      .find((f) => f !== undefined);
    await this.requests.send('XRay', 'GetServiceGraph', opts, fault);
    const byFunction = new Map<string, number>();
    for (const name of this.fleet.functionNames()) {
      const fn = this.fleet.requireFunction(name);
      const invocations = this.invocationsIn(fn, window);
      const traced = tracedOf(fn, invocations);
      if (traced > 0) byFunction.set(name, Math.round(traced));
    }
    return { window, byFunction, partial: undefined };
  }

  async getProvisionedConcurrency(functionName: string, opts?: CallOptions): Promise<ProvisionedConfig[]> {
    const fn = this.fleet.requireFunction(functionName);
    await this.requests.send(
      'Lambda',
      'ListProvisionedConcurrencyConfigs',
      opts,
      faultOf(fn, 'functions', `function ${functionName}`),
    );
    const pc = fn.cost.provisionedConcurrency;
    return pc ? [{ qualifier: pc.alias, allocated: pc.count, requested: pc.count, since: pc.since }] : [];
  }

  async getMemoryRecommendations(opts?: CallOptions): Promise<RecommendationsAnswer> {
    await this.requests.send('ComputeOptimizer', 'GetLambdaFunctionRecommendations', opts);
    if (this.fleet.billing.computeOptimizer !== 'opted-in') {
      return { available: false, reason: 'this account is not opted in to AWS Compute Optimizer' };
    }
    const byFunction = new Map<string, MemoryRecommendation>();
    for (const name of this.fleet.functionNames()) {
      const fn = this.fleet.requireFunction(name);
      const spec = fn.cost.computeOptimizer;
      if (!spec) continue;
      const base = {
        currentMemoryMb: fn.memoryMb,
        lookbackDays: 14,
        invocations: undefined,
        projectedDurationMs: undefined,
      };
      if (spec.finding === 'Unavailable') {
        byFunction.set(name, {
          ...base,
          finding: 'Unavailable',
          reasons: [spec.reason],
          recommendedMemoryMb: undefined,
          monthlySavings: undefined,
        });
      } else if (spec.finding === 'Optimized') {
        byFunction.set(name, {
          ...base,
          finding: 'Optimized',
          reasons: [],
          recommendedMemoryMb: fn.memoryMb,
          monthlySavings: undefined,
        });
      } else {
        const compute = this.listBill(fn, this.lastDays(14)).compute * (30 / 14);
        byFunction.set(name, {
          ...base,
          finding: 'NotOptimized',
          reasons: [spec.memoryMb < fn.memoryMb ? 'MemoryOverprovisioned' : 'MemoryUnderprovisioned'],
          recommendedMemoryMb: spec.memoryMb,
          monthlySavings: { amount: Math.max(0, compute * (1 - spec.memoryMb / fn.memoryMb)), currency: 'USD' },
        });
      }
    }
    return { available: true, byFunction };
  }

  async getBilledCost(window: CostWindow, tagKey: string, region: string, opts?: CallOptions): Promise<BilledAnswer> {
    await this.requests.send('CostExplorer', 'GetCostAndUsage', opts);
    const access = this.fleet.billing.costExplorer;
    if (access === undefined || access === 'not-enabled') {
      return { available: false, reason: 'Cost Explorer is not enabled for this account' };
    }
    if (access === 'denied')
      return { available: false, reason: 'not allowed to read Cost Explorer (ce:GetCostAndUsage)' };
    const rows: BilledRow[] = [];
    if (region === this.fleet.region) {
      for (const name of this.fleet.functionNames()) {
        const fn = this.fleet.requireFunction(name);
        const bill = this.listBill(fn, window);
        const factor = 1 + access.billedDifference;
        const tagValue = fn.tags[tagKey] ?? '';
        rows.push(
          { tagValue, service: 'AWS Lambda', amount: (bill.requests + bill.compute + bill.provisioned) * factor },
          { tagValue, service: 'AmazonCloudWatch', amount: bill.logs * factor },
          { tagValue, service: 'AWS X-Ray', amount: bill.xray * factor },
        );
      }
    }
    return { available: true, currency: 'USD', rows, estimated: false };
  }

  // ---------------------------------------------------------------- the simulated usage

  private usageOf(target: CostTarget, window: CostWindow): CostUsage {
    const fn = this.fleet.findFunction(target.functionName);
    if (!fn) {
      // CloudWatch answers a function it never saw with empty series.
      return noUsage(window.days);
    }
    const integrated = this.integrate(fn, window);
    return {
      days: integrated.days.map((d) => ({ ...d })),
      durationP99Ms: integrated.p99,
      recentInvocations: Math.round(integrated.recent),
      missing: [],
    };
  }

  private memoryOf(fn: SimulatedFunction, window: TimeWindow): LogGroupMemory {
    // JSON at system log level WARN writes no platform.report record: nothing to read.
    if (fn.logFormat === 'JSON' && fn.systemLogLevel === 'WARN') {
      return { reports: 0, maxUsedMb: undefined, memorySizeMb: undefined, initCount: 0, initMsSum: 0 };
    }
    const integrated = this.integrate(fn, windowOfDays(window));
    const reports = Math.round(integrated.days.reduce((n, d) => n + d.invocations, 0));
    return {
      reports,
      maxUsedMb: reports > 0 ? peakMemoryOf(fn) : undefined,
      memorySizeMb: reports > 0 ? fn.memoryMb : undefined,
      initCount: Math.round(integrated.coldStarts),
      initMsSum: Math.round(integrated.initMs),
    };
  }

  private invocationsIn(fn: SimulatedFunction, window: TimeWindow): number {
    let invocations = 0;
    for (let t = window.start.getTime(); t < Math.min(window.end.getTime(), this.fleet.now.getTime()); t += MINUTE_MS) {
      invocations += fn.signals.levelsAt(t).invocations;
    }
    return invocations;
  }

  /** The expected usage of every day of the window, sampled every STEP_MINUTES; cached per window. */
  private integrate(fn: SimulatedFunction, window: CostWindow): Integrated {
    const key = `${fn.name}|${window.start.getTime()}|${window.days}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const days: DayUsage[] = Array.from({ length: window.days }, () => ({
      invocations: 0,
      durationMs: 0,
      provisionedInvocations: 0,
      logBytes: 0,
    }));
    const pc = fn.cost.provisionedConcurrency;
    const recentFrom = window.end.getTime() - RECENT_PERIOD_HOURS * 3_600_000;
    const until = Math.min(window.end.getTime(), this.fleet.now.getTime());
    let p99: number | undefined;
    let coldStarts = 0;
    let initMs = 0;
    let recent = 0;
    for (let t = window.start.getTime(); t < until; t += STEP_MINUTES * MINUTE_MS) {
      const levels = fn.signals.levelsAt(t);
      const invocations = levels.invocations * STEP_MINUTES;
      const day = days[Math.floor((t - window.start.getTime()) / DAY_MS)];
      if (!day) continue;
      day.invocations += invocations;
      day.durationMs += invocations * meanDurationMs(levels.duration);
      day.logBytes += invocations * fn.cost.logBytesPerInvocation;
      if (pc && (!pc.since || t >= pc.since.getTime())) {
        const concurrency = levels.concurrency ?? derivedConcurrency(levels);
        day.provisionedInvocations += invocations * Math.min(1, concurrency > 0 ? pc.count / concurrency : 1);
      }
      if (invocations > 0) p99 = Math.max(p99 ?? 0, levels.duration.p99);
      const cold = rateAmount(levels.coldStarts, levels.invocations) * STEP_MINUTES;
      coldStarts += cold;
      initMs += cold * levels.initDuration.avg;
      if (t >= recentFrom) recent += invocations;
    }
    for (const day of days) {
      day.invocations = Math.round(day.invocations);
      day.provisionedInvocations = Math.round(day.provisionedInvocations);
      day.logBytes = Math.round(day.logBytes);
    }
    const integrated = { days, p99, coldStarts, initMs, recent };
    this.cache.set(key, integrated);
    return integrated;
  }

  /** The last `days` whole days before the simulation's present. */
  private lastDays(days: number): CostWindow {
    const now = this.fleet.now;
    const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    return { start: new Date(end.getTime() - days * DAY_MS), end, days };
  }

  /**
   * What AWS bills the function over the window at list price, before the account's
   * billedDifference: handler time only (the simulated bill has no separate init), logs, traces
   * and the provisioned concurrency allocated since it was configured.
   */
  private listBill(fn: SimulatedFunction, window: CostWindow) {
    const { prices } = pricesFor(PRICE_TABLE, this.fleet.region);
    const arch = fn.architecture === 'x86_64' ? 'x86_64' : 'arm64';
    const integrated = this.integrate(fn, window);
    const invocations = integrated.days.reduce((n, d) => n + d.invocations, 0);
    const seconds = integrated.days.reduce((n, d) => n + d.durationMs, 0) / 1000;
    const gb = fn.memoryMb / 1024;
    const pc = fn.cost.provisionedConcurrency;
    const pcFrom = Math.max(window.start.getTime(), pc?.since?.getTime() ?? window.start.getTime());
    const pcSeconds = pc ? (pc.count * Math.max(0, window.end.getTime() - pcFrom)) / 1000 : 0;
    return {
      requests: (invocations * prices.lambda.requestsPerMillion) / 1e6,
      compute: seconds * gb * prices.lambda.gbSecond[arch],
      provisioned: pcSeconds * gb * prices.lambda.provisionedGbSecond[arch],
      logs: (integrated.days.reduce((n, d) => n + d.logBytes, 0) / GB) * prices.logsIngestionPerGb,
      xray: (tracedOf(fn, invocations) * prices.xrayPerMillionTraces) / 1e6,
    };
  }
}

function configOf(fn: SimulatedFunction): FunctionCostConfig {
  return {
    name: fn.name,
    arn: fn.arn,
    architecture: fn.architecture === 'x86_64' ? 'x86_64' : 'arm64',
    memoryMb: fn.memoryMb,
    timeoutSeconds: fn.timeoutSeconds,
    logGroup: fn.logGroup,
    tracingMode: fn.tracingMode,
  };
}

/** The peak Max Memory Used: the scenario's, or 70% of the memory size. */
function peakMemoryOf(fn: SimulatedFunction): number {
  return fn.cost.maxMemoryUsedMb ?? Math.round(fn.memoryMb * 0.7);
}

/**
 * Requests X-Ray traces: the scenario's share; otherwise, for an actively traced function, the 5%
 * of X-Ray's default rule (its reservoir of one request a second is shared by everything the rule
 * matches, so it adds little per function), and none for a function not traced.
 */
function tracedOf(fn: SimulatedFunction, invocations: number): number {
  if (fn.cost.traced !== undefined) return invocations * fn.cost.traced;
  return fn.tracingMode === 'Active' ? 0.05 * invocations : 0;
}

function windowOfDays(window: TimeWindow): CostWindow {
  return { ...window, days: Math.max(1, Math.ceil((window.end.getTime() - window.start.getTime()) / DAY_MS)) };
}
