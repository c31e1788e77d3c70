import { setMaxListeners } from 'node:events';
import { CallLedger, countCalls } from '../calls';
import { gradeAbove, percentOf, round, statusRank, worst } from '../checks/grade';
import type { StepStatus, ThresholdPair } from '../checks/types';
import type { FleetMetrics, Sources, TimeWindow } from '../ports';
import type { Runbook } from './schema';
import { windowsEndingAt } from './window';

export interface FleetRow {
  function: string;
  status: StepStatus;
  invocations: number;
  errors: number;
  errorPercent: number;
  throttles: number;
  throttledPercent: number;
  p99Ms: number | null;
  /** p99 now divided by p99 in the window before; null when either window was too quiet. */
  p99Ratio: number | null;
}

export interface FleetReport {
  region: string;
  window: { start: string; end: string };
  /** Worst status first, then most errors. */
  functions: FleetRow[];
  awsCalls: Record<string, number>;
  durationMs: number;
  source: string;
}

export interface FleetOptions {
  sources: Sources;
  runbook: Runbook;
  windowMs: number;
  now?: Date;
  deadlineMs: number;
  /** Called with the number of functions seen so far, for progress output on big fleets. */
  onProgress?: (listed: number) => void;
}

/** GetMetricData takes 500 queries; the fleet asks 4 per function. */
const FUNCTIONS_PER_REQUEST = 125;
/** GetMetricData requests in flight at once: well inside its 50 TPS quota, and bounded memory. */
const MAX_IN_FLIGHT = 5;

/**
 * Every managed function with its window totals. Tag pages are processed as they arrive: each
 * full batch of 125 functions goes out as one GetMetricData request while listing continues,
 * so a large fleet costs the listing chain plus one metrics round, and is never held twice.
 */
export async function fleetOverview(options: FleetOptions): Promise<FleetReport> {
  const ledger = new CallLedger();
  const startedAt = performance.now();
  const { window } = windowsEndingAt(options.now ?? new Date(), options.windowMs);
  const signal = AbortSignal.timeout(options.deadlineMs);
  // Every request of the listing listens to this one signal; a big fleet sends more than ten.
  setMaxListeners(0, signal);
  const thresholds = fleetThresholds(options.runbook);

  const rows = await countCalls(ledger, async () => {
    const collected: FleetRow[] = [];
    const inFlight = new Set<Promise<void>>();
    let batch: string[] = [];
    let listed = 0;

    const launch = async (names: string[]) => {
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const request = fetchBatch(options.sources, names, window, signal, thresholds, collected);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request)).catch(() => undefined);
    };

    for await (const page of options.sources.functions.managedFunctionPages({ signal })) {
      listed += page.length;
      options.onProgress?.(listed);
      for (const ref of page) {
        batch.push(ref.name);
        if (batch.length === FUNCTIONS_PER_REQUEST) {
          await launch(batch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) await launch(batch);
    await Promise.all(inFlight);
    return collected;
  });

  rows.sort(
    (a, b) =>
      statusRank(b.status) - statusRank(a.status) || b.errors - a.errors || a.function.localeCompare(b.function),
  );
  return {
    region: options.sources.region,
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    functions: rows,
    awsCalls: ledger.snapshot(),
    durationMs: Math.round(performance.now() - startedAt),
    source: options.sources.kind,
  };
}

/** A p99 this much above the window before is worth showing next to it, graded or not. */
const NOTABLE_SLOWDOWN = 1.5;

/** The row's p99 slowdown when it is worth showing, for the renderers. */
export function notableSlowdown(row: FleetRow): number | undefined {
  return row.p99Ratio !== null && row.p99Ratio >= NOTABLE_SLOWDOWN ? row.p99Ratio : undefined;
}

interface FleetThresholds {
  errorPercent: ThresholdPair | undefined;
  throttledPercent: ThresholdPair | undefined;
  slowdownRatio: ThresholdPair | undefined;
}

/**
 * Below this many invocations in either window a p99 is a handful of requests, and comparing
 * two of them says nothing.
 */
const MIN_INVOCATIONS_TO_COMPARE = 50;

/**
 * The overview grades what its metrics can show, with the runbook's own thresholds: errors
 * (error traces), throttles, and the function's p99 against the window before (graded like a
 * downstream slowdown, its usual cause; a cold-start storm shows there too).
 */
function fleetThresholds(runbook: Runbook): FleetThresholds {
  let errorPercent: ThresholdPair | undefined;
  let throttledPercent: ThresholdPair | undefined;
  let slowdownRatio: ThresholdPair | undefined;
  for (const step of runbook.steps) {
    if (step.check === 'error-traces') errorPercent ??= step.thresholds.errorPercent;
    if (step.check === 'throttles') throttledPercent ??= step.thresholds.throttledPercent;
    if (step.check === 'downstream-latency') slowdownRatio ??= step.thresholds.slowdownRatio;
  }
  return { errorPercent, throttledPercent, slowdownRatio };
}

async function fetchBatch(
  sources: Sources,
  names: string[],
  window: TimeWindow,
  signal: AbortSignal,
  thresholds: FleetThresholds,
  into: FleetRow[],
): Promise<void> {
  const metrics = await sources.metrics.getFleetMetrics(names, window, { signal });
  for (const name of names) into.push(toRow(name, metrics.get(name), thresholds));
}

function toRow(name: string, m: FleetMetrics | undefined, thresholds: FleetThresholds): FleetRow {
  const invocations = m?.invocations ?? 0;
  const errors = m?.errors ?? 0;
  const throttles = m?.throttles ?? 0;
  const errorPercent = percentOf(errors, invocations);
  const throttledPercent = percentOf(throttles, invocations + throttles);
  const p99 = m?.durationP99Ms;
  const p99Before = m?.previous.durationP99Ms;
  const busyEnough = Math.min(invocations, m?.previous.invocations ?? 0) >= MIN_INVOCATIONS_TO_COMPARE;
  const p99Ratio = busyEnough && p99 !== undefined && p99Before ? p99 / p99Before : undefined;
  return {
    function: name,
    status: worst(
      gradeAbove(errorPercent, thresholds.errorPercent),
      gradeAbove(throttledPercent, thresholds.throttledPercent),
      gradeAbove(p99Ratio, thresholds.slowdownRatio),
    ),
    invocations,
    errors,
    errorPercent: round(errorPercent),
    throttles,
    throttledPercent: round(throttledPercent),
    p99Ms: m?.durationP99Ms === undefined ? null : Math.round(m.durationP99Ms),
    p99Ratio: p99Ratio === undefined ? null : round(p99Ratio),
  };
}
