import { formatCount, formatMs, plural } from '../format';
import { monthAcross, placeOfCost, type TargetCost } from '../cost/across-targets';
import { formatUsd } from '../cost/money';
import { COST_ITEMS, type CostItem, type CostReport, type FunctionCost } from '../cost/report';
import { sizingAdvice } from '../cost/rightsize';
import { MONTH_DAYS, PROJECTION_DAYS } from '../cost/estimate';
import { latencyNote, requestCount, type RenderOptions } from './render-report';
import type { Style } from './style';

const ITEM_HEADERS: Record<CostItem, string> = {
  requests: 'requests',
  compute: 'compute',
  provisioned: 'prov.',
  logs: 'logs',
  xray: 'x-ray',
};

export interface CostRenderOptions extends RenderOptions {
  /** Show how each amount was computed. */
  explain?: boolean;
}

/**
 * One line per function, most expensive first: each item a month at the recent rate, the total of
 * a month and of the window, the memory size and what to do about it.
 */
export function renderCost(report: CostReport, style: Style, options: CostRenderOptions = {}): string {
  const start = new Date(report.window.start);
  const end = new Date(report.window.end);
  const lines: string[] = [
    `${style.bold('cost')}  ${report.selection} · ${report.region} · last ${plural(report.window.days, 'day')} (${formatDays(start, end)}) and a month at the last ${PROJECTION_DAYS} days' rate` +
      (report.source === 'simulated' ? style.dim(' · simulated') : ''),
    '',
  ];
  if (report.functions.length === 0 && report.unpriced.length === 0) {
    lines.push(
      report.selection === 'every managed function'
        ? '  No function is tagged gofn:managed=true in this region.'
        : `  No managed function matches ${report.selection}.`,
    );
  }

  if (report.functions.length > 0) {
    const header = [
      'function',
      ...COST_ITEMS.map((i) => ITEM_HEADERS[i]),
      'month',
      `${report.window.days} days`,
      'memory',
    ];
    const rows = report.functions.map((f) => [
      f.function,
      ...COST_ITEMS.map((item) => amountCell(f, item)),
      formatUsd(f.total.month),
      formatUsd(f.total.window),
      `${formatCount(f.memoryMb)} ${f.architecture === 'arm64' ? 'arm' : 'x86'}`,
    ]);
    const total = [
      'total',
      ...COST_ITEMS.map((item) => formatUsd(report.total.items[item].month)),
      formatUsd(report.total.month),
      formatUsd(report.total.window),
      '',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length), total[i]!.length));
    const line = (cells: string[]) =>
      cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
    const indent = ' '.repeat(widths.reduce((n, w) => n + w + 2, 0));
    lines.push(`  ${style.dim(line(header))}  ${style.dim('advice')}`);
    report.functions.forEach((f, i) => {
      const advice = adviceOf(f);
      const [first, ...more] = advice.length > 0 ? advice : [style.dim('ok')];
      lines.push(`  ${line(rows[i]!)}  ${first}`);
      for (const next of more) lines.push(`  ${indent}${next}`);
    });
    lines.push(`  ${style.bold(line(total))}`);
  }
  for (const u of report.unpriced) lines.push(`  ${u.function}  ${style.dim(`not priced: ${u.reason}`)}`);

  lines.push('', ...billedLines(report, style), ...optimizerLines(report, style));
  if (options.explain) lines.push('', ...explainLines(report, style));
  for (const note of report.notes) lines.push(style.dim(note));
  lines.push(
    style.dim(
      `List prices of ${report.prices.date} (${report.prices.region}), before the free tier (1M requests, 400,000 GB-s, ` +
        `100,000 traces a month) and Savings Plans` +
        (options.explain ? '.' : '; --explain shows how each amount is computed.'),
    ),
    style.dim(`read in ${(report.durationMs / 1000).toFixed(1)} s${latencyNote(options)} · ${requestCount(report)}`),
  );
  return lines.join('\n') + '\n';
}

function amountCell(f: FunctionCost, item: CostItem): string {
  const amount = f.items[item];
  if (amount === null) return item === 'provisioned' ? '—' : '?';
  if (item === 'provisioned' && amount.month === 0 && amount.window === 0) return '—';
  return formatUsd(amount.month);
}

/** What to do about a function: its flags, then the size to move to. */
export function adviceOf(f: FunctionCost): string[] {
  const advice = f.flags.filter((flag) => flag.kind !== 'memory-far-above-use').map((flag) => flag.text);
  const sizing = sizingAdvice(f.rightSizing, f.usage.maxMemoryUsedMb);
  if (sizing) advice.push(sizing);
  else advice.push(...f.flags.filter((flag) => flag.kind === 'memory-far-above-use').map((flag) => flag.text));
  return advice;
}

function billedLines(report: CostReport, style: Style): string[] {
  const billed = report.billed;
  if (billed.status === 'skipped') return [style.dim(`Billed cost: ${billed.reason}.`)];
  if (billed.status === 'unavailable') return [`Billed cost: ${billed.reason}; the amounts above are estimates.`];
  const table = [
    [`${billed.tagKey}`, 'billed', 'estimated', 'difference'],
    ...billed.rows.map((r) => [
      r.service,
      formatUsd(r.billed),
      formatUsd(r.estimated),
      r.differencePercent === null ? formatUsd(r.difference) : `${signed(r.differencePercent)}%`,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    `Billed by Cost Explorer over the same days, by tag ${billed.tagKey}` +
      (billed.estimated ? style.dim(' (the newest days are still estimated by AWS)') : '') +
      ':',
    `  ${style.dim(line(table[0]!))}`,
    ...table.slice(1).map((row) => `  ${line(row)}`),
    style.dim(
      '  Billed cost counts what gofn does not (metrics, alarms, other tagged resources) and leaves out what it cannot know (free tier, Savings Plans, credits).',
    ),
  ];
}

function optimizerLines(report: CostReport, style: Style): string[] {
  if (!report.computeOptimizer.available) {
    return [`Compute Optimizer: ${report.computeOptimizer.reason ?? 'not read'}.`];
  }
  const lines = report.functions
    .filter((f) => f.computeOptimizer && f.computeOptimizer.status !== 'absent')
    .map((f) => `  ${f.function}: ${f.computeOptimizer!.text}`);
  const absent = report.functions.filter((f) => f.computeOptimizer?.status === 'absent').length;
  return [
    'Compute Optimizer, beside gofn:',
    ...lines,
    ...(absent > 0 ? [style.dim(`  ${plural(absent, 'function')} without a recommendation from it`)] : []),
  ];
}

function explainLines(report: CostReport, style: Style): string[] {
  const lines = [
    style.bold('How each amount is computed'),
    `  window    ${formatDays(new Date(report.window.start), new Date(report.window.end))}: whole UTC days, as Cost Explorer bills them; ` +
      `month = the daily average of the last ${PROJECTION_DAYS} days × ${MONTH_DAYS} (provisioned concurrency: the allocation configured now, for ${MONTH_DAYS} days)`,
  ];
  if (report.memoryWindow) {
    lines.push(
      `  memory    peak Max Memory Used of the REPORT lines (and JSON platform.report records), Logs Insights over ${formatDays(new Date(report.memoryWindow.start), new Date(report.memoryWindow.end))}`,
    );
  }
  for (const f of report.functions) {
    lines.push(
      '',
      `  ${style.bold(f.function)}  ${f.architecture} · ${formatCount(f.memoryMb)} MB · timeout ${f.timeoutSeconds} s` +
        (f.service ? ` · service ${f.service}` : ''),
    );
    for (const item of COST_ITEMS) {
      const amount = f.items[item];
      const month = amount ? `  → ${formatUsd(amount.month)} a month` : '';
      lines.push(`    ${ITEM_HEADERS[item].padEnd(9)} ${f.formulas[item]}${month}`);
    }
    const s = f.rightSizing;
    lines.push(
      `    sizing    ${s.basis}` +
        (s.suggestedMb !== null ? ` → ${formatCount(s.suggestedMb)} MB` : '') +
        (s.riskText ? `; risk ${s.risk}: ${s.riskText}` : '') +
        (f.usage.durationP99Ms !== null ? ` (worst daily p99 ${formatMs(f.usage.durationP99Ms)})` : ''),
    );
    if (f.computeOptimizer) lines.push(`    optimizer ${f.computeOptimizer.text}`);
    for (const unknown of f.unknown) lines.push(style.dim(`    not known ${unknown}`));
  }
  return lines;
}

/** Whole UTC days from `start` to the day before `end`: "Nov 3 – Dec 2 UTC". */
function formatDays(start: Date, end: Date): string {
  const lastDay = new Date(end.getTime() - 1);
  return day(start) === day(lastDay) ? `${day(start)} UTC` : `${day(start)} – ${day(lastDay)} UTC`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function day(at: Date): string {
  return `${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}`;
}

function signed(percent: number): string {
  const rounded = Math.round(percent * 10) / 10;
  return rounded > 0 ? `+${rounded}` : rounded < 0 ? `−${Math.abs(rounded)}` : '0';
}

/**
 * `gofn cost` across configured accounts and regions: each one's table under its name (each has
 * its region's prices and its account's bill), the ones that could not be read with why, then the
 * month of them all.
 */
export function renderCostAcrossTargets(
  costs: readonly TargetCost[],
  style: Style,
  options: CostRenderOptions = {},
): string {
  const parts: string[] = [];
  for (const cost of costs) {
    parts.push(style.bold(`== ${placeOfCost(cost)}`));
    parts.push(cost.report ? renderCost(cost.report, style, options) : `  could not be read: ${cost.problem}\n`);
  }
  const unread = costs.filter((c) => c.problem).length;
  parts.push(
    `${style.bold(`${formatUsd(monthAcross(costs))} a month`)} across ${plural(costs.length - unread, 'account and region', 'accounts and regions')}` +
      (unread > 0 ? style.dim(` · ${unread} could not be read and ${unread === 1 ? 'is' : 'are'} not counted`) : '') +
      '\n',
  );
  return parts.join('\n');
}
