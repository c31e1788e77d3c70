import { formatClock } from '../../format';
import type { UnderstoodAlarm } from '../alarm-message';
import { clip, escapeMrkdwn, LIMITS } from './mrkdwn';
import type { SlackMessage } from './report';

export function alarmRootMessage(alarm: UnderstoodAlarm): SlackMessage {
  const text = `🔴 ALARM ${alarm.name} · ${alarm.condition} · since ${formatClock(alarm.changedAt)}`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(`🔴 *ALARM* ${escapeMrkdwn(text.slice('🔴 ALARM '.length))}`, LIMITS.sectionText),
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: clip(`*${escapeMrkdwn(alarm.functionName)}* · ${escapeMrkdwn(alarm.reason)}`, LIMITS.sectionText),
          },
        ],
      },
    ],
  };
}

export function alarmResolvedMessage(alarm: UnderstoodAlarm, openedAt: Date): SlackMessage {
  const minutes = Math.max(1, Math.round((alarm.changedAt.getTime() - openedAt.getTime()) / 60_000));
  const text = `✅ RESOLVED ${alarm.name} · lasted ${minutes} min`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `✅ *RESOLVED* ${escapeMrkdwn(alarm.name)} · lasted ${minutes} min` },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: clip(
              `*${escapeMrkdwn(alarm.functionName)}* · ${formatClock(openedAt)}–${formatClock(alarm.changedAt)} UTC`,
              LIMITS.sectionText,
            ),
          },
        ],
      },
    ],
  };
}

export function plainMessage(text: string): SlackMessage {
  return {
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(text), LIMITS.sectionText) } }],
  };
}
