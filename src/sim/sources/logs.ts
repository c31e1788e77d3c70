import { ErrorCode, GofnError, isGofnError } from '../../errors';
import type {
  CallOptions,
  ColdStartQuery,
  ColdStartStats,
  InsightsQuery,
  InsightsRow,
  InvocationLogStats,
  LogsPort,
} from '../../ports';
import { invocationLogQueryString } from '../../cold-start-query';
import { coldStartWindow, crashStats, memoryUse } from '../aggregate';
import type { SimulatedFleet, SimulatedFunction } from '../fleet';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

/** The query the AWS adapter runs over both windows, for the console link. */
function queryStringFor(query: ColdStartQuery): string {
  const start = Math.min(query.window.start.getTime(), query.previous.start.getTime());
  const end = Math.max(query.window.end.getTime(), query.previous.end.getTime());
  return invocationLogQueryString((end - start) / 1000).queryString;
}

/** A short query is seen running once, then complete, as Logs Insights usually answers. */
const POLLS_UNTIL_COMPLETE = 2;

export class SimulatedLogs implements LogsPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async getInvocationLogs(query: ColdStartQuery, opts?: CallOptions): Promise<InvocationLogStats> {
    const fn = await this.query(query.logGroup, opts);
    // The query reads REPORT lines and platform.report records alike. In the JSON format Lambda
    // writes platform.report at INFO, so a system log level of WARN leaves nothing to count.
    const reported = !(fn.logFormat === 'JSON' && fn.systemLogLevel === 'WARN');
    const minutesOf = (window: ColdStartQuery['window']) => (reported ? fn.signals.minutesIn(window) : []);
    const current = minutesOf(query.window);
    return {
      current: coldStartWindow(current),
      previous: coldStartWindow(minutesOf(query.previous)),
      memory: memoryUse(current, fn.memoryMb),
      // The runtime's own lines ("Task timed out", "signal: killed", "panic:") are written whatever the level.
      crashes: crashStats(fn.name, fn.signals.minutesIn(query.window)),
      queryString: queryStringFor(query),
    };
  }

  /** The cold-start part of `getInvocationLogs`. */
  async getColdStarts(query: ColdStartQuery, opts?: CallOptions): Promise<ColdStartStats> {
    const { current, previous, queryString } = await this.getInvocationLogs(query, opts);
    return { current, previous, queryString };
  }

  /** The simulation runs no query: a function's log group answers every one with the scenario's rows. */
  async runQuery(query: InsightsQuery, opts?: CallOptions): Promise<InsightsRow[]> {
    const fn = await this.query(query.logGroup, opts);
    return fn.insightsRows.map((row) => ({ ...row }));
  }

  /** StartQuery and its polls, as the AWS adapter sends them; the function whose log group it is. */
  private async query(logGroup: string, opts: CallOptions | undefined): Promise<SimulatedFunction> {
    const fn = this.fleet.findFunctionByLogGroup(logGroup);
    await this.requests.send('CloudWatchLogs', 'StartQuery', opts, faultOf(fn, 'logs', `log group ${logGroup}`));
    if (!fn) {
      throw new GofnError(ErrorCode.NotFound, `Log group ${logGroup} does not exist in ${this.fleet.region}.`);
    }
    try {
      for (let poll = 0; poll < POLLS_UNTIL_COMPLETE; poll++)
        await this.requests.send('CloudWatchLogs', 'GetQueryResults', opts);
    } catch (error) {
      // A deadline that fires mid-query stops it, so it does not keep scanning (and billing).
      // Fire and forget: the caller's deadline has passed, it should not wait for the stop.
      if (isGofnError(error, ErrorCode.Timeout)) {
        this.requests.send('CloudWatchLogs', 'StopQuery', undefined).catch(() => undefined);
      }
      throw error;
    }
    return fn;
  }
}
