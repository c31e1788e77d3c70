import type { KnownBlock } from '@slack/types';
import { formatCount, plural } from '../../format';
import { formatUsd } from '../../cost/money';
import type { CostReport, FunctionCost } from '../../cost/report';
import { sizingAdvice } from '../../cost/rightsize';
import { clip, escapeMrkdwn, LIMITS } from './mrkdwn';
import type { SlackMessage } from './report';

/** Rows of the table: the top spenders; the rest are in the total and in `gofn cost`. */
export const TOP_SPENDERS = 10;
const NAME_WIDTH = 28;

/**
 * `/gofn cost`: the top spenders as a monospace table (month at the recent rate, last 30 days,
 * memory), the total, what bites, the sizes to move to, and the billed cost beside the estimate.
 * At most 8 blocks, each section under Slack's 3,000 characters.
 */
export function costMessage(report: CostReport): SlackMessage {
  const top = report.functions.slice(0, TOP_SPENDERS);
  const title = `Cost: ${formatUsd(report.total.month)} a month for ${plural(report.functions.length, 'function')}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(title, LIMITS.headerText), emoji: true } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            escapeMrkdwn(
              `${report.selection} · ${report.region} · a month at the last 7 days' rate · last ${report.window.days} days ` +
                `${formatUsd(report.total.window)} · list prices of ${report.prices.date}` +
                (report.source === 'simulated' ? ' · simulated' : ''),
            ),
            LIMITS.sectionText,
          ),
        },
      ],
    },
  ];
  if (report.functions.length === 0) {
    blocks.push(
      section(
        report.unpriced.length > 0
          ? 'No function could be priced.'
          : `No managed function matches ${escapeMrkdwn(report.selection)}.`,
      ),
    );
  } else {
    blocks.push(section(table(top, report)));
  }
  const bites = report.functions.flatMap((f) =>
    f.flags
      .filter((flag) => flag.kind !== 'memory-far-above-use')
      .map((flag) => `• *${escapeMrkdwn(f.function)}* ${escapeMrkdwn(flag.text)}`),
  );
  if (bites.length > 0) blocks.push(section(listOf('*What bites*', bites)));
  const sizes = report.functions.flatMap((f) => {
    const advice = sizingAdvice(f.rightSizing, f.usage.maxMemoryUsedMb);
    if (!advice) return [];
    const optimizer =
      f.computeOptimizer?.status === 'recommends' && f.computeOptimizer.memoryMb !== null
        ? ` · Compute Optimizer: ${formatCount(f.computeOptimizer.memoryMb)} MB`
        : '';
    return [`• *${escapeMrkdwn(f.function)}* ${escapeMrkdwn(advice + optimizer)}`];
  });
  if (sizes.length > 0) blocks.push(section(listOf('*Memory*', sizes)));
  blocks.push(section(billedText(report)));
  const hidden = report.functions.length - top.length;
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(
          (hidden > 0 ? `…and ${formatCount(hidden)} more in the total. ` : '') +
            (report.unpriced.length > 0 ? `${plural(report.unpriced.length, 'function')} not priced. ` : '') +
            'List prices before the free tier and Savings Plans; `gofn cost --explain` in a terminal shows every formula.',
          LIMITS.sectionText,
        ),
      },
    ],
  });
  return { text: escapeMrkdwn(title), blocks };
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } };
}

/** Bullets under a title, as many as fit in one section. */
function listOf(title: string, items: string[]): string {
  let text = title;
  let shown = 0;
  for (const item of items) {
    if (text.length + 1 + item.length > LIMITS.sectionText - 40) break;
    text += `\n${item}`;
    shown += 1;
  }
  return shown < items.length ? `${text}\n…and ${items.length - shown} more` : text;
}

function table(rows: FunctionCost[], report: CostReport): string {
  const name = (text: string) => (text.length > NAME_WIDTH ? `${text.slice(0, NAME_WIDTH - 1)}…` : text);
  const cells = [
    ['function', 'month', `${report.window.days} days`, 'memory'],
    ...rows.map((f) => [
      name(f.function),
      formatUsd(f.total.month),
      formatUsd(f.total.window),
      `${formatCount(f.memoryMb)} MB`,
    ]),
    ['total', formatUsd(report.total.month), formatUsd(report.total.window), ''],
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const lines = cells.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  // Inside a code block Slack still reads &, < and >: the names are escaped like any text.
  return '```' + escapeMrkdwn(lines.join('\n')) + '```';
}

function billedText(report: CostReport): string {
  const billed = report.billed;
  if (billed.status !== 'compared') return `*Billed* ${escapeMrkdwn(billed.reason)}; the amounts are estimates.`;
  const rows = billed.rows
    .slice(0, 5)
    .map(
      (r) =>
        `${escapeMrkdwn(r.service)} ${formatUsd(r.billed)} vs ${formatUsd(r.estimated)}` +
        (r.differencePercent === null
          ? ''
          : ` (${r.differencePercent >= 0 ? '+' : '−'}${Math.abs(Math.round(r.differencePercent))}%)`),
    );
  const more = billed.rows.length > 5 ? ` · …and ${billed.rows.length - 5} more` : '';
  return `*Billed* (Cost Explorer, tag ${escapeMrkdwn(billed.tagKey)}, billed vs estimated): ${rows.join(' · ')}${more}`;
}
