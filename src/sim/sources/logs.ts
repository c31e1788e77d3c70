import { ErrorCode, GofnError, isGofnError } from '../../errors';
import type { CallOptions, ColdStartQuery, ColdStartStats, LogsPort } from '../../ports';
import { coldStartQueryString } from '../../cold-start-query';
import { coldStartWindow } from '../aggregate';
import type { SimulatedFleet } from '../fleet';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

/** The query the AWS adapter runs over both windows, for the console link. */
function queryStringFor(query: ColdStartQuery): string {
  const start = Math.min(query.window.start.getTime(), query.previous.start.getTime());
  const end = Math.max(query.window.end.getTime(), query.previous.end.getTime());
  return coldStartQueryString((end - start) / 1000).queryString;
}

/** A short query is seen running once, then complete, as Logs Insights usually answers. */
const POLLS_UNTIL_COMPLETE = 2;

export class SimulatedLogs implements LogsPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async getColdStarts(query: ColdStartQuery, opts?: CallOptions): Promise<ColdStartStats> {
    const fn = this.fleet.findFunctionByLogGroup(query.logGroup);
    await this.requests.send('CloudWatchLogs', 'StartQuery', opts, faultOf(fn, 'logs', `log group ${query.logGroup}`));
    if (!fn) {
      throw new GofnError(ErrorCode.NotFound, `Log group ${query.logGroup} does not exist in ${this.fleet.region}.`);
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
    // The query reads REPORT lines and platform.report records alike. In the JSON format Lambda
    // writes platform.report at INFO, so a system log level of WARN leaves nothing to count.
    const reported = !(fn.logFormat === 'JSON' && fn.systemLogLevel === 'WARN');
    const windowOf = (window: ColdStartQuery['window']) =>
      coldStartWindow(reported ? fn.signals.minutesIn(window) : []);
    return {
      current: windowOf(query.window),
      previous: windowOf(query.previous),
      queryString: queryStringFor(query),
    };
  }
}
