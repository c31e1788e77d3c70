import type { TimeWindow } from '../ports';
import { applyChange, derivedConcurrency, interpolate, levelsFromBaseline, rateAmount } from './levels';
import type { LevelSet } from './levels';
import { seededRandom } from './random';
import type { Random } from './random';
import { durationKnots, mixtureQuantile } from './quantiles';
import type { BaselineLevels, CanaryLevels, ErrorMessageSpec, LevelChange } from './schema';
import { MINUTE_MS, minutesIn } from './time';

/**
 * One function's telemetry, generated a minute at a time from its levels. Each minute is drawn
 * from a generator seeded by the function and the minute's index since the epoch, so any window
 * that includes a minute sees the same numbers for it: windows add up, and reruns repeat.
 */

export interface DownstreamMinute {
  name: string;
  type: string;
  requests: number;
  errors: number;
  faults: number;
  avgMs: number;
  p95Ms: number;
}

export interface MinuteSample {
  /** Start of the minute. */
  at: Date;
  index: number;
  invocations: number;
  errors: number;
  throttles: number;
  /** Peak ConcurrentExecutions in the minute. */
  concurrency: number;
  duration: { p50: number; p95: number; p99: number };
  coldStarts: number;
  initAvgMs: number;
  initMaxMs: number;
  errorMessages: readonly ErrorMessageSpec[];
  downstream: DownstreamMinute[];
  /**
   * The minute split by the version that ran it (ExecutedVersion), when the function has a canary:
   * the stable version alone before the canary took traffic. Sums to the minute's invocations and errors.
   */
  versions?: VersionMinute[];
}

export interface VersionMinute {
  version: string;
  invocations: number;
  errors: number;
  duration: { p50: number; p95: number; p99: number };
}

/** A weighted alias: `weight` of its traffic runs `version` from `fromMs` on, with its own levels. */
export interface CanarySignals {
  version: string;
  stableVersion: string;
  weight: number;
  fromMs: number;
  set: CanaryLevels;
}

export interface TimedIncident {
  fromMs: number;
  /** Undefined: still going on. */
  toMs: number | undefined;
  rampMs: number;
  set: LevelChange;
}

export interface FunctionSignalsInit {
  functionName: string;
  baseline: BaselineLevels;
  incidents: TimedIncident[];
  noise: number;
  /** No telemetry before the first version was published. */
  dataFromMs: number;
  /** No telemetry from `now` on. */
  dataUntilMs: number;
  /** Concurrency never exceeds the reservation the function had while this history was made. */
  reservedConcurrency: number | undefined;
  canary?: CanarySignals | undefined;
}

export class FunctionSignals {
  private readonly baseline: LevelSet;
  private readonly cache = new Map<number, MinuteSample>();

  constructor(private readonly init: FunctionSignalsInit) {
    this.baseline = levelsFromBaseline(init.baseline);
  }

  /** The minutes with telemetry whose start lies in the window, oldest first. */
  minutesIn(window: TimeWindow): MinuteSample[] {
    const start = Math.max(window.start.getTime(), this.init.dataFromMs);
    const end = Math.min(window.end.getTime(), this.init.dataUntilMs);
    if (!(end > start)) return [];
    const { first, count } = minutesIn(new Date(start), new Date(end));
    const samples: MinuteSample[] = [];
    for (let i = 0; i < count; i++) samples.push(this.minute(first + i));
    return samples;
  }

  /** The levels in force at a moment: the baseline with each active incident applied in file order. */
  levelsAt(ms: number): LevelSet {
    let levels = this.baseline;
    for (const incident of this.init.incidents) {
      if (ms < incident.fromMs || (incident.toMs !== undefined && ms >= incident.toMs)) continue;
      const after = applyChange(levels, incident.set);
      const progress = incident.rampMs > 0 ? (ms - incident.fromMs) / incident.rampMs : 1;
      levels = progress >= 1 ? after : interpolate(levels, after, progress);
    }
    return levels;
  }

  /**
   * During a canary the minute's traffic is shared by weight; the canary's errors and durations
   * follow its own levels, the stable version's the function's. Drawn from a generator of its own,
   * so minutes without a canary come out exactly as before.
   */
  private splitByVersion(
    index: number,
    levels: LevelSet,
    invocations: number,
    errors: number,
    duration: { p50: number; p95: number; p99: number },
  ): VersionSplit | undefined {
    const canary = this.init.canary;
    if (!canary) return undefined;
    if (index * MINUTE_MS < canary.fromMs) {
      return {
        versions: [{ version: canary.stableVersion, invocations, errors, duration }],
        duration,
        errorMessages: levels.errorMessages,
      };
    }
    const random = seededRandom(this.init.functionName, 'canary', index);
    const canaryInvocations = Math.min(invocations, dither(random, invocations * canary.weight));
    const stableInvocations = invocations - canaryInvocations;
    const canaryLevels = applyChange(levels, canary.set);
    const stableErrors = Math.min(stableInvocations, dither(random, rateAmount(levels.errors, stableInvocations)));
    const canaryErrors = Math.min(
      canaryInvocations,
      dither(random, rateAmount(canaryLevels.errors, canaryInvocations)),
    );
    const canaryDuration = { ...canaryLevels.duration };
    const mixed = (q: number) =>
      tenth(
        mixtureQuantile(
          [
            { weight: stableInvocations, knots: durationKnots(duration.p50, duration.p95, duration.p99) },
            {
              weight: canaryInvocations,
              knots: durationKnots(canaryDuration.p50, canaryDuration.p95, canaryDuration.p99),
            },
          ],
          q,
        ) ?? duration.p99,
      );
    return {
      versions: [
        { version: canary.stableVersion, invocations: stableInvocations, errors: stableErrors, duration },
        { version: canary.version, invocations: canaryInvocations, errors: canaryErrors, duration: canaryDuration },
      ],
      duration: invocations > 0 ? { p50: mixed(0.5), p95: mixed(0.95), p99: mixed(0.99) } : duration,
      errorMessages:
        canary.set.errorMessages && canaryErrors > 0
          ? [...levels.errorMessages, ...canary.set.errorMessages]
          : levels.errorMessages,
    };
  }

  private minute(index: number): MinuteSample {
    let sample = this.cache.get(index);
    if (!sample) {
      sample = this.sample(index, this.levelsAt(index * MINUTE_MS));
      this.cache.set(index, sample);
    }
    return sample;
  }

  private sample(index: number, levels: LevelSet): MinuteSample {
    const random = seededRandom(this.init.functionName, index);
    const vary = jitter(random, this.init.noise);
    const invocations = dither(random, vary(levels.invocations));
    const upTo = (limit: number, value: number) => Math.min(limit, value);
    const [p50, p95, p99] = [vary(levels.duration.p50), vary(levels.duration.p95), vary(levels.duration.p99)].sort(
      (a, b) => a - b,
    ) as [number, number, number];
    const duration = { p50: tenth(p50), p95: tenth(p95), p99: tenth(p99) };

    const wantedConcurrency = levels.concurrency ?? derivedConcurrency({ invocations, duration });
    const reserved = this.init.reservedConcurrency ?? Infinity;
    const concurrency = invocations > 0 ? Math.max(1, Math.min(reserved, Math.round(vary(wantedConcurrency)))) : 0;
    const initAvg = vary(levels.initDuration.avg);
    const errors = upTo(invocations, dither(random, vary(rateAmount(levels.errors, invocations))));
    const split = this.splitByVersion(index, levels, invocations, errors, duration);

    return {
      at: new Date(index * MINUTE_MS),
      index,
      invocations,
      errors: split ? sumOf(split.versions, (v) => v.errors) : errors,
      throttles: dither(random, vary(rateAmount(levels.throttles, invocations))),
      concurrency,
      duration: split?.duration ?? duration,
      coldStarts: upTo(invocations, dither(random, vary(rateAmount(levels.coldStarts, invocations)))),
      initAvgMs: tenth(initAvg),
      initMaxMs: tenth(Math.max(initAvg, vary(levels.initDuration.max))),
      errorMessages: split?.errorMessages ?? levels.errorMessages,
      ...(split ? { versions: split.versions } : {}),
      downstream: Object.entries(levels.downstream).map(([name, d]) => {
        const requests = dither(random, vary(invocations * d.callsPerInvocation));
        const avgMs = tenth(vary(d.avgMs));
        return {
          name,
          type: d.type,
          requests,
          errors: upTo(requests, dither(random, vary(rateAmount(d.errors, requests)))),
          faults: upTo(requests, dither(random, vary(rateAmount(d.faults, requests)))),
          avgMs,
          p95Ms: Math.max(avgMs, tenth(vary(d.p95Ms))),
        };
      }),
    };
  }
}

export interface VersionSplit {
  versions: VersionMinute[];
  /** The alias's percentiles: the two versions' distributions mixed by their traffic. */
  duration: { p50: number; p95: number; p99: number };
  errorMessages: readonly ErrorMessageSpec[];
}

/** Multiplies by a factor within ±noise. */
function jitter(random: Random, noise: number): (value: number) => number {
  return (value) => (noise > 0 ? value * (1 + noise * (2 * random() - 1)) : value);
}

/** A whole count whose average over many minutes is `value` (9.6 a minute → 9s and 10s). */
function dither(random: Random, value: number): number {
  return Math.max(0, Math.floor(value + random()));
}

function sumOf<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}

function tenth(value: number): number {
  return Math.round(value * 10) / 10;
}
