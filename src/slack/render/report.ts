import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import type { StepStatus } from '../../checks/types';
import {
  formatAliasTarget,
  formatClock,
  formatCount,
  formatDuration,
  formatSeconds,
  formatWindow,
  plural,
} from '../../format';
import type { OfferedAction, Report, StepReport } from '../../runbook/report';
import { placeOf } from '../../targets';
import { clip, escapeMrkdwn, LIMITS, mention, mrkdwnLink } from './mrkdwn';

export interface SlackMessage {
  /** Plain fallback for notifications and screen readers. */
  text: string;
  blocks: KnownBlock[];
}

export const statusEmoji: Record<StepStatus, string> = {
  critical: '🔴',
  warn: '🟠',
  ok: '🟢',
  unknown: '⚪',
  'no-traffic': '🟡',
};
const stepMark: Record<StepStatus, string> = { ok: '✔', warn: '▲', critical: '✖', unknown: '?', 'no-traffic': '∅' };

/** action_id of every button that runs an action; the value carries the signed action token. */
export const ACTION_BUTTON_PREFIX = 'gofn-action:';
/** action_id of link buttons; Slack still sends an interaction for them, which is only acked. */
export const LINK_BUTTON_PREFIX = 'gofn-link:';
/** action_id of the Confirm button of an ephemeral confirmation (when the modal could not open). */
export const CONFIRM_BUTTON_PREFIX = 'gofn-confirm:';

/** Who the report is for: a person who asked, or an alarm that fired. */
export type RequestedBy = { user: string } | { alarm: string };

export interface ReportRenderOptions {
  /** The button value for an offered action (a signed, expiring token). */
  actionValue: (action: OfferedAction) => string;
  /** Replaces the buttons with this line, after an action ran. */
  actionsDone?: string;
  /** Said in the report's context line. */
  requestedBy?: RequestedBy;
}

function requestedByText(by: RequestedBy | undefined): string {
  if (!by) return '';
  return 'user' in by ? ` · asked by ${mention(by.user)}` : ` · for alarm ${escapeMrkdwn(by.alarm)}`;
}

export function reportHeadline(report: Pick<Report, 'function' | 'status' | 'primaryCause' | 'steps'>): string {
  const primary = report.steps.find((s) => s.id === report.primaryCause);
  if (primary) return `${statusEmoji[report.status]} ${report.function} is degraded: ${primary.title.toLowerCase()}`;
  if (report.status === 'unknown') return `${statusEmoji.unknown} ${report.function} could not be diagnosed`;
  if (report.status === 'no-traffic') return `${statusEmoji['no-traffic']} ${report.function} had no traffic`;
  const measured = report.steps.filter((s) => !s.informational);
  const unchecked = measured.filter((s) => s.status === 'unknown').length;
  if (unchecked === 0) return `${statusEmoji.ok} ${report.function} looks healthy`;
  // "Healthy" would overstate a report that could check only part of the runbook.
  const emoji = unchecked * 2 >= measured.length ? statusEmoji.unknown : statusEmoji.ok;
  return `${emoji} ${report.function}: no problem found, ${unchecked} of ${measured.length} checks could not run`;
}

/** The report as a Block Kit message: pure, so the CLI and Slack show the same facts. */
export function reportMessage(report: Report, options: ReportRenderOptions): SlackMessage {
  const headline = reportHeadline(report);
  // Header text is plain_text, so the headline goes there as it is; mrkdwn texts escape it.
  const window = new Date(report.window.end).getTime() - new Date(report.window.start).getTime();
  const requests = Object.values(report.awsCalls).reduce((a, b) => a + b, 0);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline, LIMITS.headerText), emoji: true } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            escapeMrkdwn(
              `${formatAliasTarget(report.alias, report.version, report.routing)} · ${placeOf(report.account, report.region)} · last ${formatDuration(window)} (${formatWindow(new Date(report.window.start), new Date(report.window.end))}) · diagnosed in ${formatSeconds(Math.round(report.durationMs / 100) * 100)} · ${plural(requests, report.source === 'simulated' ? 'simulated AWS request' : 'AWS request')}`,
            ) + requestedByText(options.requestedBy),
            LIMITS.sectionText,
          ),
        },
      ],
    },
    ...(report.alarm ? [alarmSection(report.alarm)] : []),
    ...report.steps.map(stepSection),
    ...(report.notes.length > 0
      ? [
          {
            type: 'context' as const,
            elements: [
              { type: 'mrkdwn' as const, text: clip(escapeMrkdwn(report.notes.join(' ')), LIMITS.sectionText) },
            ],
          },
        ]
      : []),
    { type: 'divider' },
    verdictSection(report),
  ];
  if (report.incomplete) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: clip(`⚠️ Incomplete: ${escapeMrkdwn(report.incomplete)}.`, LIMITS.sectionText) },
      ],
    });
  }
  blocks.push(actionsOrDone(report, options));
  return { text: clip(escapeMrkdwn(`${headline}. ${report.verdict}`), LIMITS.fallbackText), blocks };
}

/** The alarm that opened the thread, first: what it watches, its threshold, where its metric went. */
function alarmSection(alarm: NonNullable<Report['alarm']>): SectionBlock {
  const value =
    alarm.value !== null
      ? ` · peak ${formatNumber(alarm.value)}${alarm.threshold !== null ? ` (threshold ${formatNumber(alarm.threshold)})` : ''}`
      : '';
  const text = `🔔 *${escapeMrkdwn(alarm.name)}*  ${escapeMrkdwn(`${alarm.condition}${value} · since ${formatClock(new Date(alarm.since))} UTC`)}`;
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : String(Math.round(value * 100) / 100);
}

function stepSection(step: StepReport): SectionBlock {
  const mark = step.informational ? '·' : stepMark[step.status];
  const links = step.links
    .slice(0, 3)
    .map((l) => mrkdwnLink(l.url, l.label.length > 14 ? `${l.label.slice(0, 10)}…` : l.label));
  const body = `${mark} *${escapeMrkdwn(step.title)}*  ${escapeMrkdwn(step.summary)}`;
  const suffix = links.length > 0 ? ` · ${links.join(' · ')}` : '';
  // Links go last and are never cut in half: drop them before the summary is clipped.
  const text = body.length + suffix.length <= LIMITS.sectionText ? body + suffix : clip(body, LIMITS.sectionText);
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function verdictSection(report: Report): SectionBlock {
  const primary = report.steps.find((s) => s.id === report.primaryCause);
  const lead = primary ? '*Likely cause:* ' : '';
  const advice = primary?.recommendation ? `\n${primary.recommendation}` : '';
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: clip(`${lead}${escapeMrkdwn(report.verdict)}${escapeMrkdwn(advice)}`, LIMITS.sectionText),
    },
  };
}

function actionsOrDone(report: Report, options: ReportRenderOptions): KnownBlock {
  if (options.actionsDone) {
    return { type: 'context', elements: [{ type: 'mrkdwn', text: clip(options.actionsDone, LIMITS.sectionText) }] };
  }
  // The fix for the likely cause comes first and is the one styled button; the others follow
  // plain, so a throttle caused by a slow downstream does not lead with "raise concurrency".
  const primary = report.steps.find((s) => s.id === report.primaryCause);
  const ordered = [...(primary?.actions ?? []), ...report.steps.filter((s) => s !== primary).flatMap((s) => s.actions)];
  const actionButtons: Button[] = ordered.map((action, index) => ({
    type: 'button',
    action_id: `${ACTION_BUTTON_PREFIX}${action.kind}:${index}`,
    text: { type: 'plain_text', text: clip(`${action.label}…`, LIMITS.buttonText), emoji: true },
    value: options.actionValue(action),
    ...(index === 0 && primary?.actions.length ? { style: 'primary' as const } : {}),
  }));
  const linkButtons: Button[] = report.links
    .filter((l) => ['metrics', 'logs', 'traces'].includes(l.label) && l.url.length <= LIMITS.buttonUrl)
    .map((link) => ({
      type: 'button',
      action_id: `${LINK_BUTTON_PREFIX}${link.label}`,
      text: { type: 'plain_text', text: `Open ${link.label} ↗`, emoji: true },
      url: link.url,
    }));
  const block: ActionsBlock = {
    type: 'actions',
    block_id: 'gofn-actions',
    elements: [...actionButtons, ...linkButtons].slice(0, LIMITS.actionsElements),
  };
  return block;
}
