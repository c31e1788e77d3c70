import type { RecordStore, StoredRecord } from '../ports';

/**
 * gofn's table in memory, with the same conditional semantics as the DynamoDB adapter: for the
 * demo, the local Socket Mode runner and unit tests. Records are copied in and out so callers
 * cannot change stored state by mutating what they got.
 */
export class MemoryRecordStore implements RecordStore {
  private readonly records = new Map<string, StoredRecord>();

  constructor(private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000)) {}

  private key(pk: string, sk: string): string {
    return `${pk}\u0000${sk}`;
  }

  private live(record: StoredRecord | undefined): StoredRecord | undefined {
    if (!record) return undefined;
    return record.expiresAt !== undefined && record.expiresAt <= this.nowSeconds() ? undefined : record;
  }

  async get(pk: string, sk: string): Promise<StoredRecord | undefined> {
    const record = this.live(this.records.get(this.key(pk, sk)));
    return record ? structuredClone(record) : undefined;
  }

  async create(record: Omit<StoredRecord, 'version'>): Promise<boolean> {
    const key = this.key(record.pk, record.sk);
    if (this.live(this.records.get(key))) return false;
    this.records.set(key, structuredClone({ ...record, version: 1 }));
    return true;
  }

  async updateIf(
    pk: string,
    sk: string,
    expectedVersion: number,
    data: Record<string, unknown>,
    expiresAt?: number,
  ): Promise<boolean> {
    const key = this.key(pk, sk);
    const current = this.live(this.records.get(key));
    if (!current || current.version !== expectedVersion) return false;
    this.records.set(
      key,
      structuredClone({
        ...current,
        data,
        version: current.version + 1,
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      }),
    );
    return true;
  }

  async query(
    pk: string,
    options: { limit?: number; ascending?: boolean; skPrefix?: string } = {},
  ): Promise<StoredRecord[]> {
    const matching = [...this.records.values()]
      .filter((r) => r.pk === pk && (!options.skPrefix || r.sk.startsWith(options.skPrefix)) && this.live(r))
      .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    if (!options.ascending) matching.reverse();
    return structuredClone(matching.slice(0, options.limit ?? matching.length));
  }
}
