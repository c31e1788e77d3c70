import { formatCount, formatDuration, formatMs, formatPercent, formatWindow, plural } from '../format';
import type { ServiceReport } from '../runbook/targets';
import { placeOf } from '../targets';
import { latencyNote, requestCount, type RenderOptions } from './render-report';
import { paintStatus, statusMark, type Style } from './style';

/** `gofn status service=orders`: one line per account and region the service runs in, side by side. */
export function renderService(view: ServiceReport, style: Style, options: RenderOptions = {}): string {
  const start = new Date(view.window.start);
  const end = new Date(view.window.end);
  const lines = [
    `${style.bold(`service ${view.service}`)}  ${view.alias} · last ${formatDuration(end.getTime() - start.getTime())} (${formatWindow(start, end)}) · ${plural(view.rows.length, 'account and region', 'accounts and regions')}` +
      (view.source === 'simulated' ? style.dim(' · simulated') : ''),
    '',
  ];
  if (view.rows.length === 0) lines.push(`  No managed function is tagged service=${view.service}.`);
  const places = view.rows.map((r) => placeOf(r.account, r.region));
  const placeWidth = Math.max(0, ...places.map((p) => p.length)) + 2;
  const table = view.rows.map((r) =>
    r.functions.length === 0
      ? []
      : [
          plural(r.functions.length, 'function'),
          `${formatCount(r.invocations)} inv`,
          `${formatCount(r.errors)} err (${formatPercent(r.errorPercent)})`,
          `${formatCount(r.throttles)} throttled (${formatPercent(r.throttledPercent)})`,
          r.p99Ms === null ? 'p99 —' : `p99 ${formatMs(r.p99Ms)}`,
        ],
  );
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(0, ...table.map((cells) => cells[i]?.length ?? 0)));
  view.rows.forEach((row, i) => {
    const cells = table[i]!.map((cell, c) => (c === 4 ? cell : cell.padStart(widths[c]!)));
    const notes = row.reason ? [`unknown: ${row.reason}`] : row.findings;
    lines.push(
      `  ${paintStatus(style, row.status, statusMark[row.status])} ${places[i]!.padEnd(placeWidth)}${cells.join('   ')}` +
        (notes.length > 0 ? style.dim(`${cells.length > 0 ? ' · ' : ''}${notes.join(' · ')}`) : ''),
    );
  });
  lines.push('');
  lines.push(
    style.dim(
      `listed in ${(view.durationMs / 1000).toFixed(1)} s${latencyNote(options)} · ${requestCount(view)} · ` +
        'the functions tagged with the service, added up per account and region; `gofn status <account/region/function>` walks the whole runbook',
    ),
  );
  return lines.join('\n') + '\n';
}
