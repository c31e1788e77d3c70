import { ErrorCode, GofnError, isGofnError } from '../../errors';
import type { CallOptions, ColdStartQuery, ColdStartStats, LogsPort } from '../../ports';
import { coldStartWindow } from '../aggregate';
import type { SimulatedFleet } from '../fleet';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

/** Bin sizes the AWS adapter chooses from, so one query over both windows stays at 1,440 rows or fewer. */
const BIN_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

/**
 * The Logs Insights query over the REPORT lines or, with Lambda's JSON log format, the
 * platform.report records (one per invocation, an init duration on cold starts only), as the
 * AWS adapter writes it; the console link shows it to the person.
 */
export function coldStartQueryString(query: ColdStartQuery): string {
  const start = Math.min(query.window.start.getTime(), query.previous.start.getTime());
  const end = Math.max(query.window.end.getTime(), query.previous.end.getTime());
  const wanted = Math.ceil((end - start) / 60_000 / 1440);
  const bin = BIN_MINUTES.find((m) => m >= wanted) ?? 1440;
  return (
    'filter @type = "REPORT" or type = "platform.report"' +
    ' | fields coalesce(@initDuration, `record.metrics.initDurationMs`) as initMs' +
    ' | stats count(*) as invocations, count(initMs) as coldStarts,' +
    ` avg(initMs) as initAvg, max(initMs) as initMax by bin(${bin}m)`
  );
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
    return {
      current: coldStartWindow(fn.signals.minutesIn(query.window)),
      previous: coldStartWindow(fn.signals.minutesIn(query.previous)),
      queryString: coldStartQueryString(query),
    };
  }
}
