import { formatClock, formatCount, formatPercent } from '../format';
import type { MetricPoint } from '../ports';
import { gradeAbove, isAtLeastWarn, percentOf, round, worst } from './grade';
import { concurrencyLink, metricsLink } from './links';
import type { CheckParams } from './params';
import type { Reservation } from './evidence';
import type { ActionHints, CheckContext, CheckResult } from './types';

/** Lambda keeps this much of the account's concurrency unreserved; it cannot be reserved. */
const MINIMUM_UNRESERVED = 100;

export async function throttlesCheck(ctx: CheckContext, params: CheckParams<'throttles'>): Promise<CheckResult> {
  const { fn, window } = ctx;
  const [metrics, reservation] = await Promise.all([ctx.evidence.metrics(), ctx.evidence.reservedConcurrency()]);
  const { invocations, throttles, peakConcurrency } = metrics.current;
  const requests = invocations + throttles;
  const links = [metricsLink(fn.region, fn.name, window), concurrencyLink(fn.region, fn.name)];
  const reserved = reservation.state === 'reserved' ? reservation.value : undefined;
  const reservationEvidence = {
    reservedConcurrency: reserved ?? null,
    reservation: reservation.state,
    reservationUnknown: reservation.state === 'unknown' ? reservation.reason : null,
  };
  if (requests === 0) {
    return {
      status: 'no-traffic',
      summary: `no requests to ${fn.alias} in the window: no invocations, no throttles`,
      evidence: { invocations, throttles, peakConcurrency: peakConcurrency ?? null, ...reservationEvidence },
      links,
    };
  }

  const throttledPercent = percentOf(throttles, requests);
  const concurrencyPercent =
    reserved !== undefined && reserved > 0 && peakConcurrency !== undefined
      ? percentOf(peakConcurrency, reserved)
      : undefined;
  const status = worst(
    gradeAbove(throttledPercent, params.thresholds.throttledPercent),
    gradeAbove(concurrencyPercent, params.thresholds.concurrencyPercent),
    // The peak could not be set against a reservation that could not be read: that half of the
    // step is unknown, and a step with nothing worse to say is unknown with it.
    reservation.state === 'unknown' ? 'unknown' : 'ok',
  );

  // Account headroom costs a request; it only matters when the function is short of concurrency.
  const account = isAtLeastWarn(status) ? await ctx.evidence.accountConcurrency().catch(() => undefined) : undefined;
  const headroom = account ? Math.max(0, account.unreserved - MINIMUM_UNRESERVED) : undefined;
  const since = firstNonZero(metrics.series.throttles);

  // A step that warns without a single throttle warns about what is coming: say "yet", and show
  // how much of the reservation is used, so the line does not read as a contradiction.
  const parts = [
    throttles > 0
      ? `${formatCount(throttles)} throttled of ${formatCount(requests)} (${formatPercent(throttledPercent)})`
      : isAtLeastWarn(status)
        ? 'no throttles yet'
        : 'no throttles',
    concurrencyPart(peakConcurrency, reservation, concurrencyPercent),
  ];
  if (headroom !== undefined) parts.push(`account headroom ${formatCount(headroom)}`);
  if (throttles > 0 && since) parts.push(`since ${formatClock(since)}`);

  const saturated = concurrencyPercent !== undefined && concurrencyPercent >= 100;
  const headline = saturated
    ? `reserved concurrency ${formatCount(reserved ?? 0)} is saturated${since ? ` since ${formatClock(since)}` : ''}`
    : `${formatCount(throttles)} requests throttled (${formatPercent(throttledPercent)})${since ? ` since ${formatClock(since)}` : ''}`;

  return {
    status,
    summary: parts.join(' · '),
    headline,
    evidence: {
      invocations,
      throttles,
      throttledPercent: round(throttledPercent),
      peakConcurrency: peakConcurrency ?? null,
      ...reservationEvidence,
      concurrencyPercent: concurrencyPercent === undefined ? null : round(concurrencyPercent),
      accountUnreserved: account?.unreserved ?? null,
      headroom: headroom ?? null,
      throttlingSince: since?.toISOString() ?? null,
    },
    links,
    hints: raiseHint(reserved, headroom),
    reason:
      status === 'unknown' && reservation.state === 'unknown'
        ? `reserved concurrency could not be read: ${reservation.reason}`
        : undefined,
  };
}

/** "(no reserved concurrency)" only when Lambda said so; a reservation it could not read is unknown. */
function concurrencyPart(
  peak: number | undefined,
  reservation: Reservation,
  concurrencyPercent: number | undefined,
): string {
  if (peak === undefined) return 'peak concurrency not reported';
  switch (reservation.state) {
    case 'reserved':
      return (
        `peak concurrency ${formatCount(peak)} of ${formatCount(reservation.value)} reserved` +
        (concurrencyPercent === undefined ? '' : ` (${formatPercent(concurrencyPercent)})`)
      );
    case 'none':
      return `peak concurrency ${formatCount(peak)} (no reserved concurrency)`;
    case 'unknown':
      return `peak concurrency ${formatCount(peak)} (reserved concurrency unknown)`;
  }
}

function raiseHint(reserved: number | undefined, headroom: number | undefined): ActionHints | undefined {
  // Without reserved concurrency the function already draws on the shared pool; reserving is a
  // different decision than "raise", so gofn does not offer it.
  if (reserved === undefined) return undefined;
  const wanted = Math.max(reserved * 2, reserved + 10);
  const suggested = headroom === undefined ? wanted : Math.min(wanted, reserved + headroom);
  if (suggested <= reserved) return undefined;
  return { raiseConcurrency: { current: reserved, suggested, headroom } };
}

function firstNonZero(points: MetricPoint[]): Date | undefined {
  return points.find((p) => p.value > 0)?.at;
}
