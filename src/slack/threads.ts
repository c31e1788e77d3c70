import type { RecordStore, StoredRecord } from '../ports';

/**
 * One Slack thread per alarm episode. The episode record is the single source of truth for
 * "is this alarm open, and where is its thread"; conditional writes decide which of several
 * concurrent workers opens or resolves it.
 */
export interface Episode {
  state: 'ALARM' | 'OK';
  functionName: string;
  channel: string;
  rootTs: string | undefined;
  openedAt: string;
  resolvedAt: string | undefined;
}

const KEEP_SECONDS = 14 * 86_400;
const pk = (alarmName: string) => `alarm#${alarmName}`;
const SK = 'episode';

function episodeOf(record: StoredRecord): Episode {
  return record.data as unknown as Episode;
}

export class AlarmThreads {
  constructor(
    private readonly store: RecordStore,
    private readonly nowMs: () => number = Date.now,
  ) {}

  private expiresAt(): number {
    return Math.floor(this.nowMs() / 1000) + KEEP_SECONDS;
  }

  /** Opens an episode; `opened` is false when one is already open (a repeated ALARM). */
  async open(
    alarmName: string,
    init: Pick<Episode, 'functionName' | 'channel' | 'openedAt'>,
  ): Promise<{ opened: boolean; version: number; episode: Episode }> {
    const fresh: Episode = { ...init, state: 'ALARM', rootTs: undefined, resolvedAt: undefined };
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.store.get(pk(alarmName), SK);
      if (!existing) {
        if (await this.store.create({ pk: pk(alarmName), sk: SK, expiresAt: this.expiresAt(), data: { ...fresh } })) {
          return { opened: true, version: 1, episode: fresh };
        }
        continue;
      }
      if (existing.data.state === 'ALARM')
        return { opened: false, version: existing.version, episode: episodeOf(existing) };
      if (await this.store.updateIf(pk(alarmName), SK, existing.version, { ...fresh }, this.expiresAt())) {
        return { opened: true, version: existing.version + 1, episode: fresh };
      }
    }
    const settled = await this.store.get(pk(alarmName), SK);
    return { opened: false, version: settled?.version ?? 0, episode: settled ? episodeOf(settled) : fresh };
  }

  async setRoot(alarmName: string, version: number, episode: Episode, rootTs: string): Promise<boolean> {
    return this.store.updateIf(pk(alarmName), SK, version, { ...episode, rootTs });
  }

  /**
   * The thread of an open episode, waiting briefly when another worker has opened it but not
   * yet posted its root message.
   */
  async waitForRoot(alarmName: string, timeoutMs = 8000): Promise<Episode | undefined> {
    const deadline = this.nowMs() + timeoutMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      const record = await this.store.get(pk(alarmName), SK);
      const episode = record ? episodeOf(record) : undefined;
      if (!episode || episode.rootTs || episode.state !== 'ALARM') return episode;
      if (this.nowMs() + delay > deadline) return episode;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Resolves the open episode; undefined when there was none or another worker resolved it. */
  async resolve(alarmName: string, resolvedAt: string): Promise<Episode | undefined> {
    const existing = await this.store.get(pk(alarmName), SK);
    if (!existing || existing.data.state !== 'ALARM') return undefined;
    const resolved: Episode = { ...episodeOf(existing), state: 'OK', resolvedAt };
    return (await this.store.updateIf(pk(alarmName), SK, existing.version, { ...resolved }, this.expiresAt()))
      ? resolved
      : undefined;
  }
}
