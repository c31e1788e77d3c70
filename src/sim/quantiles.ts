/**
 * Percentiles over a window from per-minute percentiles. Averaging minute p95s would hide a
 * 10-minute slowdown inside a 3-hour window; CloudWatch would not. Instead each minute stands
 * for a latency distribution (piecewise linear through its known percentiles), weighted by its
 * traffic, and the window's percentile is read off the mixture.
 */

/** A point of a quantile function: a fraction `q` of requests took at most `value`. */
export interface Knot {
  q: number;
  value: number;
}

export interface WeightedDistribution {
  weight: number;
  /** Sorted by q from 0 to 1, values not decreasing. */
  knots: readonly Knot[];
}

export function durationKnots(p50: number, p95: number, p99: number): Knot[] {
  return [
    { q: 0, value: 0.4 * p50 },
    { q: 0.5, value: p50 },
    { q: 0.95, value: p95 },
    { q: 0.99, value: p99 },
    { q: 1, value: 1.15 * p99 },
  ];
}

export function latencyKnots(avgMs: number, p95Ms: number): Knot[] {
  const median = Math.min(avgMs, p95Ms);
  return [
    { q: 0, value: 0.3 * median },
    { q: 0.5, value: median },
    { q: 0.95, value: p95Ms },
    { q: 1, value: 1.3 * p95Ms },
  ];
}

/** The `q` quantile (0..1) of the mixture, or undefined when nothing carries weight. */
export function mixtureQuantile(parts: readonly WeightedDistribution[], q: number): number | undefined {
  const live = parts.filter((p) => p.weight > 0 && p.knots.length > 0);
  const total = live.reduce((sum, p) => sum + p.weight, 0);
  if (total <= 0) return undefined;
  let low = Math.min(...live.map((p) => p.knots[0]?.value ?? 0));
  let high = Math.max(...live.map((p) => p.knots[p.knots.length - 1]?.value ?? 0));
  // Bisection on the mixture's CDF; 50 halvings are far below a tenth of a millisecond.
  for (let i = 0; i < 50 && high - low > 1e-6; i++) {
    const middle = (low + high) / 2;
    const below = live.reduce((sum, p) => sum + p.weight * cdf(p.knots, middle), 0) / total;
    if (below >= q) high = middle;
    else low = middle;
  }
  return Math.round(high * 10) / 10;
}

/** Fraction of requests that took at most `value`, by linear interpolation between knots. */
function cdf(knots: readonly Knot[], value: number): number {
  const first = knots[0];
  if (!first || value < first.value) return 0;
  for (let i = 1; i < knots.length; i++) {
    const a = knots[i - 1] as Knot;
    const b = knots[i] as Knot;
    if (value < b.value) return a.q + ((b.q - a.q) * (value - a.value)) / (b.value - a.value);
  }
  return 1;
}
