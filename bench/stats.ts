/**
 * Summaries of repeated measurements, the result record every benchmark returns, and the table
 * `npm run bench` prints.
 */

export interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
  p99: number;
}

export interface BaselineFigures {
  /** What the baseline is, in a few words. */
  what: string;
  median: number;
  min: number;
  max: number;
}

export interface BenchResult {
  name: string;
  unit: string;
  runs: number;
  median: number;
  min: number;
  max: number;
  /** Only where the target speaks of a tail. */
  p99?: number;
  /** Measured in the same run, interleaved with the measurement where it is timed. */
  baseline: BaselineFigures | null;
  /** median ÷ baseline median. */
  ratio: number | null;
  target: string;
  pass: boolean;
  /** Anything else the benchmark measured: counts, breakdowns, the configuration it ran with. */
  details?: Record<string, unknown>;
}

/** Nearest-rank percentile of sorted values (`p` in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summary of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { runs: sorted.length, median, min: sorted[0]!, max: sorted[sorted.length - 1]!, p99: percentile(sorted, 99) };
}

export function baselineOf(what: string, values: readonly number[]): BaselineFigures {
  const s = summarize(values);
  return { what, median: s.median, min: s.min, max: s.max };
}

/** Rounds for the JSON file: whole units above 100, three significant digits below. */
export function tidy(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}

export function result(fields: {
  name: string;
  unit: string;
  measured: Summary;
  withP99?: boolean;
  baseline: BaselineFigures | null;
  target: string;
  pass: boolean;
  details?: Record<string, unknown>;
}): BenchResult {
  const { measured, baseline } = fields;
  return {
    name: fields.name,
    unit: fields.unit,
    runs: measured.runs,
    median: tidy(measured.median),
    min: tidy(measured.min),
    max: tidy(measured.max),
    ...(fields.withP99 ? { p99: tidy(measured.p99) } : {}),
    baseline: baseline
      ? { what: baseline.what, median: tidy(baseline.median), min: tidy(baseline.min), max: tidy(baseline.max) }
      : null,
    ratio: baseline && baseline.median > 0 ? Number((measured.median / baseline.median).toFixed(3)) : null,
    target: fields.target,
    pass: fields.pass,
    ...(fields.details ? { details: fields.details } : {}),
  };
}

/** A fixed-width table of the results, for stdout. */
export function table(results: readonly BenchResult[]): string {
  const header = ['benchmark', 'unit', 'runs', 'median', 'min', 'max', 'p99', 'baseline median', 'ratio', 'target', ''];
  const rows = results.map((r) => [
    r.name,
    r.unit,
    String(r.runs),
    show(r.median),
    show(r.min),
    show(r.max),
    r.p99 === undefined ? '' : show(r.p99),
    r.baseline ? show(r.baseline.median) : '—',
    r.ratio === null ? '—' : r.ratio.toFixed(2),
    r.target,
    r.pass ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i >= 2 && i <= 8 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function show(value: number): string {
  return String(tidy(value));
}

/** Milliseconds since an arbitrary origin, sub-millisecond. */
export function nowMs(): number {
  return performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
