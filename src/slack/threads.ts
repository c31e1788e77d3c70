import type { RecordStore, StoredRecord } from '../ports';

/**
 * One Slack thread per alarm episode. The episode record is the single source of truth for
 * "is this alarm open, where is its thread, what has been said in it"; conditional writes decide
 * which of several concurrent workers changes it. Notifications are applied in the order of the
 * alarm's StateChangeTime, not the order SNS delivers them: `lastChangeAt` is the newest state
 * change applied, and anything older is stale.
 */
export interface Episode {
  state: 'ALARM' | 'OK';
  /** Empty when the thread is about an unmapped alarm. */
  functionName: string;
  channel: string;
  /** The root message, once posted. */
  rootTs?: string;
  /** Until when (ms) a worker is posting the root; past it, the next notification may post it. */
  rootLeaseUntil?: number;
  /** StateChangeTime of the ALARM that opened the episode (ISO). */
  openedAt: string;
  /** StateChangeTime of the OK that resolved it (ISO). */
  resolvedAt?: string;
  /** The newest StateChangeTime applied (ISO). */
  lastChangeAt: string;
  /** The diagnosis was posted in the thread. */
  reported?: boolean;
  /** How many times the alarm went back to ALARM in this thread (flapping). */
  reopened?: number;
}

const KEEP_SECONDS = 14 * 86_400;
const pk = (alarmName: string) => `alarm#${alarmName}`;
const SK = 'episode';

function episodeOf(record: StoredRecord): Episode {
  return record.data as unknown as Episode;
}

/** Drops undefined fields: the table's marshaller refuses them. */
function dataOf(episode: Episode): Record<string, unknown> {
  return Object.fromEntries(Object.entries(episode).filter(([, v]) => v !== undefined));
}

export type Change<T> = { write: Episode; result: T } | { result: T };

export class AlarmThreads {
  constructor(
    private readonly store: RecordStore,
    private readonly nowMs: () => number = Date.now,
  ) {}

  private expiresAt(): number {
    return Math.floor(this.nowMs() / 1000) + KEEP_SECONDS;
  }

  async get(alarmName: string): Promise<Episode | undefined> {
    const record = await this.store.get(pk(alarmName), SK);
    return record ? episodeOf(record) : undefined;
  }

  /**
   * Reads the episode, lets `decide` say what it becomes, and writes that only if nobody else
   * wrote in between; on a lost race it reads again and decides again.
   */
  async change<T>(alarmName: string, decide: (episode: Episode | undefined) => Change<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const record = await this.store.get(pk(alarmName), SK);
      const decision = decide(record ? episodeOf(record) : undefined);
      if (!('write' in decision)) return decision.result;
      const written = record
        ? await this.store.updateIf(pk(alarmName), SK, record.version, dataOf(decision.write), this.expiresAt())
        : await this.store.create({
            pk: pk(alarmName),
            sk: SK,
            expiresAt: this.expiresAt(),
            data: dataOf(decision.write),
          });
      if (written) return decision.result;
      if (attempt >= 8) throw new Error(`the thread of ${alarmName} kept changing under gofn; giving up for now`);
    }
  }

  /**
   * The root of an episode another worker is posting, waiting briefly for it; undefined when the
   * wait ends without one (or the episode is gone).
   */
  async waitForRoot(alarmName: string, timeoutMs = 8000): Promise<Episode | undefined> {
    const deadline = this.nowMs() + timeoutMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      const episode = await this.get(alarmName);
      if (!episode || episode.rootTs) return episode;
      if ((episode.rootLeaseUntil ?? 0) <= this.nowMs()) return episode;
      if (this.nowMs() + delay > deadline) return episode;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
