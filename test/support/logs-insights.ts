import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import type { LogEvent } from '../fixtures/aws/lambda-report-logs';

/**
 * Just enough of CloudWatch Logs Insights to run gofn's cold-start query over fixture log events,
 * so a test can tell whether the query the adapter sends reads a given log format at all. It knows:
 * - the fields Logs Insights discovers
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html):
 *   `@type`, `@requestId`, `@duration`, `@billedDuration`, `@memorySize`, `@maxMemoryUsed` and
 *   `@initDuration` from Lambda's text START/END/REPORT lines, the two memory fields in bytes
 *   ("512 MB" is 512,000,000: AWS's sample queries divide them by 1000 twice), the keys of a JSON
 *   log event, nested keys joined with dots (`record.metrics.initDurationMs`), and `@log`,
 *   `<account>:<log group>` of the event;
 * - `filter <field> = "<text>" [or <field> = "<text>" ...]`;
 * - `stats count(*)|count(f)|sum(f)|max(f)|avg(f) as name, ... by bin(<n>m)` or `by @log`, where
 *   count(f) counts the events that have the field, and a statistic over no values is left out of
 *   the row.
 * Anything else throws, so a query that grows past this subset fails its test instead of passing
 * against something this does not understand.
 */
export function runInsightsQuery(queryString: string, events: LogEvent[]): ResultField[][] {
  return runInsightsQueryOverGroups(queryString, { '/aws/lambda/orders-api': events });
}

/** The same over several log groups, as one query with `logGroupNames` reads them. */
export function runInsightsQueryOverGroups(
  queryString: string,
  groups: Record<string, LogEvent[]>,
  accountId = '123456789012',
): ResultField[][] {
  const [filterPart, statsPart, ...rest] = queryString.split('|').map((part) => part.trim());
  if (!filterPart || !statsPart || rest.length > 0) throw new Error(`unsupported query shape: ${queryString}`);
  const matches = parseFilter(filterPart);
  const { aggregates, binMinutes } = parseStats(statsPart);

  const bins = new Map<number | string, Record<string, unknown>[]>();
  for (const [group, events] of Object.entries(groups)) {
    for (const event of events) {
      const fields = { ...discoverFields(event), '@log': `${accountId}:${group}` };
      if (!matches(fields)) continue;
      const key =
        binMinutes === undefined
          ? fields['@log']
          : Math.floor(event.timestamp / (binMinutes * 60_000)) * binMinutes * 60_000;
      bins.set(key, [...(bins.get(key) ?? []), fields]);
    }
  }

  return [...bins.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([bin, members]) => {
      const row: ResultField[] = [
        binMinutes === undefined
          ? { field: '@log', value: String(bin) }
          : { field: `bin(${binMinutes}m)`, value: insightsTime(Number(bin)) },
      ];
      for (const { fn, field, as } of aggregates) {
        const values = field === '*' ? [] : members.map((m) => m[field]).filter((v) => v !== undefined);
        const numbers = values.map(Number);
        let value: number | undefined;
        if (fn === 'count') value = field === '*' ? members.length : values.length;
        else if (numbers.length === 0) value = undefined;
        else if (fn === 'sum') value = numbers.reduce((a, b) => a + b, 0);
        else if (fn === 'max') value = Math.max(...numbers);
        else value = numbers.reduce((a, b) => a + b, 0) / numbers.length;
        if (value !== undefined) row.push({ field: as, value: String(value) });
      }
      return row;
    });
}

function parseFilter(part: string): (fields: Record<string, unknown>) => boolean {
  const body = /^filter (.+)$/.exec(part)?.[1];
  if (!body) throw new Error(`unsupported filter: ${part}`);
  const terms = body.split(/\s+or\s+/).map((term) => {
    const match = /^(@?[\w.]+) = "([^"]*)"$/.exec(term.trim());
    if (!match) throw new Error(`unsupported filter term: ${term}`);
    return { field: match[1]!, text: match[2]! };
  });
  return (fields) => terms.some(({ field, text }) => fields[field] === text);
}

function parseStats(part: string): {
  aggregates: { fn: string; field: string; as: string }[];
  binMinutes: number | undefined;
} {
  const match = /^stats (.+) by (?:bin\((\d+)m\)|@log)$/.exec(part);
  if (!match) throw new Error(`unsupported stats: ${part}`);
  const aggregates = match[1]!.split(',').map((item) => {
    const agg = /^(count|sum|max|avg)\((\*|@?[\w.]+)\) as (\w+)$/.exec(item.trim());
    if (!agg) throw new Error(`unsupported aggregate: ${item}`);
    return { fn: agg[1]!, field: agg[2]!, as: agg[3]! };
  });
  return { aggregates, binMinutes: match[2] === undefined ? undefined : Number(match[2]) };
}

const reportFields: [RegExp, string][] = [
  [/RequestId: (\S+)/, '@requestId'],
  [/\tDuration: ([\d.]+) ms/, '@duration'],
  [/Billed Duration: ([\d.]+) ms/, '@billedDuration'],
  [/Memory Size: ([\d.]+) MB/, '@memorySize'],
  [/Max Memory Used: ([\d.]+) MB/, '@maxMemoryUsed'],
  [/Init Duration: ([\d.]+) ms/, '@initDuration'],
];

/** Discovered in bytes from "<n> MB". */
const memoryFields = new Set(['@memorySize', '@maxMemoryUsed']);

function discoverFields(event: LogEvent): Record<string, unknown> {
  const fields: Record<string, unknown> = { '@timestamp': event.timestamp, '@message': event.message };
  const type = /^(START|END|REPORT) RequestId:/.exec(event.message)?.[1];
  if (type) {
    fields['@type'] = type;
    for (const [pattern, name] of reportFields) {
      const value = pattern.exec(event.message)?.[1];
      if (value === undefined) continue;
      fields[name] = name === '@requestId' ? value : Number(value) * (memoryFields.has(name) ? 1_000_000 : 1);
    }
    return fields;
  }
  try {
    const parsed: unknown = JSON.parse(event.message);
    if (parsed && typeof parsed === 'object') flatten(parsed as Record<string, unknown>, '', fields);
  } catch {
    // Plain text that is not a Lambda platform line: only the system fields.
  }
  return fields;
}

function flatten(value: Record<string, unknown>, prefix: string, into: Record<string, unknown>): void {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (inner && typeof inner === 'object' && !Array.isArray(inner))
      flatten(inner as Record<string, unknown>, name, into);
    else into[name] = inner;
  }
}

/** Logs Insights prints times as `2024-05-01 12:34:00.000`, in UTC. */
function insightsTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
