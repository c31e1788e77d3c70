import type { CallOptions, RecordStore } from '../ports';
import type { Actor, OutcomeStatus } from './types';

/** Every attempt to change production, allowed or not, as one record that is never overwritten. */
export interface AuditRecord {
  at: string;
  functionName: string;
  kind: string;
  actor: Actor;
  status: OutcomeStatus;
  sentence: string;
  plan: string | undefined;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  requestId: string;
}

const pk = (functionName: string) => `audit#${functionName}`;

export async function writeAudit(store: RecordStore, record: AuditRecord, opts?: CallOptions): Promise<void> {
  // The request ID and status make the key unique even for two attempts in the same millisecond.
  const sk = `${record.at}#${record.requestId}#${record.status}`;
  let suffix = 0;
  while (
    !(await store.create(
      { pk: pk(record.functionName), sk: suffix ? `${sk}#${suffix}` : sk, data: { ...record } },
      opts,
    ))
  ) {
    suffix += 1;
  }
}

export async function listAudit(
  store: RecordStore,
  functionName: string,
  limit = 50,
  opts?: CallOptions,
): Promise<AuditRecord[]> {
  const records = await store.query(pk(functionName), { limit }, opts);
  return records.map((r) => r.data as unknown as AuditRecord);
}
