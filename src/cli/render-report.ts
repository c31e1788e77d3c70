import {
  formatAliasTarget,
  formatClock,
  formatCount,
  formatDuration,
  formatWindow,
  plural,
  shellWord,
} from '../format';
import type { Report } from '../runbook/report';
import { placeOf } from '../targets';
import { paintStatus, statusMark, type Style } from './style';

/** Advice is wrapped to this many characters after its 6-character lead ("Next: "). */
const ADVICE_WIDTH = 94;

export interface RenderOptions {
  /**
   * The sources slept to imitate AWS round trips (the demo): the time shown is real, but the
   * latency in it is not, and the footer says so.
   */
  simulatedLatency?: boolean;
  /** The scenario paths the command ran on: the suggested commands need them to run on the same fleet. */
  scenario?: string[];
}

/** Said after a time that includes the simulated sources' imitation of AWS round trips. */
export function latencyNote(options: RenderOptions): string {
  return options.simulatedLatency ? ' (simulated AWS latency)' : '';
}

/** The report as terminal lines: verdict first, one line per step, then what to do and where to look. */
export function renderReport(report: Report, style: Style, options: RenderOptions = {}): string {
  const start = new Date(report.window.start);
  const end = new Date(report.window.end);
  const lines: string[] = [];
  lines.push(
    `${style.bold(report.function)}  ${formatAliasTarget(report.alias, report.version, report.routing)} · ${placeOf(report.account, report.region)} · last ${formatDuration(end.getTime() - start.getTime())} (${formatWindow(start, end)})` +
      (report.source === 'simulated' ? style.dim(' · simulated') : ''),
  );
  const clipped = clipTopMessages(report);
  // An alarm opened this: what it watches and where it stands come first, then the runbook.
  if (report.alarm) lines.push(style.bold(alarmLine(report.alarm)));
  lines.push(
    `${paintStatus(style, report.status, style.bold(report.status.replace('-', ' ').toUpperCase()))}  ${clipped(report.verdict)}`,
  );
  if (report.incomplete) lines.push(style.magenta(`Incomplete: ${report.incomplete}.`));
  lines.push('');

  const width = Math.max(...report.steps.map((s) => s.title.length)) + 2;
  for (const step of report.steps) {
    const mark = step.informational ? style.dim('·') : paintStatus(style, step.status, statusMark[step.status]);
    lines.push(
      `  ${mark} ${step.title.toLowerCase().padEnd(width)}${step.informational ? style.dim(step.summary) : clipped(step.summary)}`,
    );
  }
  lines.push('');
  for (const note of report.notes) {
    wrap(note, ADVICE_WIDTH).forEach((line, index) => lines.push(`${index === 0 ? 'Note: ' : '      '}${line}`));
  }
  if (report.notes.length > 0) lines.push('');

  // The runbook's advice for the likely cause comes first: the actions on offer may belong to
  // other steps (profile-api: slow DynamoDB, yet the only action is throttling's).
  const primary = report.steps.find((s) => s.id === report.primaryCause);
  if (primary?.recommendation) {
    wrap(primary.recommendation, ADVICE_WIDTH).forEach((line, index) => {
      lines.push(`${index === 0 ? 'Next: ' : '      '}${line}`);
    });
  }
  const actions = report.steps
    .flatMap((s) => s.actions)
    .sort((a, b) => Number(b.stepId === report.primaryCause) - Number(a.stepId === report.primaryCause));
  const labels = actions.map((action, index) => `${index === 0 ? '' : 'or '}${lowerFirst(action.label)}`);
  const labelWidth = Math.max(0, ...labels.map((label) => label.length)) + 4;
  actions.forEach((action, index) => {
    const command = action.command + scenarioArgs(options);
    lines.push(`${index === 0 ? 'Run:  ' : '      '}${labels[index]!.padEnd(labelWidth)}${style.bold(command)}`);
  });
  report.links.forEach((link, index) => {
    lines.push(`${index === 0 ? 'Open: ' : '      '}${link.label.padEnd(8)} ${style.dim(link.url)}`);
  });
  lines.push(
    style.dim(
      `diagnosed in ${(report.durationMs / 1000).toFixed(1)} s${latencyNote(options)} · ${requestCount(report)}`,
    ),
  );
  return lines.join('\n') + '\n';
}

/** "ALARM orders-api-errors · Errors > 5 for 2 of 3 periods of 1 min · peak 12 (threshold 5) · since 14:22 UTC". */
export function alarmLine(alarm: NonNullable<Report['alarm']>): string {
  const value =
    alarm.value !== null
      ? ` · peak ${formatNumber(alarm.value)}${alarm.threshold !== null ? ` (threshold ${formatNumber(alarm.threshold)})` : ''}`
      : '';
  return `ALARM ${alarm.name} · ${alarm.condition}${value} · since ${formatClock(new Date(alarm.since))} UTC`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : String(Math.round(value * 100) / 100);
}

/** ` --scenario runbooks/scenarios` when the report came from a simulated fleet the user named. */
function scenarioArgs(options: RenderOptions): string {
  return options.scenario?.length ? ` --scenario ${options.scenario.map(shellWord).join(' ')}` : '';
}

/** "1 AWS request", "9 simulated AWS requests": what the command cost, as its footer says it. */
export function requestCount(result: { awsCalls: Record<string, number>; source: string }): string {
  const requests = Object.values(result.awsCalls).reduce((a, b) => a + b, 0);
  return plural(requests, result.source === 'simulated' ? 'simulated AWS request' : 'AWS request');
}

/**
 * An error message quoted in a summary or the verdict is clipped to this many characters in the
 * terminal, so a step stays about one line; the JSON keeps it whole (evidence.topMessage).
 */
const TOP_MESSAGE_CHARS = 80;

/**
 * Clips the quoted top error messages in a line of text. The middle goes: a wrapped Go error
 * names the operation first and the root cause last ("…: context deadline exceeded").
 */
function clipTopMessages(report: Report): (text: string) => string {
  const long = report.steps
    .map((step) => step.evidence.topMessage)
    .filter((message): message is string => typeof message === 'string' && message.length > TOP_MESSAGE_CHARS);
  return (text) =>
    long.reduce((out, message) => out.split(`"${message}"`).join(`"${clipMiddle(message, TOP_MESSAGE_CHARS)}"`), text);
}

function clipMiddle(text: string, max: number): string {
  const half = Math.floor((max - 1) / 2);
  let head = text.slice(0, half);
  let tail = text.slice(text.length - half);
  // Cut at spaces when one is near, so words stay whole.
  const headSpace = head.lastIndexOf(' ');
  if (headSpace >= half - 15) head = head.slice(0, headSpace + 1);
  const tailSpace = tail.indexOf(' ');
  if (tailSpace >= 0 && tailSpace < 15) tail = tail.slice(tailSpace);
  return `${head}…${tail}`;
}

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
