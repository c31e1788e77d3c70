import { setMaxListeners } from 'node:events';
import { CallLedger, countCalls } from '../calls';
import { costReport } from '../cost/collect';
import { gradeAbove, isAtLeastWarn, percentOf, round, statusRank, worst } from '../checks/grade';
import type { StepStatus, ThresholdPair } from '../checks/types';
import { describeError, ErrorCode, GofnError } from '../errors';
import { formatCount, formatPercent, formatRatio } from '../format';
import {
  FLEET_QUERIES_PER_REQUEST,
  fleetQueriesFor,
  type FleetEntry,
  type FleetTarget,
  type ManagedFunctionRef,
  type Sources,
  type TimeWindow,
} from '../ports';
import type { Runbook } from './schema';
import { windowsEndingAt } from './window';

/** The tag naming a function's dead-letter queue (an SQS queue name or ARN), so the fleet can read its depth. */
export const DLQ_TAG = 'gofn:dlq';
/** The tag naming the service a function belongs to; the same service in several regions shares it. */
export const SERVICE_TAG = 'service';

/**
 * How the fleet knows a function's reserved concurrency: `reserved` or `none` as Lambda said,
 * `unknown` when it could not be read, `not-read` when the overview did not spend a request on it.
 */
export type FleetReservation = 'reserved' | 'none' | 'unknown' | 'not-read';

/** The signals the overview grades, each after the runbook step whose thresholds it uses. */
export type FleetSignal = 'throttles' | 'concurrency' | 'cold-starts' | 'p99' | 'errors' | 'dlq';

export interface FleetFinding {
  signal: FleetSignal;
  status: StepStatus;
  /** E.g. "errors 2.2%". */
  text: string;
}

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
  peakConcurrency: number | null;
  /** Peak concurrency now divided by the window before's; null when either window was too quiet. */
  concurrencyRatio: number | null;
  reservedConcurrency: number | null;
  reservation: FleetReservation;
  /** Peak concurrency as a percentage of the reservation. */
  concurrencyPercent: number | null;
  /** The DLQ the function names (tag gofn:dlq) and the messages it holds (null: not served). */
  dlq: { queue: string; messages: number | null } | null;
  /** What made the row warn or critical, in the runbook's order. */
  findings: FleetFinding[];
  /** What the overview could not grade for this function, e.g. "Duration p99 not served". */
  notGraded: string[];
  /** Why the row is unknown: the request holding its metrics failed. */
  reason: string | null;
  /**
   * What the function costs a month at the recent rate (`gofn cost`), when the overview was asked
   * for costs; null when not asked, or it could not be priced.
   */
  monthlyCost: number | null;
  // Accounts and regions (src/runbook/targets.ts): set when the fleet spans configured targets.
  /** The configured account's name. */
  account?: string;
  region?: string;
  /** The function's `service` tag: one service deployed in several regions shares it. */
  service?: string;
}

/** The cost column of the overview: list prices over whole days, as `gofn cost` reads them. */
export interface FleetCost {
  /** Sum of the rows' monthly costs. */
  month: number;
  days: number;
  pricesDate: string;
  /** Functions that could not be priced, with why (the first reason). */
  unpriced: number;
  reason: string | null;
}

/** One account and region of a fleet that spans several, and whether it could be listed. */
export interface FleetTargetStatus {
  account: string;
  accountId: string | null;
  region: string;
  /** Managed functions listed there. */
  functions: number;
  /** Why it could not be listed (its role could not be assumed, its endpoint failed); null when it was. */
  problem: string | null;
}

export interface FleetReport {
  region: string;
  alias: string;
  window: { start: string; end: string };
  /** Worst status first, then most signals at that status, then most errors. */
  functions: FleetRow[];
  awsCalls: Record<string, number>;
  durationMs: number;
  source: string;
  /** Present when the overview was asked for costs. */
  cost?: FleetCost;
  /** The accounts and regions the fleet spans, when configured (src/runbook/targets.ts). */
  targets?: FleetTargetStatus[];
}

export interface FleetOptions {
  sources: Sources;
  runbook: Runbook;
  windowMs: number;
  /** The alias whose requests are graded, as `gofn status <function>` grades them. Default `live`. */
  alias?: string;
  now?: Date;
  deadlineMs: number;
  /** Called with the number of functions seen so far, for progress output on big fleets. */
  onProgress?: (listed: number) => void;
  /** Add what each function costs a month (one more batched read, see `gofn cost`). */
  cost?: boolean;
  /** `status` (worst first, the default) or `cost` (most expensive first; implies `cost`). */
  sort?: 'status' | 'cost';
  /** Only the functions this accepts (`service=…`: those tagged with the service); all by default. */
  select?: (ref: ManagedFunctionRef) => boolean;
}

/** GetMetricData requests in flight at once: well inside its 50 TPS quota, and bounded memory. */
const MAX_IN_FLIGHT = 5;
/**
 * Reservations read per overview (GetFunctionConcurrency, one request each, on Lambda's control
 * plane quota of 15 a second shared with the whole account): the busiest functions', where a
 * reservation is likeliest to bind.
 */
export const RESERVATION_READS = 10;
const RESERVATION_READS_IN_FLIGHT = 5;

interface Collected {
  target: FleetTarget;
  entry: FleetEntry;
  service: string | undefined;
}

/**
 * Every managed function, graded on what one batched GetMetricData can show, with the runbook's
 * own thresholds. Tag pages are processed as they arrive: each full request of 500 queries goes
 * out while listing continues, so a large fleet costs the listing chain plus one metrics round,
 * and is never held twice. A request CloudWatch refuses leaves its functions unknown and the rest
 * graded. Then the reservations of the busiest functions are read.
 */
export async function fleetOverview(options: FleetOptions): Promise<FleetReport> {
  const ledger = new CallLedger();
  const startedAt = performance.now();
  const alias = options.alias ?? 'live';
  const { window } = windowsEndingAt(options.now ?? new Date(), options.windowMs);
  const signal = AbortSignal.timeout(options.deadlineMs);
  // Every request of the listing listens to this one signal; a big fleet sends more than ten.
  setMaxListeners(0, signal);
  const grading = fleetGrading(options.runbook);

  const withCost = options.cost === true || options.sort === 'cost';
  const refs: ManagedFunctionRef[] = [];
  const rows = await countCalls(ledger, async () => {
    const collected: Collected[] = [];
    const inFlight = new Set<Promise<void>>();
    let batch: FleetTarget[] = [];
    const services = new Map<string, string | undefined>();
    let queries = 0;
    let listed = 0;

    const launch = async (targets: FleetTarget[]) => {
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const request = fetchBatch(options.sources, targets, window, signal, collected, services);
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request)).catch(() => undefined);
    };

    for await (const page of options.sources.functions.managedFunctionPages({ signal })) {
      listed += page.length;
      options.onProgress?.(listed);
      if (withCost) refs.push(...(options.select ? page.filter(options.select) : page));
      for (const ref of page) {
        if (options.select && !options.select(ref)) continue;
        const target = targetOf(ref, alias);
        const cost = fleetQueriesFor(target);
        if (queries + cost > FLEET_QUERIES_PER_REQUEST) {
          await launch(batch);
          batch = [];
          queries = 0;
        }
        batch.push(target);
        services.set(target.functionName, ref.tags[SERVICE_TAG]);
        queries += cost;
      }
    }
    if (batch.length > 0) await launch(batch);
    await Promise.all(inFlight);
    const reservations = await readReservations(options.sources, collected, signal);
    return collected.map(({ target, entry, service }) => {
      const row = toRow(target, entry, reservations.get(target.functionName), grading);
      if (service) row.service = service;
      return row;
    });
  });

  const left = Math.floor(options.deadlineMs - (performance.now() - startedAt));
  const cost = withCost ? await addCosts(options, refs, rows, left, ledger) : undefined;
  const ordered = sortFleet(rows, options.sort);
  return {
    region: options.sources.region,
    alias,
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    functions: ordered,
    awsCalls: ledger.snapshot(),
    durationMs: Math.round(performance.now() - startedAt),
    source: options.sources.kind,
    ...(cost ? { cost } : {}),
  };
}

/**
 * The monthly cost of every row, from `gofn cost`'s batched read over the functions already
 * listed (configurations, usage and traced requests; no memory query, Cost Explorer or Compute
 * Optimizer). A failure leaves the column empty with the reason; the grades stand.
 */
async function addCosts(
  options: FleetOptions,
  refs: ManagedFunctionRef[],
  rows: FleetRow[],
  remainingMs: number,
  ledger: CallLedger,
): Promise<FleetCost> {
  try {
    if (remainingMs < 1000) throw new GofnError(ErrorCode.Timeout, 'The deadline passed before the costs were read.');
    // Inside the overview's ledger, the cost read's own ledger counts its requests there too.
    const report = await countCalls(ledger, () =>
      costReport({
        sources: options.sources,
        selection: { kind: 'listed', functions: refs },
        alias: options.alias,
        now: options.now,
        memoryDays: 0,
        billed: false,
        recommendations: false,
        deadlineMs: remainingMs,
      }),
    );
    const monthly = new Map(report.functions.map((f) => [f.function, f.total.month]));
    for (const row of rows) row.monthlyCost = monthly.get(row.function) ?? null;
    return {
      month: report.total.month,
      days: report.window.days,
      pricesDate: report.prices.date,
      unpriced: report.unpriced.length,
      reason: report.unpriced[0]?.reason ?? null,
    };
  } catch (error) {
    return { month: 0, days: 0, pricesDate: '', unpriced: rows.length, reason: describeError(error) };
  }
}

/**
 * The fleet's order: worst status first; among equals, the row with more signals at that status
 * (throttled, slow and saturated beats slow alone), then the most errors (a count that noise can
 * swap between two rows is the last word, not the first), then the name, account and region.
 * Sorted by cost, the most expensive (unpriced last) comes first. Each row's keys are computed
 * once: a comparator that filtered findings and called localeCompare on each of a 6,000-row
 * fleet's ~80,000 comparisons made more garbage than the rows themselves.
 */
export function sortFleet(rows: readonly FleetRow[], sort: 'status' | 'cost' = 'status'): FleetRow[] {
  const keyed = rows.map((row) => ({
    row,
    cost: sort === 'cost' ? (row.monthlyCost ?? -1) : 0,
    rank: statusRank(row.status),
    atStatus: row.findings.filter((f) => f.status === row.status).length,
  }));
  keyed.sort(
    (a, b) =>
      b.cost - a.cost ||
      b.rank - a.rank ||
      b.atStatus - a.atStatus ||
      b.row.errors - a.row.errors ||
      byText(a.row.function, b.row.function) ||
      byText(a.row.account ?? '', b.row.account ?? '') ||
      byText(a.row.region ?? '', b.row.region ?? ''),
  );
  return keyed.map((k) => k.row);
}

/** Code-unit order: names of functions, accounts and regions are ASCII. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function targetOf(ref: ManagedFunctionRef, alias: string): FleetTarget {
  return { functionName: ref.name, alias, deadLetterQueue: queueNameOf(ref.tags[DLQ_TAG]) };
}

/** A queue name from the tag: the name itself, or the last part of an SQS ARN. */
export function queueNameOf(tag: string | undefined): string | undefined {
  const value = tag?.trim();
  if (!value) return undefined;
  const name = value.startsWith('arn:') ? value.split(':').at(-1) : value;
  return name && /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name) ? name : undefined;
}

async function fetchBatch(
  sources: Sources,
  targets: FleetTarget[],
  window: TimeWindow,
  signal: AbortSignal,
  into: Collected[],
  services: Map<string, string | undefined>,
): Promise<void> {
  let entries: Map<string, FleetEntry>;
  try {
    entries = await sources.metrics.getFleetMetrics(targets, window, { signal });
  } catch (error) {
    // Past the deadline (or a source that failed as a whole): these functions are unknown, the
    // ones already answered keep their grades.
    const reason = describeError(error);
    entries = new Map(targets.map((t) => [t.functionName, { served: false, reason }]));
  }
  for (const target of targets) {
    into.push({
      target,
      entry: entries.get(target.functionName) ?? { served: false, reason: 'the metrics source did not answer for it' },
      service: services.get(target.functionName),
    });
  }
}

type ReservationRead = { state: 'reserved'; value: number } | { state: 'none' } | { state: 'unknown'; reason: string };

/** GetFunctionConcurrency for the RESERVATION_READS functions with the highest peak concurrency. */
async function readReservations(
  sources: Sources,
  collected: Collected[],
  signal: AbortSignal,
): Promise<Map<string, ReservationRead>> {
  const busiest = collected
    .flatMap(({ target, entry }) =>
      entry.served && (entry.metrics.peakConcurrency ?? 0) > 0
        ? [{ name: target.functionName, peak: entry.metrics.peakConcurrency ?? 0 }]
        : [],
    )
    .sort((a, b) => b.peak - a.peak || a.name.localeCompare(b.name))
    .slice(0, RESERVATION_READS)
    .map((f) => f.name);
  const reads = new Map<string, ReservationRead>();
  let next = 0;
  const worker = async () => {
    while (next < busiest.length) {
      const name = busiest[next++]!;
      try {
        const value = await sources.functions.getReservedConcurrency(name, { signal });
        reads.set(name, value === undefined ? { state: 'none' } : { state: 'reserved', value });
      } catch (error) {
        reads.set(name, { state: 'unknown', reason: describeError(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(RESERVATION_READS_IN_FLIGHT, busiest.length) }, worker));
  return reads;
}

/** A p99 this much above the window before is worth showing next to it, graded or not. */
const NOTABLE_SLOWDOWN = 1.5;

/** The row's p99 slowdown when it is worth showing, for the renderers. */
export function notableSlowdown(row: FleetRow): number | undefined {
  return row.p99Ratio !== null && row.p99Ratio >= NOTABLE_SLOWDOWN ? row.p99Ratio : undefined;
}

interface FleetGrading {
  errorPercent: ThresholdPair | undefined;
  throttledPercent: ThresholdPair | undefined;
  concurrencyPercent: ThresholdPair | undefined;
  slowdownRatio: ThresholdPair | undefined;
  /** The cold-start step's spike thresholds, applied to the jump in concurrency. */
  surgeRatio: ThresholdPair | undefined;
  dlqMessages: ThresholdPair | undefined;
  /** Below this many invocations in either window, comparing them says nothing. */
  minInvocations: number;
}

/** The cold-start step's default, when the runbook has no cold-start step. */
const DEFAULT_MIN_INVOCATIONS = 50;

/**
 * The overview grades what its metrics can show, with the runbook's own thresholds:
 * - errors (error traces) and throttles;
 * - peak concurrency against the reservation, where it was read (throttles);
 * - the function's p99 against the window before, graded like a downstream slowdown, its usual cause;
 * - peak concurrency against the window before, graded like a cold-start spike: every execution
 *   environment beyond those already running starts cold, and the Duration metric does not
 *   include init time, so this is how a cold-start storm shows in metrics;
 * - the depth of the DLQ the function names (dlq).
 */
function fleetGrading(runbook: Runbook): FleetGrading {
  const grading: FleetGrading = {
    errorPercent: undefined,
    throttledPercent: undefined,
    concurrencyPercent: undefined,
    slowdownRatio: undefined,
    surgeRatio: undefined,
    dlqMessages: undefined,
    minInvocations: DEFAULT_MIN_INVOCATIONS,
  };
  let minInvocations: number | undefined;
  for (const step of runbook.steps) {
    if (step.check === 'error-traces') grading.errorPercent ??= step.thresholds.errorPercent;
    if (step.check === 'throttles') {
      grading.throttledPercent ??= step.thresholds.throttledPercent;
      grading.concurrencyPercent ??= step.thresholds.concurrencyPercent;
    }
    if (step.check === 'downstream-latency') grading.slowdownRatio ??= step.thresholds.slowdownRatio;
    if (step.check === 'cold-starts') {
      grading.surgeRatio ??= step.thresholds.spikeRatio;
      minInvocations ??= step.minInvocations;
    }
    if (step.check === 'dlq') grading.dlqMessages ??= step.thresholds.messages;
  }
  grading.minInvocations = minInvocations ?? DEFAULT_MIN_INVOCATIONS;
  return grading;
}

function toRow(
  target: FleetTarget,
  entry: FleetEntry,
  reservation: ReservationRead | undefined,
  grading: FleetGrading,
): FleetRow {
  const queue = target.deadLetterQueue;
  if (!entry.served) {
    return {
      ...emptyRow(target.functionName),
      status: 'unknown',
      dlq: queue ? { queue, messages: null } : null,
      reason: entry.reason,
    };
  }
  const m = entry.metrics;
  const { invocations, errors, throttles } = m;
  const requests = invocations + throttles;
  const errorPercent = percentOf(errors, invocations);
  const throttledPercent = percentOf(throttles, requests);
  const busyEnough = Math.min(invocations, m.previous.invocations) >= grading.minInvocations;
  const p99 = m.durationP99Ms;
  const p99Ratio =
    busyEnough && p99 !== undefined && m.previous.durationP99Ms ? p99 / m.previous.durationP99Ms : undefined;
  const peak = m.peakConcurrency;
  const concurrencyRatio =
    busyEnough && peak !== undefined && m.previous.peakConcurrency !== undefined
      ? peak / Math.max(m.previous.peakConcurrency, 1)
      : undefined;
  const reserved = reservation?.state === 'reserved' ? reservation.value : undefined;
  const concurrencyPercent =
    reserved !== undefined && reserved > 0 && peak !== undefined ? percentOf(peak, reserved) : undefined;
  const dlqMessages = queue ? m.deadLetterMessages : undefined;

  const graded: FleetFinding[] = [
    {
      signal: 'throttles',
      status: gradeAbove(throttledPercent, grading.throttledPercent),
      text: `throttled ${formatPercent(throttledPercent)}`,
    },
    {
      signal: 'concurrency',
      status: gradeAbove(concurrencyPercent, grading.concurrencyPercent),
      text: `concurrency ${formatCount(peak ?? 0)} of ${formatCount(reserved ?? 0)} reserved`,
    },
    {
      signal: 'cold-starts',
      status: gradeAbove(concurrencyRatio, grading.surgeRatio),
      text: `concurrency ${formatCount(m.previous.peakConcurrency ?? 0)} → ${formatCount(peak ?? 0)}: new environments start cold`,
    },
    {
      signal: 'p99',
      status: gradeAbove(p99Ratio, grading.slowdownRatio),
      text: `p99 ${formatRatio(p99Ratio ?? 1)} vs prev.`,
    },
    {
      signal: 'errors',
      status: gradeAbove(errorPercent, grading.errorPercent),
      text: `errors ${formatPercent(errorPercent)}`,
    },
    {
      signal: 'dlq',
      status: gradeAbove(dlqMessages, grading.dlqMessages),
      text: `${formatCount(dlqMessages ?? 0)} in DLQ ${queue ?? ''}`,
    },
  ];
  const measured = worst(...graded.map((finding) => finding.status));
  // Nothing ran: only what does not need traffic (a DLQ still holding messages) can say more.
  const status = requests === 0 && !isAtLeastWarn(measured) ? 'no-traffic' : measured;

  const notGraded = [...m.missing.map((name) => `${name} not served`)];
  if (reservation?.state === 'unknown') notGraded.push(`reservation unknown: ${reservation.reason}`);
  return {
    function: target.functionName,
    status,
    invocations,
    errors,
    errorPercent: round(errorPercent),
    throttles,
    throttledPercent: round(throttledPercent),
    p99Ms: p99 === undefined ? null : Math.round(p99),
    p99Ratio: p99Ratio === undefined ? null : round(p99Ratio),
    peakConcurrency: peak ?? null,
    concurrencyRatio: concurrencyRatio === undefined ? null : round(concurrencyRatio),
    reservedConcurrency: reserved ?? null,
    reservation: reservation?.state ?? 'not-read',
    concurrencyPercent: concurrencyPercent === undefined ? null : round(concurrencyPercent),
    dlq: queue ? { queue, messages: dlqMessages ?? null } : null,
    findings: graded.filter((finding) => isAtLeastWarn(finding.status)),
    notGraded,
    reason: null,
    monthlyCost: null,
  };
}

function emptyRow(name: string): FleetRow {
  return {
    function: name,
    status: 'unknown',
    invocations: 0,
    errors: 0,
    errorPercent: 0,
    throttles: 0,
    throttledPercent: 0,
    p99Ms: null,
    p99Ratio: null,
    peakConcurrency: null,
    concurrencyRatio: null,
    reservedConcurrency: null,
    reservation: 'not-read',
    concurrencyPercent: null,
    dlq: null,
    findings: [],
    notGraded: [],
    reason: null,
    monthlyCost: null,
  };
}

/**
 * What a row's line says beyond the counts every line shows (invocations, errors, throttles, p99,
 * concurrency, DLQ): that nothing ran, why it is unknown, a cold-start surge, what was not graded.
 */
export function rowNotes(row: FleetRow): string[] {
  if (row.status === 'unknown' && row.reason) return [`unknown: ${row.reason}`];
  const notes: string[] = [];
  if (row.status === 'no-traffic') notes.push('no traffic');
  notes.push(...row.findings.filter((f) => f.signal === 'cold-starts').map((f) => f.text), ...row.notGraded);
  return notes;
}

/** Peak concurrency, against the reservation when it was read: "50/100", "50", or "—". */
export function concurrencyCell(row: FleetRow): string {
  if (row.peakConcurrency === null) return '—';
  const peak = formatCount(row.peakConcurrency);
  if (row.reservedConcurrency !== null) return `${peak}/${formatCount(row.reservedConcurrency)}`;
  return row.reservation === 'none' ? `${peak} unreserved` : peak;
}

/** Messages in the DLQ the function names: a count, "?" when not served, "—" when it names none. */
export function dlqCell(row: FleetRow): string {
  if (!row.dlq) return '—';
  return row.dlq.messages === null ? '?' : formatCount(row.dlq.messages);
}
