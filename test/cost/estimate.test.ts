import { compareWithOptimizer } from '../../src/cost/compare';
import { amount, estimateCost, type CostInputs } from '../../src/cost/estimate';
import { costFlags, FULL_SAMPLING_MIN_REQUESTS } from '../../src/cost/flags';
import { rightSize } from '../../src/cost/rightsize';
import { costWindowEndingAt } from '../../src/cost/collect';
import { PRICE_TABLE, parsePriceTable, pricesFor } from '../../src/prices';
import type { CostUsage, DayUsage, MemoryRecommendation } from '../../src/ports';

const window = costWindowEndingAt(new Date('2026-12-03T10:00:00Z'), 30);
const usEast = pricesFor(PRICE_TABLE, 'us-east-1').prices;
const GB = 1024 ** 3;

function days(day: Partial<DayUsage>, n = 30): DayUsage[] {
  return Array.from({ length: n }, () => ({
    invocations: 0,
    durationMs: 0,
    provisionedInvocations: 0,
    logBytes: 0,
    ...day,
  }));
}

function inputs(overrides: Partial<CostInputs> = {}, usage: Partial<CostUsage> = {}): CostInputs {
  return {
    config: {
      name: 'orders-api',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api',
      architecture: 'arm64',
      memoryMb: 1024,
      timeoutSeconds: 10,
      logGroup: '/aws/lambda/orders-api',
      tracingMode: 'Active',
    },
    usage: {
      days: days({ invocations: 100_000, durationMs: 100_000 * 200, logBytes: GB }),
      durationP99Ms: 900,
      recentInvocations: 25_000,
      missing: [],
      ...usage,
    },
    window,
    memory: { reports: 700_000, maxUsedMb: 212, memorySizeMb: 1024, initCount: 7000, initMsSum: 7000 * 250 },
    traced: 1250,
    provisioned: [],
    ...overrides,
  };
}

describe('estimateCost', () => {
  it('prices each item at the list price of the architecture, and says how', () => {
    // Act
    const arm = estimateCost(inputs(), usEast);
    const x86 = estimateCost(inputs({ config: { ...inputs().config, architecture: 'x86_64' } }), usEast);

    // Assess: 3M requests, 600,000 s handler + 3M × 2.5 ms init, 30 GB of logs, 5% traced.
    expect(arm.items.requests?.window).toBeCloseTo(3_000_000 * 0.2e-6, 6);
    const gbSeconds = 600_000 + 3_000_000 * 0.0025;
    expect(arm.usage.gbSeconds).toBeCloseTo(gbSeconds, 3);
    expect(arm.items.compute?.window).toBeCloseTo(gbSeconds * 0.0000133334, 6);
    expect(x86.items.compute?.window).toBeCloseTo(gbSeconds * 0.0000166667, 6);
    expect(arm.items.logs?.window).toBeCloseTo(30 * 0.5, 6);
    expect(arm.usage.tracedShare).toBeCloseTo(0.05, 6);
    expect(arm.items.xray?.window).toBeCloseTo(3_000_000 * 0.05 * 5e-6, 6);
    expect(arm.items.provisioned).toEqual({ window: 0, month: 0 });
    expect(arm.total.window).toBeCloseTo(
      ['requests', 'compute', 'logs', 'xray'].reduce((n, k) => n + (arm.items[k as 'logs']?.window ?? 0), 0),
      6,
    );
    expect(arm.formulas.compute).toContain('$0.0000133334/GB-s (arm64)');
    expect(arm.formulas.logs).toBe('30.00 GB into /aws/lambda/orders-api × $0.50/GB = $15.00');
  });

  it('projects the month from the last 7 days, not the whole window', () => {
    // Act
    const projected = amount([...Array(23).fill(1), ...Array(7).fill(10)]);

    // Assess
    expect(projected).toEqual({ window: 23 + 70, month: 300 });
  });

  it('bills provisioned concurrency for the time it has been allocated, and the duration on it at its own price', () => {
    // Prepare: 50 allocated on live for the last 10 days; half the invocations served by it.
    const since = new Date(window.end.getTime() - 10 * 86_400_000);
    const used = inputs(
      { provisioned: [{ qualifier: 'live', allocated: 50, requested: 50, since }] },
      { days: days({ invocations: 100_000, durationMs: 100_000 * 200, provisionedInvocations: 50_000, logBytes: 0 }) },
    );

    // Act
    const estimate = estimateCost(used, usEast);

    // Assess
    const paidSeconds = 50 * 10 * 86_400;
    expect(estimate.items.provisioned?.window).toBeCloseTo(paidSeconds * 1 * 0.0000033334, 6);
    expect(estimate.items.provisioned?.month).toBeCloseTo(50 * 30 * 86_400 * 0.0000033334, 6);
    expect(estimate.usage.provisionedShare).toBe(0.5);
    expect(estimate.usage.provisioned?.[0]?.utilization).toBeCloseTo((600_000 * 0.5) / paidSeconds, 6);
    const onDemand = 600_000 * 0.5 + 3_000_000 * 0.5 * 0.0025;
    expect(estimate.items.compute?.window).toBeCloseTo(onDemand * 0.0000133334 + 300_000 * 0.0000077778, 6);
  });

  it('says what it could not price instead of counting it as nothing', () => {
    // Act
    const estimate = estimateCost(
      inputs({ memory: undefined, traced: undefined, provisioned: undefined }, { missing: ['IncomingBytes'] }),
      usEast,
    );

    // Assess
    expect(estimate.items.logs).toBeNull();
    expect(estimate.items.xray).toBeNull();
    expect(estimate.usage.initSeconds).toBeNull();
    expect(estimate.unknown).toEqual([
      'init time of cold starts not counted: the REPORT lines were not read',
      'log ingestion of /aws/lambda/orders-api not served by CloudWatch',
      'X-Ray traces not known: the service graph was not read',
    ]);
  });

  it('counts no traces for a function that is not traced and not in the graph', () => {
    // Act
    const estimate = estimateCost(
      inputs({ traced: 0, config: { ...inputs().config, tracingMode: 'PassThrough' } }, { recentInvocations: 0 }),
      usEast,
    );

    // Assess
    expect(estimate.items.xray).toEqual({ window: 0, month: 0 });
  });
});

describe('rightSize', () => {
  const base = {
    memoryMb: 1024,
    timeoutSeconds: 10,
    memoryUnread: undefined,
    memoryDays: 7,
    durationP99Ms: 900,
    computeMonth: 100,
  };
  const memory = (maxUsedMb: number, reports = 10_000) => ({
    reports,
    maxUsedMb,
    memorySizeMb: 1024,
    initCount: 0,
    initMsSum: 0,
  });

  it('never goes below the peak plus headroom, and prices the saving at an unchanged duration', () => {
    // Act
    const sizing = rightSize({ ...base, memory: memory(212) });

    // Assess: 212 × 1.3 = 275.6 → 320 MB (64 MB steps).
    expect(sizing).toMatchObject({ status: 'shrink', suggestedMb: 320 });
    expect(sizing.suggestedMb!).toBeGreaterThanOrEqual(212 * 1.3);
    expect(sizing.monthlySaving).toBeCloseTo(100 * (1 - 320 / 1024), 6);
  });

  it('rates the risk by the CPU Go loses and how close p99 could come to the timeout', () => {
    // Act
    const nearTimeout = rightSize({ ...base, memory: memory(212), durationP99Ms: 2600 });
    const fewCpu = rightSize({ ...base, memory: memory(212), durationP99Ms: 100 });
    const above1Vcpu = rightSize({ ...base, memoryMb: 4096, memory: memory(1800), durationP99Ms: 9000 });

    // Assess: ×3.2 less CPU makes 2.6 s p99 8.3 s of the 10 s timeout.
    expect(nearTimeout.risk).toBe('high');
    expect(nearTimeout.riskText).toBe(
      'a CPU-bound handler gets ×3.2 less CPU: p99 2.6 s could reach 8.3 s of the 10 s timeout',
    );
    expect(fewCpu.risk).toBe('medium');
    expect(above1Vcpu).toMatchObject({ status: 'shrink', suggestedMb: 2368, risk: 'low' });
  });

  it('suggests raising a size the peak nearly fills, and nothing on too few reports or a small gain', () => {
    // Act
    const full = rightSize({ ...base, memoryMb: 512, memory: memory(490) });
    const few = rightSize({ ...base, memory: memory(100, 40) });
    const close = rightSize({ ...base, memory: memory(700) });

    // Assess
    expect(full).toMatchObject({ status: 'raise', suggestedMb: 640, risk: 'high' });
    expect(full.monthlySaving).toBeLessThan(0);
    expect(few).toMatchObject({ status: 'not-enough-data', suggestedMb: null });
    expect(few.basis).toBe('40 REPORT lines in 7 days: too few to size by');
    expect(close).toMatchObject({ status: 'ok', suggestedMb: null });
  });
});

describe('costFlags', () => {
  const usage = {
    invocations: 1,
    gbSeconds: 1,
    initSeconds: 0,
    logGb: 1,
    traces: 1,
    tracedShare: 0.05,
    provisionedShare: 0,
    provisioned: [] as { qualifier: string; allocated: number; utilization: number | null }[],
    durationP99Ms: 100,
    maxMemoryUsedMb: 700,
    memoryReports: 10_000,
  };
  const items = { compute: { window: 40, month: 41 }, logs: { window: 30, month: 32 } };

  it('flags logs costing more than compute, full sampling in prod, idle provisioned concurrency and unused memory', () => {
    // Act
    const flags = costFlags({
      items: { compute: items.compute, logs: { window: 60, month: 58 } },
      usage: {
        ...usage,
        tracedShare: 1,
        provisioned: [{ qualifier: 'live', allocated: 50, utilization: 0.06 }],
        maxMemoryUsedMb: 212,
      },
      memoryMb: 1024,
      recentInvocations: FULL_SAMPLING_MIN_REQUESTS,
      tags: { env: 'prod' },
    });

    // Assess
    expect(flags.map((f) => f.text)).toEqual([
      'logs cost more than compute ($58.00 vs $41.00 a month)',
      'X-Ray traces 100% of requests in prod (the default rule traces 1 a second, then 5%)',
      'provisioned concurrency 50 on live is busy 6% of the time paid for',
      'max used 212 MB of 1,024 MB (21%)',
    ]);
  });

  it('leaves full sampling alone outside production and where the default rule traces everything anyway', () => {
    // Act
    const staging = costFlags({
      items,
      usage: { ...usage, tracedShare: 1 },
      memoryMb: 1024,
      recentInvocations: 100_000,
      tags: { env: 'staging' },
    });
    const quiet = costFlags({
      items,
      usage: { ...usage, tracedShare: 1 },
      memoryMb: 1024,
      recentInvocations: 2_000,
      tags: { env: 'prod' },
    });

    // Assess
    expect(staging).toEqual([]);
    expect(quiet).toEqual([]);
  });
});

describe('compareWithOptimizer', () => {
  const ours = rightSize({
    memoryMb: 1024,
    timeoutSeconds: 10,
    memory: { reports: 10_000, maxUsedMb: 212, memorySizeMb: 1024, initCount: 0, initMsSum: 0 },
    memoryUnread: undefined,
    memoryDays: 7,
    durationP99Ms: 900,
    computeMonth: 100,
  });
  const theirs = (overrides: Partial<MemoryRecommendation>): MemoryRecommendation => ({
    finding: 'NotOptimized',
    reasons: ['MemoryOverprovisioned'],
    currentMemoryMb: 1024,
    recommendedMemoryMb: 768,
    monthlySavings: { amount: 9.85, currency: 'USD' },
    projectedDurationMs: 640,
    lookbackDays: 14,
    invocations: 1_000_000,
    ...overrides,
  });

  it('says why Compute Optimizer keeps more memory than gofn, or less, or agrees', () => {
    // Act
    const more = compareWithOptimizer(ours, theirs({}), 7);
    const less = compareWithOptimizer(ours, theirs({ recommendedMemoryMb: 256 }), 7);
    const same = compareWithOptimizer(ours, theirs({ recommendedMemoryMb: 320, lookbackDays: 7 }), 7);

    // Assess
    expect(more).toMatchObject({ status: 'recommends', memoryMb: 768, monthlySavings: 9.85 });
    expect(more.text).toMatch(
      /^Compute Optimizer suggests 768 MB \(saves \$9.85\/mo by its estimate\), more than gofn's 320 MB: it keeps the CPU/,
    );
    expect(more.text).toMatch(/it looked at 14 days, gofn at 7 days$/);
    expect(less.text).toMatch(/less than gofn's 320 MB: gofn keeps 30% above the peak memory it saw/);
    expect(same.text).toBe('Compute Optimizer agrees: 320 MB (saves $9.85/mo by its estimate)');
  });

  it('states an absent or unavailable recommendation instead of failing', () => {
    // Act
    const absent = compareWithOptimizer(ours, undefined, 7);
    const tooFew = compareWithOptimizer(
      ours,
      theirs({ finding: 'Unavailable', reasons: ['InsufficientData'], recommendedMemoryMb: undefined }),
      7,
    );

    // Assess
    expect(absent.status).toBe('absent');
    expect(tooFew).toEqual({
      status: 'unavailable',
      memoryMb: null,
      monthlySavings: null,
      text: 'too few invocations for Compute Optimizer to judge (InsufficientData)',
    });
  });
});

describe('price table', () => {
  it('is dated, names its sources and prices arm64 below x86_64 in every region', () => {
    // Assess
    expect(PRICE_TABLE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.sources.some((s) => s.startsWith('https://aws.amazon.com/lambda/pricing'))).toBe(true);
    for (const prices of Object.values(PRICE_TABLE.regions)) {
      expect(prices.lambda.gbSecond.arm64).toBeLessThan(prices.lambda.gbSecond.x86_64);
    }
  });

  it('stands in us-east-1 for a region it lacks and says so; a file with a mistake names it', () => {
    // Act
    const far = pricesFor(PRICE_TABLE, 'ap-southeast-4');

    // Assess
    expect(far.region).toBe('us-east-1');
    expect(far.fallback).toMatch(/has no prices for ap-southeast-4; us-east-1's are used/);
    expect(() =>
      parsePriceTable('{"date":"2026-12-03","currency":"EUR","sources":["x"],"regions":{}}', 'p.json'),
    ).toThrow(/Price table p.json is invalid at currency/);
  });
});
