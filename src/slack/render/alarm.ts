import type { KnownBlock } from '@slack/types';
import { formatClock } from '../../format';
import type { UnderstoodAlarm } from '../alarm-message';
import { clip, escapeMrkdwn, LIMITS, mrkdwnOf, type Piece } from './mrkdwn';
import type { SlackMessage } from './report';

/** Who the alarm is about, as the root message's context says it. */
function subject(alarm: UnderstoodAlarm): string {
  if (alarm.functionName) return `*${escapeMrkdwn(alarm.functionName)}*`;
  return '_function unknown_';
}

export function alarmRootMessage(alarm: UnderstoodAlarm): SlackMessage {
  const line = `${alarm.name} · ${alarm.condition} · since ${formatClock(alarm.changedAt)} UTC`;
  return {
    text: clip(escapeMrkdwn(`🔴 ALARM ${line}`), LIMITS.fallbackText),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: clip(`🔴 *ALARM* ${escapeMrkdwn(line)}`, LIMITS.sectionText) },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: clip(`${subject(alarm)} · ${escapeMrkdwn(alarm.reason)}`, LIMITS.sectionText),
          },
        ],
      },
      ...(alarm.functionName ? [] : [unmappedSection(alarm)]),
    ],
  };
}

const KIND_NAMES: Record<UnderstoodAlarm['kind'], string> = {
  metric: 'a metric alarm',
  'metric-math': 'a metric-math alarm',
  'anomaly-detection': 'an anomaly-detection alarm',
  composite: 'a composite alarm',
};

/** What an alarm gofn cannot map is, why, and how to get the diagnosis anyway. */
function unmappedSection(alarm: UnderstoodAlarm): KnownBlock {
  const why = alarm.unmapped ?? 'it names no function';
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: clip(
        `This is ${KIND_NAMES[alarm.kind]}, and gofn can't tell which function it is about: ${escapeMrkdwn(why)}. ` +
          'Run `/gofn status &lt;function&gt;` here for the function it watches.',
        LIMITS.sectionText,
      ),
    },
  };
}

export function alarmResolvedMessage(alarm: UnderstoodAlarm, openedAt: Date): SlackMessage {
  const minutes = Math.max(1, Math.round((alarm.changedAt.getTime() - openedAt.getTime()) / 60_000));
  const line = `${alarm.name} · lasted ${minutes} min`;
  return {
    text: clip(escapeMrkdwn(`✅ RESOLVED ${line}`), LIMITS.fallbackText),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: clip(`✅ *RESOLVED* ${escapeMrkdwn(line)}`, LIMITS.sectionText) },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: clip(
              `${subject(alarm)} · ${formatClock(openedAt)}–${formatClock(alarm.changedAt)} UTC`,
              LIMITS.sectionText,
            ),
          },
        ],
      },
    ],
  };
}

/**
 * A one-section message. Plain strings are escaped everywhere they land, the notification text
 * included; `{ user }` pieces render as mentions.
 */
export function plainMessage(pieces: Piece | Piece[]): SlackMessage {
  const text = mrkdwnOf(pieces);
  return {
    text: clip(text, LIMITS.fallbackText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } }],
  };
}
