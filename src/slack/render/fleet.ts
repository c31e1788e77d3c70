import type { KnownBlock } from '@slack/types';
import { formatCount, formatDuration, formatMs, formatPercent, plural, slowdownNote } from '../../format';
import { dlqCell, notableSlowdown, rowNotes, type FleetReport, type FleetRow } from '../../runbook/fleet';
import type { ServiceReport, ServiceRegionRow } from '../../runbook/targets';
import { placeOf } from '../../targets';
import { escapeMrkdwn, LIMITS } from './mrkdwn';
import { statusEmoji, type SlackMessage } from './report';

/** Sections of function lines; the rest of the 50 blocks is headroom for header and footer. */
const MAX_SECTIONS = 40;

function line(row: FleetRow): string {
  return (
    `${statusEmoji[row.status]} *${escapeMrkdwn(row.function)}*${row.region ? ` ${escapeMrkdwn(placeOf(row.account, row.region))}` : ''}  ${formatCount(row.invocations)} inv · ` +
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
  // Accounts and regions that could not be listed come first: their functions are all unknown.
  const unlisted = (fleet.targets ?? [])
    .filter((t) => t.problem)
    .map(
      (t) =>
        `${statusEmoji.unknown} *${escapeMrkdwn(placeOf(t.account, t.region))}*  its functions are unknown: ${escapeMrkdwn(t.problem!)}`,
    );
  let unlistedShown = 0;
  for (const next of unlisted) {
    if (current && current.length + 1 + next.length > LIMITS.sectionText) {
      if (sections.length + 1 >= MAX_SECTIONS / 2) break;
      sections.push(current);
      current = '';
    }
    current = current ? `${current}\n${next}` : clipText(next);
    unlistedShown += 1;
  }
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
      elements: [
        {
          type: 'mrkdwn',
          text: `${escapeMrkdwn(fleetPlaces(fleet))} · last ${formatDuration(window)} · worst first`,
        },
      ],
    },
    ...sections.map((text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
  if (fleet.functions.length === 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `No function is tagged \`gofn:managed=true\` in ${fleet.targets ? 'these accounts and regions' : 'this region'}.`,
      },
    });
  }
  const hidden = fleet.functions.length - shown;
  const hiddenPlaces = unlisted.length - unlistedShown;
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text:
          (hiddenPlaces > 0
            ? `${plural(hiddenPlaces, 'more account and region', 'more accounts and regions')} could not be listed. `
            : '') +
          (hidden > 0 ? `…and ${formatCount(hidden)} more; \`gofn status\` in a terminal lists them all. ` : '') +
          'Graded on errors, throttles, p99 and concurrency against the window before, reservations and DLQ depth; `/gofn status <function>` walks the whole runbook.',
      },
    ],
  });
  return { text: title, blocks };
}

/** `us-east-1`, or `prod, staging · us-east-1, eu-west-1` for a fleet across accounts and regions. */
function fleetPlaces(fleet: FleetReport): string {
  if (!fleet.targets) return fleet.region;
  return `${[...new Set(fleet.targets.map((t) => t.account))].join(', ')} · ${fleet.region}`;
}

/** A section's text within Slack's limit, for a line that is long on its own (a long reason). */
function clipText(text: string): string {
  return text.length > LIMITS.sectionText ? `${text.slice(0, LIMITS.sectionText - 1)}…` : text;
}

function serviceLine(row: ServiceRegionRow): string {
  const place = `${statusEmoji[row.status]} *${escapeMrkdwn(placeOf(row.account, row.region))}*`;
  if (row.functions.length === 0) return `${place}  unknown: ${escapeMrkdwn(row.reason ?? 'not listed')}`;
  return (
    `${place}  ${plural(row.functions.length, 'function')} · ${formatCount(row.invocations)} inv · ` +
    `${formatCount(row.errors)} err (${formatPercent(row.errorPercent)}) · ${formatCount(row.throttles)} throttled · ` +
    (row.p99Ms === null ? 'p99 —' : `p99 ${formatMs(row.p99Ms)}`) +
    (row.reason ? ` · unknown: ${escapeMrkdwn(row.reason)}` : '') +
    row.findings
      .slice(0, 3)
      .map((finding) => ` · ${escapeMrkdwn(finding)}`)
      .join('')
  );
}

/** `/gofn status service=orders`: one line per account and region, in configuration order. */
export function serviceMessage(view: ServiceReport): SlackMessage {
  const window = new Date(view.window.end).getTime() - new Date(view.window.start).getTime();
  const degraded = view.rows.filter((r) => r.status === 'warn' || r.status === 'critical').length;
  const title =
    `Service ${view.service}: ${plural(view.rows.length, 'account and region', 'accounts and regions')}, ${degraded} degraded`.slice(
      0,
      150,
    );
  const lines = view.rows.map((row) => clipText(serviceLine(row)));
  const sections: string[] = [];
  let current = '';
  for (const next of lines) {
    if (current && current.length + 1 + next.length > LIMITS.sectionText) {
      if (sections.length + 1 >= MAX_SECTIONS) break;
      sections.push(current);
      current = '';
    }
    current = current ? `${current}\n${next}` : next;
  }
  if (current) sections.push(current);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `${escapeMrkdwn(view.alias)} · last ${formatDuration(window)} · side by side` },
      ],
    },
    ...sections.map((text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
  if (view.rows.length === 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `No managed function is tagged \`service=${escapeMrkdwn(view.service)}\`.` },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'The functions tagged with the service, added up per account and region; `/gofn status account/region/function` walks the whole runbook.',
      },
    ],
  });
  return { text: title, blocks };
}
