import type { Log } from '../log';
import type { SlackOut, SlackUserFacts } from './out';
import { explainSlackFailure } from './slack-problems';

/**
 * Who may look. A report carries production error messages and request IDs, so by default a
 * guest (a restricted or ultra-restricted user) and someone from another organisation (a Slack
 * Connect member: `is_stranger`, or a team or Enterprise Grid organisation that is not the bot's)
 * get a refusal, and an optional allowlist of channels and user groups limits `/gofn` further.
 * The checks run in the worker, never before the ack: each is a Slack call.
 */
export interface AccessSettings {
  /** Let restricted and ultra-restricted users run /gofn. Default false. */
  allowGuests?: boolean;
  /** Let members of other organisations (Slack Connect) run /gofn. Default false. */
  allowExternal?: boolean;
  /** When not empty, /gofn works only in these channels. */
  allowedChannels?: string[];
  /** When not empty, only members of these user groups (or admins) may run /gofn. */
  allowedGroups?: string[];
}

export type AccessDecision = { allowed: true; sharedChannel: boolean } | { allowed: false; sentence: string };

/** Facts about users and channels change rarely; a short cache spares Slack's rate limits in an incident. */
const CACHE_MS = 5 * 60_000;

export function createAccessCheck(deps: {
  slack: Pick<SlackOut, 'userInfo' | 'channelInfo' | 'identity'>;
  isInGroup: (group: string, user: string) => Promise<boolean>;
  settings: AccessSettings;
  admins: string[];
  log: Log;
  nowMs: () => number;
}) {
  const users = new Map<string, { at: number; facts: SlackUserFacts }>();
  const channels = new Map<string, { at: number; shared: boolean }>();
  let identity: Promise<{ teamId: string | undefined; enterpriseId: string | undefined }> | undefined;

  const cached = async <T>(map: Map<string, { at: number } & T>, key: string, load: () => Promise<T>): Promise<T> => {
    const hit = map.get(key);
    if (hit && deps.nowMs() - hit.at < CACHE_MS) return hit;
    const value = await load();
    map.set(key, { ...value, at: deps.nowMs() });
    return value;
  };

  const ours = () => {
    identity ??= deps.slack.identity().catch((error: unknown) => {
      identity = undefined;
      throw error;
    });
    return identity;
  };

  /** Whether the channel is shared with another organisation; errors mean "assume it is". */
  async function sharedChannel(channel: string): Promise<boolean> {
    try {
      return (
        await cached(channels, channel, async () => ({ shared: (await deps.slack.channelInfo(channel)).isExtShared }))
      ).shared;
    } catch (error) {
      deps.log.warn('could not tell whether a channel is shared; treating it as shared', { channel, error });
      return true;
    }
  }

  async function external(facts: SlackUserFacts): Promise<boolean> {
    if (facts.isStranger) return true;
    const { teamId, enterpriseId } = await ours();
    if (enterpriseId && facts.enterpriseId) return facts.enterpriseId !== enterpriseId;
    return teamId !== undefined && facts.teamId !== undefined && facts.teamId !== teamId;
  }

  return async function mayLook(user: string, channel: string): Promise<AccessDecision> {
    const s = deps.settings;
    if (s.allowedChannels?.length && !s.allowedChannels.includes(channel)) {
      return {
        allowed: false,
        sentence: 'gofn does not answer in this channel; ask in one of the channels your team set up for it.',
      };
    }
    let facts: SlackUserFacts;
    try {
      facts = (await cached(users, user, async () => ({ facts: await deps.slack.userInfo(user) }))).facts;
      if (!s.allowGuests && (facts.isRestricted || facts.isUltraRestricted)) {
        return {
          allowed: false,
          sentence:
            "Guests can't run gofn: its reports carry production error messages and request IDs. Ask a full member of your workspace.",
        };
      }
      if (!s.allowExternal && (await external(facts))) {
        return {
          allowed: false,
          sentence:
            "gofn answers only members of the organisation that runs it; people from another organisation in a shared channel can't run it.",
        };
      }
    } catch (error) {
      // Fail closed: without the user's facts gofn cannot tell a guest from a member.
      return { allowed: false, sentence: `gofn could not check who you are: ${explainSlackFailure(error, channel)}` };
    }
    if (s.allowedGroups?.length && !deps.admins.includes(user)) {
      let member = false;
      for (const group of s.allowedGroups) {
        if (await deps.isInGroup(group, user).catch(() => false)) {
          member = true;
          break;
        }
      }
      if (!member) {
        return {
          allowed: false,
          sentence: `Only members of ${s.allowedGroups.map((g) => `<!subteam^${g}>`).join(', ')} may run gofn here.`,
        };
      }
    }
    return { allowed: true, sharedChannel: await sharedChannel(channel) };
  };
}

export type AccessCheck = ReturnType<typeof createAccessCheck>;

/** The tag that keeps error message text out of a function's reports in shared channels. */
export const HIDE_ERRORS_TAG = 'gofn:hide-errors-in-shared-channels';
