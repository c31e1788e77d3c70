import { formatCount, formatDuration, formatMs, formatPercent, formatWindow, plural, slowdownNote } from '../format';
import {
  concurrencyCell,
  dlqCell,
  notableSlowdown,
  RESERVATION_READS,
  rowNotes,
  type FleetReport,
} from '../runbook/fleet';
import { formatUsd } from '../cost/money';
import type { FleetCost } from '../runbook/fleet';
import { placeOf } from '../targets';
import { latencyNote, requestCount, type RenderOptions } from './render-report';
import { paintStatus, statusMark, type Style } from './style';

/** `us-east-1`, or the accounts and regions a fleet spans: `prod, staging · us-east-1, eu-west-1`. */
export function fleetPlace(fleet: FleetReport): string {
  if (!fleet.targets) return fleet.region;
  return `${[...new Set(fleet.targets.map((t) => t.account))].join(', ')} · ${fleet.region}`;
}

/** One line per managed function, worst first. */
export function renderFleet(fleet: FleetReport, style: Style, options: RenderOptions = {}): string {
  const start = new Date(fleet.window.start);
  const end = new Date(fleet.window.end);
  const lines = [
    `${style.bold('fleet')}  ${fleetPlace(fleet)} · last ${formatDuration(end.getTime() - start.getTime())} (${formatWindow(start, end)}) · ${plural(fleet.functions.length, 'managed function')}` +
      (fleet.source === 'simulated' ? style.dim(' · simulated') : ''),
    '',
  ];
  if (fleet.functions.length === 0) {
    lines.push(
      `  No function is tagged gofn:managed=true in ${fleet.targets ? 'these accounts and regions' : 'this region'}.`,
    );
  }
  // Accounts and regions: a column saying where each function is, when the fleet spans several.
  const places = fleet.functions.map((f) => (f.region ? placeOf(f.account, f.region) : ''));
  const unlisted = (fleet.targets ?? []).filter((t) => t.problem).map((t) => placeOf(t.account, t.region));
  const placeWidth = fleet.targets
    ? Math.max(0, ...places.map((p) => p.length), ...unlisted.map((p) => p.length)) + 2
    : 0;
  const nameWidth = Math.max(8, ...fleet.functions.map((f) => f.function.length)) + 2;
  const costs = fleet.cost !== undefined;
  const table = fleet.functions.map((f) => [
    ...(costs ? [f.monthlyCost === null ? '$?/mo' : `${formatUsd(f.monthlyCost)}/mo`] : []),
    `${formatCount(f.invocations)} inv`,
    `${formatCount(f.errors)} err (${formatPercent(f.errorPercent)})`,
    `${formatCount(f.throttles)} throttled (${formatPercent(f.throttledPercent)})`,
    `conc ${concurrencyCell(f)}`,
    `dlq ${dlqCell(f)}`,
    (f.p99Ms === null ? 'p99 —' : `p99 ${formatMs(f.p99Ms)}`) + slowdownNote(notableSlowdown(f)),
  ]);
  const last = costs ? 6 : 5;
  const widths = Array.from({ length: last + 1 }, (_, i) => Math.max(...table.map((cells) => cells[i]!.length), 0));
  fleet.functions.forEach((f, row) => {
    const cells = table[row]!.map((cell, i) => (i === last ? cell : cell.padStart(widths[i]!)));
    const notes = rowNotes(f);
    lines.push(
      `  ${paintStatus(style, f.status, statusMark[f.status])} ${places[row]!.padEnd(placeWidth)}${f.function.padEnd(nameWidth)}${cells.join('   ')}` +
        (notes.length > 0 ? style.dim(` · ${notes.join(' · ')}`) : ''),
    );
  });
  for (const where of fleet.targets?.filter((t) => t.problem) ?? []) {
    lines.push(
      `  ${paintStatus(style, 'unknown', statusMark.unknown)} ${placeOf(where.account, where.region).padEnd(placeWidth)}` +
        style.dim(`its functions are unknown: ${where.problem}`),
    );
  }
  lines.push('');
  if (fleet.cost) lines.push(...costFooter(fleet.cost, style));
  lines.push(
    style.dim(
      `listed in ${(fleet.durationMs / 1000).toFixed(1)} s${latencyNote(options)} · ${requestCount(fleet)}` +
        (fleet.functions.length > 0
          ? ` · ${fleet.alias} graded on errors, throttles, p99 and concurrency against the window before, ` +
            `concurrency against the reservation (read for the ${RESERVATION_READS} busiest), DLQ depth (tag gofn:dlq); ` +
            '`gofn status <function>` walks the whole runbook'
          : ''),
    ),
  );
  return lines.join('\n') + '\n';
}

/** The cost column's total and what it rests on. */
function costFooter(cost: FleetCost, style: Style): string[] {
  if (cost.days === 0) return [style.dim(`cost not read: ${cost.reason ?? 'unknown reason'}`)];
  return [
    `${style.bold(`${formatUsd(cost.month)}/mo`)} for the fleet` +
      style.dim(
        ` · a month at the last 7 days' rate, list prices of ${cost.pricesDate}, without the init time of cold starts` +
          (cost.unpriced > 0 ? ` · ${plural(cost.unpriced, 'function')} not priced: ${cost.reason ?? ''}` : '') +
          ' · `gofn cost` says what bites and how to size each',
      ),
  ];
}
