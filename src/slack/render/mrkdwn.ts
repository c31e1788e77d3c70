/**
 * Slack parses `&`, `<` and `>` as control characters in mrkdwn text and in a message's top-level
 * `text` (its notification), so anything from outside (error messages, tag values, names) goes
 * through this: an error message holding `<!channel>` must not ping a channel.
 * (Slack's "Formatting text for app surfaces", section "Escaping text".)
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack user (U…, W…) ID; anything else is not rendered as a mention. */
const USER_ID = /^[UW][A-Z0-9]{2,31}$/;

/** A mention of a user, the one piece of mrkdwn gofn writes from an ID it did not compose. */
export function mention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/**
 * Text in pieces: strings are escaped, `{ user }` pieces become mentions, `{ mrkdwn }` pieces are
 * mrkdwn gofn composed itself (a sentence with a channel link) and go as they are.
 */
export type Piece = string | { user: string } | { mrkdwn: string };

export function mrkdwnOf(pieces: Piece | Piece[]): string {
  return (Array.isArray(pieces) ? pieces : [pieces])
    .map((piece) =>
      typeof piece === 'string' ? escapeMrkdwn(piece) : 'user' in piece ? mention(piece.user) : piece.mrkdwn,
    )
    .join('');
}

/** A link whose label cannot break out of the <url|label> syntax. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** Cuts text to Slack's field limits, marking the cut; never inside an entity like `&amp;`. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${cut.replace(/&[a-z]{0,3}$/, '')}…`;
}

/** Slack's documented limits (DESIGN.md), in one place. */
export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerModal: 100,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionsElements: 25,
  modalTitle: 24,
  fallbackText: 4000,
} as const;
