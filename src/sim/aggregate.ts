import type { ColdStartWindow, DownstreamStats, MetricPoint, WindowMetrics } from '../ports';
import { durationKnots, latencyKnots, mixtureQuantile } from './quantiles';
import type { MinuteSample, VersionMinute } from './signals';

/**
 * Window statistics from generated minutes, computed the way CloudWatch, Logs Insights and the
 * X-Ray service graph compute theirs: sums of counts, maxima of peaks, traffic-weighted means and
 * percentiles of the whole window.
 */

export function windowMetrics(minutes: readonly MinuteSample[]): WindowMetrics {
  const invocations = sum(minutes, (m) => m.invocations);
  const durations = minutes.map((m) => ({
    weight: m.invocations,
    knots: durationKnots(m.duration.p50, m.duration.p95, m.duration.p99),
  }));
  const percentile = (q: number) => (invocations > 0 ? mixtureQuantile(durations, q) : undefined);
  return {
    invocations,
    errors: sum(minutes, (m) => m.errors),
    throttles: sum(minutes, (m) => m.throttles),
    peakConcurrency: minutes.length > 0 ? Math.max(...minutes.map((m) => m.concurrency)) : undefined,
    durationP50Ms: percentile(0.5),
    durationP95Ms: percentile(0.95),
    durationP99Ms: percentile(0.99),
  };
}

export interface PeriodSeries {
  invocations: MetricPoint[];
  errors: MetricPoint[];
  throttles: MetricPoint[];
  concurrency: MetricPoint[];
}

/** Per-period points, oldest first: sums for counts, the maximum for concurrency. */
export function periodSeries(minutes: readonly MinuteSample[], periodMinutes: number, windowStart: Date): PeriodSeries {
  const series: PeriodSeries = { invocations: [], errors: [], throttles: [], concurrency: [] };
  const firstIndex = Math.ceil(windowStart.getTime() / 60_000);
  const buckets = new Map<number, MinuteSample[]>();
  for (const minute of minutes) {
    const bucket = Math.floor((minute.index - firstIndex) / periodMinutes);
    const members = buckets.get(bucket) ?? [];
    members.push(minute);
    buckets.set(bucket, members);
  }
  for (const [bucket, members] of [...buckets.entries()].sort(([a], [b]) => a - b)) {
    const at = new Date((firstIndex + bucket * periodMinutes) * 60_000);
    series.invocations.push({ at, value: sum(members, (m) => m.invocations) });
    series.errors.push({ at, value: sum(members, (m) => m.errors) });
    series.throttles.push({ at, value: sum(members, (m) => m.throttles) });
    series.concurrency.push({ at, value: Math.max(...members.map((m) => m.concurrency)) });
  }
  return series;
}

/**
 * One version's part of the alias's minutes, as CloudWatch's ExecutedVersion dimension counts it.
 * Minutes that carry no split ran the alias's primary version, `primary`.
 */
export function versionMinutes(minutes: readonly MinuteSample[], version: string, primary: string): VersionMinute[] {
  return minutes.map((m) => {
    const part = m.versions?.find((v) => v.version === version);
    if (part) return part;
    if (!m.versions && version === primary) {
      return { version, invocations: m.invocations, errors: m.errors, duration: m.duration };
    }
    return { version, invocations: 0, errors: 0, duration: m.duration };
  });
}

/** Per-period Invocations and Errors of a version, stamped like `periodSeries`; periods without invocations are left out, as CloudWatch does. */
export function versionSeries(
  minutes: readonly MinuteSample[],
  parts: readonly VersionMinute[],
  periodMinutes: number,
  rangeStart: Date,
): { invocations: MetricPoint[]; errors: MetricPoint[] } {
  const firstIndex = Math.ceil(rangeStart.getTime() / 60_000);
  const buckets = new Map<number, { invocations: number; errors: number }>();
  minutes.forEach((minute, i) => {
    const part = parts[i];
    if (!part || part.invocations === 0) return;
    const bucket = Math.floor((minute.index - firstIndex) / periodMinutes);
    const entry = buckets.get(bucket) ?? { invocations: 0, errors: 0 };
    entry.invocations += part.invocations;
    entry.errors += part.errors;
    buckets.set(bucket, entry);
  });
  const out = { invocations: [] as MetricPoint[], errors: [] as MetricPoint[] };
  for (const [bucket, entry] of [...buckets.entries()].sort(([a], [b]) => a - b)) {
    const at = new Date((firstIndex + bucket * periodMinutes) * 60_000);
    out.invocations.push({ at, value: entry.invocations });
    out.errors.push({ at, value: entry.errors });
  }
  return out;
}

/** A version's Duration p99 over some minutes, its minutes weighted by its invocations. */
export function versionP99(parts: readonly VersionMinute[]): number | undefined {
  return mixtureQuantile(
    parts.map((p) => ({ weight: p.invocations, knots: durationKnots(p.duration.p50, p.duration.p95, p.duration.p99) })),
    0.99,
  );
}

/** What a Logs Insights query over the REPORT lines would count: one line per invocation. */
export function coldStartWindow(minutes: readonly MinuteSample[]): ColdStartWindow {
  const coldStarts = sum(minutes, (m) => m.coldStarts);
  const withColdStarts = minutes.filter((m) => m.coldStarts > 0);
  return {
    invocations: sum(minutes, (m) => m.invocations),
    coldStarts,
    initAvgMs: coldStarts > 0 ? round1(sum(withColdStarts, (m) => m.initAvgMs * m.coldStarts) / coldStarts) : undefined,
    initMaxMs: coldStarts > 0 ? Math.max(...withColdStarts.map((m) => m.initMaxMs)) : undefined,
  };
}

/** The service graph's edges from the function to its downstream services over the window. */
export function downstreamStats(minutes: readonly MinuteSample[]): DownstreamStats[] {
  const byName = new Map<string, { type: string; parts: MinuteSample['downstream'] }>();
  for (const minute of minutes) {
    for (const d of minute.downstream) {
      const entry = byName.get(d.name) ?? { type: d.type, parts: [] };
      entry.parts.push(d);
      byName.set(d.name, entry);
    }
  }
  const stats: DownstreamStats[] = [];
  for (const [name, { type, parts }] of byName) {
    const requests = sum(parts, (d) => d.requests);
    if (requests === 0) continue;
    stats.push({
      name,
      type,
      requests,
      errors: sum(parts, (d) => d.errors),
      faults: sum(parts, (d) => d.faults),
      averageMs: round1(sum(parts, (d) => d.avgMs * d.requests) / requests),
      p95Ms: mixtureQuantile(
        parts.map((d) => ({ weight: d.requests, knots: latencyKnots(d.avgMs, d.p95Ms) })),
        0.95,
      ),
    });
  }
  // Busiest first, as the AWS adapter orders the service graph's edges.
  return stats.sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name));
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += pick(item);
  return total;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
