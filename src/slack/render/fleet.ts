import type { KnownBlock } from '@slack/types';
import { formatCount, formatDuration, formatMs, formatPercent, plural, slowdownNote } from '../../format';
import { dlqCell, notableSlowdown, rowNotes, type FleetReport, type FleetRow } from '../../runbook/fleet';
import { escapeMrkdwn, LIMITS } from './mrkdwn';
import { statusEmoji, type SlackMessage } from './report';

/** Sections of function lines; the rest of the 50 blocks is headroom for header and footer. */
const MAX_SECTIONS = 40;

function line(row: FleetRow): string {
  return (
    `${statusEmoji[row.status]} *${escapeMrkdwn(row.function)}*  ${formatCount(row.invocations)} inv · ` +
    `${formatCount(row.errors)} err (${formatPercent(row.errorPercent)}) · ${formatCount(row.throttles)} throttled · ` +
    (row.p99Ms === null ? 'p99 —' : `p99 ${formatMs(row.p99Ms)}`) +
    slowdownNote(notableSlowdown(row)) +
    (row.dlq ? ` · DLQ ${dlqCell(row)}` : '') +
    rowNotes(row)
      .map((note) => ` · ${escapeMrkdwn(note)}`)
      .join('')
  );
}

/** The fleet overview: worst first, packed into sections within Slack's limits. */
export function fleetMessage(fleet: FleetReport): SlackMessage {
  const window = new Date(fleet.window.end).getTime() - new Date(fleet.window.start).getTime();
  const degraded = fleet.functions.filter((f) => f.status === 'warn' || f.status === 'critical').length;
  const title = `Fleet: ${plural(fleet.functions.length, 'managed function')}, ${degraded} degraded`;
  const sections: string[] = [];
  let current = '';
  let shown = 0;
  for (const row of fleet.functions) {
    const next = line(row);
    if (current && current.length + 1 + next.length > LIMITS.sectionText) {
      if (sections.length + 1 >= MAX_SECTIONS) break;
      sections.push(current);
      current = '';
    }
    current = current ? `${current}\n${next}` : next;
    shown += 1;
  }
  if (current) sections.push(current);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${fleet.region} · last ${formatDuration(window)} · worst first` }],
    },
    ...sections.map((text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
  if (fleet.functions.length === 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'No function is tagged `gofn:managed=true` in this region.' },
    });
  }
  const hidden = fleet.functions.length - shown;
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text:
          (hidden > 0 ? `…and ${formatCount(hidden)} more; \`gofn status\` in a terminal lists them all. ` : '') +
          'Graded on errors, throttles, p99 and concurrency against the window before, reservations and DLQ depth; `/gofn status <function>` walks the whole runbook.',
      },
    ],
  });
  return { text: title, blocks };
}
