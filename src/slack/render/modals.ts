import type { ModalView } from '@slack/types';
import { formatCount, formatVersion } from '../../format';
import type { ActionClaim } from '../action-token';
import { clip, escapeMrkdwn, LIMITS } from './mrkdwn';

export const CONFIRM_CALLBACK_ID = 'gofn-confirm';

/** What the modal carries from the click to the submit: small, and never trusted alone (the token is re-verified). */
export interface ConfirmMetadata {
  token: string;
  channel: string;
  messageTs: string | undefined;
  threadTs: string | undefined;
}

const verbs: Record<ActionClaim['kind'], { title: string; submit: string }> = {
  rollback: { title: 'Confirm rollback', submit: 'Roll back' },
  'replay-dlq': { title: 'Confirm DLQ replay', submit: 'Replay' },
  'raise-concurrency': { title: 'Confirm concurrency', submit: 'Raise' },
  profile: { title: 'Confirm profiling', submit: 'Profile' },
};

/** The plan in one sentence, from the signed claim; the worker plans again before executing. */
export function claimSentence(claim: ActionClaim): string {
  const fn = `*${escapeMrkdwn(claim.fn)}*`;
  const p = claim.params;
  switch (claim.kind) {
    case 'rollback':
      return (
        `Move alias *${escapeMrkdwn(claim.alias)}* of ${fn} from v${escapeMrkdwn(String(p.fromVersion))} to ` +
        (p.toVersion !== undefined
          ? `v${escapeMrkdwn(String(p.toVersion))}.`
          : 'the version that was live before it.') +
        ' If a CodeDeploy deployment is shifting the alias right now, gofn stops it with automatic rollback instead.'
      );
    case 'raise-concurrency':
      return `Set the reserved concurrency of ${fn} from ${formatCount(Number(p.from))} to ${formatCount(Number(p.to))}.`;
    case 'replay-dlq':
      return `Move the ${formatCount(Number(p.messages))} messages waiting in *${escapeMrkdwn(String(p.queue))}* back so ${fn} processes them again.`;
    case 'profile':
      return (
        `Record CPU profiles on the warm instances of ${fn} ${escapeMrkdwn(formatVersion(String(p.version)))} for ` +
        `${formatCount(Number(p.seconds))} s each, across the invocations they serve, then post the merged profile's top functions here.`
      );
  }
}

export function confirmModal(claim: ActionClaim, userId: string, metadata: ConfirmMetadata): ModalView {
  const verb = verbs[claim.kind];
  return {
    type: 'modal',
    callback_id: CONFIRM_CALLBACK_ID,
    title: { type: 'plain_text', text: clip(verb.title, LIMITS.modalTitle) },
    submit: { type: 'plain_text', text: verb.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(metadata),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(claimSentence(claim), LIMITS.sectionText) } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text:
              `<@${userId}> will be recorded as doing this. gofn checks your permission and the current state ` +
              'again before it changes anything, and stops if the world moved since this report.',
          },
        ],
      },
    ],
  };
}

export function problemModal(sentence: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'gofn' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(sentence), LIMITS.sectionText) } }],
  };
}
