import { formatClock, formatDuration } from '../format';
import type { Report } from '../runbook/report';
import { paintStatus, statusMark, type Style } from './style';

/** The report as terminal lines: verdict first, one line per step, then what to do and where to look. */
export function renderReport(report: Report, style: Style): string {
  const start = new Date(report.window.start);
  const end = new Date(report.window.end);
  const lines: string[] = [];
  const version = report.version ? ` → v${report.version}` : '';
  lines.push(
    `${style.bold(report.function)}  ${report.alias}${version} · ${report.region} · last ${formatDuration(end.getTime() - start.getTime())} (${formatClock(start)}–${formatClock(end)} UTC)` +
      (report.source === 'simulated' ? style.dim(' · simulated') : ''),
  );
  lines.push(`${paintStatus(style, report.status, style.bold(report.status.toUpperCase()))}  ${report.verdict}`);
  if (report.incomplete) lines.push(style.magenta(`Incomplete: ${report.incomplete}.`));
  lines.push('');

  const width = Math.max(...report.steps.map((s) => s.title.length)) + 2;
  for (const step of report.steps) {
    const mark = step.informational ? style.dim('·') : paintStatus(style, step.status, statusMark[step.status]);
    lines.push(
      `  ${mark} ${step.title.toLowerCase().padEnd(width)}${step.informational ? style.dim(step.summary) : step.summary}`,
    );
  }
  lines.push('');

  const actions = report.steps.flatMap((s) => s.actions);
  if (actions.length > 0) {
    const labelWidth = Math.max(...actions.map((a) => a.label.length)) + 4;
    actions.forEach((action, index) => {
      const lead = index === 0 ? 'Next: ' : '      ';
      const label = index === 0 ? lowerFirst(action.label) : `or ${lowerFirst(action.label)}`;
      lines.push(`${lead}${label.padEnd(labelWidth)}${style.bold(action.command)}`);
    });
  } else {
    const primary = report.steps.find((s) => s.id === report.primaryCause);
    if (primary?.recommendation) lines.push(`Next: ${primary.recommendation}`);
  }
  report.links.forEach((link, index) => {
    lines.push(`${index === 0 ? 'Open: ' : '      '}${link.label.padEnd(8)} ${style.dim(link.url)}`);
  });
  const requests = Object.values(report.awsCalls).reduce((a, b) => a + b, 0);
  const noun = report.source === 'simulated' ? 'simulated AWS requests' : 'AWS requests';
  lines.push(style.dim(`diagnosed in ${(report.durationMs / 1000).toFixed(1)} s · ${requests} ${noun}`));
  return lines.join('\n') + '\n';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
