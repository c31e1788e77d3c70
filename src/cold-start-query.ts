/**
 * The Logs Insights query behind the cold-start step, shared by the AWS adapter (which runs it)
 * and the simulation (which shows it in the console link), so both name the same query.
 *
 * Lambda writes one report per invocation in either log format, and an init duration only on a
 * cold start:
 * - Text: a `REPORT RequestId: … Init Duration: 182.44 ms` line, from which Logs Insights
 *   discovers `@type` = "REPORT" and `@initDuration`;
 * - JSON: a `platform.report` record, `{"type":"platform.report","record":{"metrics":
 *   {"initDurationMs":182.44,…}}}`, whose keys Logs Insights discovers as `type` and
 *   `record.metrics.initDurationMs`. The text fields are absent there, so a query on
 *   `@type = "REPORT"` alone sees nothing of a JSON function.
 * One query reads both, each format in columns of its own (a function may switch format within
 * the window), and the adapter adds them up.
 */

/** The statistics columns of one result row. */
export const coldStartColumns = [
  'invocations',
  'textColdStarts',
  'textInitSum',
  'textInitMax',
  'jsonColdStarts',
  'jsonInitSum',
  'jsonInitMax',
] as const;
export type ColdStartColumn = (typeof coldStartColumns)[number];

/** One row per bin keeps the answer ≤ 1,440 rows, under the 10,000 rows a query may return. */
const maxBins = 1440;
const binMinutesChoices = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

const textInit = '@initDuration';
const jsonInit = 'record.metrics.initDurationMs';

/** The query, with a bin size that keeps the rows ≤ 1,440 over `spanSeconds`. */
export function coldStartQueryString(spanSeconds: number): { queryString: string; binMinutes: number } {
  const wanted = Math.ceil(spanSeconds / 60 / maxBins);
  const binMinutes = binMinutesChoices.find((m) => m >= wanted) ?? 1440;
  return {
    binMinutes,
    queryString:
      'filter @type = "REPORT" or type = "platform.report"' +
      ' | stats count(*) as invocations,' +
      ` count(${textInit}) as textColdStarts, sum(${textInit}) as textInitSum, max(${textInit}) as textInitMax,` +
      ` count(${jsonInit}) as jsonColdStarts, sum(${jsonInit}) as jsonInitSum, max(${jsonInit}) as jsonInitMax` +
      ` by bin(${binMinutes}m)`,
  };
}
