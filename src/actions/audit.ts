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
  /**
   * Where the function is: the configured account's name and ID, and the region. Records written
   * before accounts and regions existed have none of the three.
   */
  account?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
}

/** Which records of a function to list: those of one account and region, when the name said. */
export interface AuditWhere {
  /** An account name or 12-digit ID. */
  account?: string | undefined;
  region?: string | undefined;
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

/**
 * The records of a function, newest first. The partition is the function's name in every
 * account and region (records kept their key when accounts came), so `where` picks one account
 * and region among them; a record that does not say where it was is kept, never hidden.
 */
export async function listAudit(
  store: RecordStore,
  functionName: string,
  limit = 50,
  opts?: CallOptions,
  where: AuditWhere = {},
): Promise<AuditRecord[]> {
  const filtered = where.account !== undefined || where.region !== undefined;
  // Filtering happens after the read: read more so that `limit` records are likely left.
  const records = await store.query(pk(functionName), { limit: filtered ? Math.min(limit * 4, 1000) : limit }, opts);
  return records
    .map((r) => r.data as unknown as AuditRecord)
    .filter((r) => !filtered || (recordedAt(r, where) ?? true))
    .slice(0, limit);
}

/** Whether the record is of that account and region; undefined when it does not say. */
function recordedAt(record: AuditRecord, where: AuditWhere): boolean | undefined {
  if (record.region === undefined && record.account === undefined) return undefined;
  const accountMatches =
    where.account === undefined || record.account === where.account || record.accountId === where.account;
  return accountMatches && (where.region === undefined || record.region === where.region);
}
