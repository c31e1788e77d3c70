import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the AWS requests made on behalf of one diagnosis or action, per "Service:Operation".
 * Clients are created once and shared, so the count follows the async context instead of the
 * client: whatever runs inside `countCalls` is attributed to its ledger.
 */
export class CallLedger {
  private readonly counts = new Map<string, number>();
  /**
   * The ledger of the work this one runs inside (a fleet across accounts runs one overview per
   * account and region): it counts these requests too, even when this work fails.
   */
  parent: CallLedger | undefined;

  record(service: string, operation: string): void {
    const key = `${service}:${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.parent?.record(service, operation);
  }

  /** Counts sorted by key, as a plain object for JSON. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  get total(): number {
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }
}

const currentLedger = new AsyncLocalStorage<CallLedger>();

export function countCalls<T>(ledger: CallLedger, work: () => Promise<T>): Promise<T> {
  const outer = currentLedger.getStore();
  if (outer && outer !== ledger) ledger.parent ??= outer;
  return currentLedger.run(ledger, work);
}

/** Records a request against the ledger of the current async context, if there is one. */
export function recordCall(service: string, operation: string): void {
  currentLedger.getStore()?.record(service, operation);
}
