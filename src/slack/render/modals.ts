import type { KnownBlock, ModalView } from '@slack/types';
import { formatCount, formatPercent, formatVersion } from '../../format';
import type { ActionClaim } from '../action-token';
import { clip, escapeMrkdwn, LIMITS, mention } from './mrkdwn';
import { CONFIRM_BUTTON_PREFIX, type SlackMessage } from './report';

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

/** Each action as a verb phrase with its object: "roll back orders-api". */
export function actionPhrase(kind: ActionClaim['kind'], fn: string): string {
  switch (kind) {
    case 'rollback':
      return `roll back ${fn}`;
    case 'replay-dlq':
      return `replay the dead-letter queue of ${fn}`;
    case 'raise-concurrency':
      return `raise the reserved concurrency of ${fn}`;
    case 'profile':
      return `profile ${fn}`;
  }
}

/** The plan in one sentence, from the signed claim; the worker plans again before executing. */
export function claimSentence(claim: ActionClaim): string {
  const fn = `*${escapeMrkdwn(claim.fn)}*`;
  const p = claim.params;
  switch (claim.kind) {
    case 'rollback':
      if (p.canaryWeight !== undefined && p.toVersion !== undefined) {
        return (
          `Stop the canary on alias *${escapeMrkdwn(claim.alias)}* of ${fn}: keep ` +
          `v${escapeMrkdwn(String(p.toVersion))} and take the ${formatPercent(Number(p.canaryWeight) * 100)} on ` +
          `v${escapeMrkdwn(String(p.fromVersion))} off.` +
          ' If a CodeDeploy deployment owns the canary, gofn stops it with automatic rollback instead.'
        );
      }
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
              `${mention(userId)} will be recorded as doing this. gofn checks your permission and the current state ` +
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

/**
 * The confirmation as an ephemeral message, for when the modal could not open before the ack:
 * the same plan, and a button whose own confirm dialog (drawn by Slack, no call needed) is the
 * confirmation.
 */
export function confirmFallbackMessage(claim: ActionClaim, token: string, userId: string): SlackMessage {
  const verb = verbs[claim.kind];
  const plan = claimSentence(claim);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`Slack could not open the confirmation, so here it is. ${plan}`, LIMITS.sectionText),
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${mention(userId)} will be recorded as doing this. gofn checks your permission and the current state again before it changes anything.`,
        },
      ],
    },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: `${CONFIRM_BUTTON_PREFIX}${claim.kind}`,
          text: { type: 'plain_text', text: `${verb.submit}…` },
          style: claim.kind === 'rollback' ? 'danger' : 'primary',
          value: token,
          confirm: {
            title: { type: 'plain_text', text: clip(verb.title, LIMITS.modalTitle) },
            text: { type: 'mrkdwn', text: clip(plan, 300) },
            confirm: { type: 'plain_text', text: verb.submit },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
      ],
    },
  ];
  return { text: clip(`Confirm: ${plan}`, LIMITS.fallbackText), blocks };
}
