/** Logs Insights: cold starts from the REPORT lines. */
import type { CallOptions, TimeWindow } from './common';

export interface ColdStartWindow {
  /** REPORT lines seen (one per invocation). */
  invocations: number;
  /** REPORT lines with an Init Duration. */
  coldStarts: number;
  initAvgMs: number | undefined;
  initMaxMs: number | undefined;
}

export interface ColdStartStats {
  current: ColdStartWindow;
  previous: ColdStartWindow;
  /** The Logs Insights query that produced the numbers, for the console link. */
  queryString: string;
}

export interface ColdStartQuery {
  logGroup: string;
  window: TimeWindow;
  previous: TimeWindow;
}

export interface LogsPort {
  /**
   * StartQuery, poll GetQueryResults with backoff (at most 10 polls), StopQuery if `opts.signal`
   * aborts first.
   */
  getColdStarts(query: ColdStartQuery, opts?: CallOptions): Promise<ColdStartStats>;
}
