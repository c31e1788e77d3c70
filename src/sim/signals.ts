import type { TimeWindow } from '../ports';
import { applyChange, derivedConcurrency, interpolate, levelsFromBaseline, rateAmount } from './levels';
import type { LevelSet } from './levels';
import { seededRandom } from './random';
import type { Random } from './random';
import type { BaselineLevels, ErrorMessageSpec, LevelChange } from './schema';
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

    return {
      at: new Date(index * MINUTE_MS),
      index,
      invocations,
      errors: upTo(invocations, dither(random, vary(rateAmount(levels.errors, invocations)))),
      throttles: dither(random, vary(rateAmount(levels.throttles, invocations))),
      concurrency,
      duration,
      coldStarts: upTo(invocations, dither(random, vary(rateAmount(levels.coldStarts, invocations)))),
      initAvgMs: tenth(initAvg),
      initMaxMs: tenth(Math.max(initAvg, vary(levels.initDuration.max))),
      errorMessages: levels.errorMessages,
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

/** Multiplies by a factor within ±noise. */
function jitter(random: Random, noise: number): (value: number) => number {
  return (value) => (noise > 0 ? value * (1 + noise * (2 * random() - 1)) : value);
}

/** A whole count whose average over many minutes is `value` (9.6 a minute → 9s and 10s). */
function dither(random: Random, value: number): number {
  return Math.max(0, Math.floor(value + random()));
}

function tenth(value: number): number {
  return Math.round(value * 10) / 10;
}
