import type { CallOptions, RecordStore } from '../ports';

/**
 * The versions gofn has seen an alias point to, newest first: what "the previous version" means
 * when a rollback has nothing better (Lambda itself keeps no alias history).
 */
const pk = (functionName: string, alias: string) => `aliashist#${functionName}:${alias}`;
const KEEP_SECONDS = 90 * 86_400;

export async function recordAliasVersion(
  store: RecordStore,
  functionName: string,
  alias: string,
  version: string,
  at: Date,
  opts?: CallOptions,
): Promise<void> {
  const [latest] = await store.query(pk(functionName, alias), { limit: 1 }, opts);
  if (latest?.data.version === version) return;
  await store.create(
    {
      pk: pk(functionName, alias),
      sk: at.toISOString(),
      expiresAt: Math.floor(at.getTime() / 1000) + KEEP_SECONDS,
      data: { version },
    },
    opts,
  );
}

/** The most recent recorded version other than `current`. */
export async function previousRecordedVersion(
  store: RecordStore,
  functionName: string,
  alias: string,
  current: string,
  opts?: CallOptions,
): Promise<string | undefined> {
  const history = await store.query(pk(functionName, alias), { limit: 20 }, opts);
  const found = history.find((r) => r.data.version !== current);
  return found ? String(found.data.version) : undefined;
}
