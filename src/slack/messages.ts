import type { KnownBlock } from '@slack/types';
import type { RecordStore } from '../ports';
import type { SlackMessage } from './render/report';
import { ACTION_BUTTON_PREFIX } from './render/report';

/**
 * Posted reports, kept for a day so the worker can later replace the buttons of an action that
 * ran without re-running the diagnosis (Slack does not give a message's blocks back for free).
 */
const KEEP_SECONDS = 86_400;
const pk = (channel: string, ts: string) => `msg#${channel}:${ts}`;

export async function rememberMessage(
  store: RecordStore,
  channel: string,
  ts: string,
  message: SlackMessage,
): Promise<void> {
  await store.create({
    pk: pk(channel, ts),
    sk: 'message',
    expiresAt: Math.floor(Date.now() / 1000) + KEEP_SECONDS,
    data: { text: message.text, blocks: message.blocks },
  });
}

/**
 * Keeps the message as it now stands (after an action replaced its buttons), so the next action
 * on the same report starts from it and the record of the first one stays.
 */
export async function keepUpdatedMessage(
  store: RecordStore,
  channel: string,
  ts: string,
  message: SlackMessage,
): Promise<void> {
  const data = { text: message.text, blocks: message.blocks };
  const expiresAt = Math.floor(Date.now() / 1000) + KEEP_SECONDS;
  for (let attempt = 0; attempt < 3; attempt++) {
    const record = await store.get(pk(channel, ts), 'message');
    if (!record) {
      if (await store.create({ pk: pk(channel, ts), sk: 'message', expiresAt, data })) return;
    } else if (await store.updateIf(pk(channel, ts), 'message', record.version, data, expiresAt)) {
      return;
    }
  }
}

export async function recallMessage(
  store: RecordStore,
  channel: string,
  ts: string,
): Promise<SlackMessage | undefined> {
  const record = await store.get(pk(channel, ts), 'message');
  return record ? { text: String(record.data.text), blocks: record.data.blocks as KnownBlock[] } : undefined;
}

/**
 * The message with the buttons of one action kind replaced by a line saying what was done. The
 * lines of earlier actions stay above it, so the message shows the history.
 */
export function withActionDone(message: SlackMessage, kind: string, doneLine: string): SlackMessage {
  const blocks: KnownBlock[] = [];
  let placed = false;
  for (const block of message.blocks) {
    if (block.type === 'actions' && !placed) {
      const elements = block.elements.filter(
        (e) => !('action_id' in e && e.action_id?.startsWith(`${ACTION_BUTTON_PREFIX}${kind}:`)),
      );
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: doneLine }] });
      placed = true;
      if (elements.length > 0) blocks.push({ ...block, elements });
      continue;
    }
    blocks.push(block);
  }
  // Every button was gone already: the line goes last, after the earlier ones.
  if (!placed && blocks.length < 50) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: doneLine }] });
  return { text: message.text, blocks };
}
