import type { BaselineLevels, ErrorMessageSpec, LevelChange, Rate } from './schema';

/**
 * A function's levels at one moment: the scenario's baseline with every incident active at that
 * moment applied on top. Rates stay as written (per minute or percent) until a minute is sampled,
 * so "errors: 2%" keeps following the traffic when a later incident changes the invocations.
 */

export interface DownstreamLevel {
  type: string;
  callsPerInvocation: number;
  avgMs: number;
  p95Ms: number;
  errors: Rate;
  faults: Rate;
}

export interface LevelSet {
  invocations: number;
  errors: Rate;
  throttles: Rate;
  /** Undefined: derived from traffic and duration when the minute is sampled. */
  concurrency: number | undefined;
  duration: { p50: number; p95: number; p99: number };
  coldStarts: Rate;
  initDuration: { avg: number; max: number };
  errorMessages: ErrorMessageSpec[];
  downstream: Record<string, DownstreamLevel>;
  memoryUsed: { avg: number; max: number };
  timeouts: Rate;
  outOfMemory: Rate;
  panics: Rate;
  panic: { message: string; frame?: string | undefined };
}

export function levelsFromBaseline(baseline: BaselineLevels): LevelSet {
  return {
    invocations: baseline.invocations,
    errors: baseline.errors,
    throttles: baseline.throttles,
    concurrency: baseline.concurrency,
    duration: { ...baseline.duration },
    coldStarts: baseline.coldStarts,
    initDuration: { ...baseline.initDuration },
    errorMessages: baseline.errorMessages,
    downstream: Object.fromEntries(Object.entries(baseline.downstream).map(([name, d]) => [name, { ...d }])),
    memoryUsed: { ...baseline.memoryUsed },
    timeouts: baseline.timeouts,
    outOfMemory: baseline.outOfMemory,
    panics: baseline.panics,
    panic: { ...baseline.panic },
  };
}

/** The levels after an incident's `set` took full effect. */
export function applyChange(levels: LevelSet, change: LevelChange): LevelSet {
  const downstream = { ...levels.downstream };
  for (const [name, delta] of Object.entries(change.downstream ?? {})) {
    const before = downstream[name];
    // The loader rejects incidents naming a service the baseline does not have.
    if (before) downstream[name] = { ...before, ...definedOnly(delta) };
  }
  return {
    invocations: change.invocations ?? levels.invocations,
    errors: change.errors ?? levels.errors,
    throttles: change.throttles ?? levels.throttles,
    concurrency: change.concurrency ?? levels.concurrency,
    duration: { ...levels.duration, ...definedOnly(change.duration ?? {}) },
    coldStarts: change.coldStarts ?? levels.coldStarts,
    initDuration: { ...levels.initDuration, ...definedOnly(change.initDuration ?? {}) },
    errorMessages: change.errorMessages ?? levels.errorMessages,
    downstream,
    memoryUsed: { ...levels.memoryUsed, ...definedOnly(change.memoryUsed ?? {}) },
    timeouts: change.timeouts ?? levels.timeouts,
    outOfMemory: change.outOfMemory ?? levels.outOfMemory,
    panics: change.panics ?? levels.panics,
    panic: change.panic ?? levels.panic,
  };
}

/** Part of the way (`fraction` from 0 to 1) from `from` to `to`: an incident that ramps up. */
export function interpolate(from: LevelSet, to: LevelSet, fraction: number): LevelSet {
  const mix = (a: number, b: number) => a + (b - a) * fraction;
  const downstream: Record<string, DownstreamLevel> = {};
  for (const [name, b] of Object.entries(to.downstream)) {
    const a = from.downstream[name] ?? b;
    downstream[name] = {
      type: b.type,
      callsPerInvocation: mix(a.callsPerInvocation, b.callsPerInvocation),
      avgMs: mix(a.avgMs, b.avgMs),
      p95Ms: mix(a.p95Ms, b.p95Ms),
      errors: mixRate(a.errors, from.invocations, b.errors, to.invocations, fraction),
      faults: mixRate(a.faults, from.invocations, b.faults, to.invocations, fraction),
    };
  }
  return {
    invocations: mix(from.invocations, to.invocations),
    errors: mixRate(from.errors, from.invocations, to.errors, to.invocations, fraction),
    throttles: mixRate(from.throttles, from.invocations, to.throttles, to.invocations, fraction),
    concurrency:
      from.concurrency === undefined && to.concurrency === undefined
        ? undefined
        : mix(from.concurrency ?? derivedConcurrency(from), to.concurrency ?? derivedConcurrency(to)),
    duration: {
      p50: mix(from.duration.p50, to.duration.p50),
      p95: mix(from.duration.p95, to.duration.p95),
      p99: mix(from.duration.p99, to.duration.p99),
    },
    coldStarts: mixRate(from.coldStarts, from.invocations, to.coldStarts, to.invocations, fraction),
    initDuration: {
      avg: mix(from.initDuration.avg, to.initDuration.avg),
      max: mix(from.initDuration.max, to.initDuration.max),
    },
    errorMessages: fraction < 0.5 ? from.errorMessages : to.errorMessages,
    downstream,
    memoryUsed: { avg: mix(from.memoryUsed.avg, to.memoryUsed.avg), max: mix(from.memoryUsed.max, to.memoryUsed.max) },
    timeouts: mixRate(from.timeouts, from.invocations, to.timeouts, to.invocations, fraction),
    outOfMemory: mixRate(from.outOfMemory, from.invocations, to.outOfMemory, to.invocations, fraction),
    panics: mixRate(from.panics, from.invocations, to.panics, to.invocations, fraction),
    panic: fraction < 0.5 ? from.panic : to.panic,
  };
}

/** How many of `total` a rate amounts to in one minute. */
export function rateAmount(rate: Rate, total: number): number {
  return 'percent' in rate ? (total * rate.percent) / 100 : rate.perMinute;
}

/**
 * Peak concurrency by Little's law (arrivals per second × mean duration in seconds), with head
 * room for bursts inside the minute. The mean sits between p50 and p95 for latency-shaped data.
 */
export function derivedConcurrency(levels: Pick<LevelSet, 'invocations' | 'duration'>): number {
  const meanSeconds = meanDurationMs(levels.duration) / 1000;
  return (levels.invocations / 60) * meanSeconds * 1.5;
}

/** The mean of a latency-shaped distribution from its percentiles: between p50 and p95. */
export function meanDurationMs(duration: { p50: number; p95: number; p99: number }): number {
  return 0.6 * duration.p50 + 0.3 * duration.p95 + 0.1 * duration.p99;
}

function mixRate(a: Rate, aTotal: number, b: Rate, bTotal: number, fraction: number): Rate {
  if ('percent' in a && 'percent' in b) return { percent: a.percent + (b.percent - a.percent) * fraction };
  const from = rateAmount(a, aTotal);
  return { perMinute: from + (rateAmount(b, bTotal) - from) * fraction };
}

function definedOnly<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<T>;
}
