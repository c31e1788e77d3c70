import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import type { LogEvent } from '../fixtures/aws/lambda-report-logs';

/**
 * Just enough of CloudWatch Logs Insights to run gofn's invocation-log query over fixture log
 * events, so a test can tell whether the query the adapter sends reads a given log format at all.
 * It knows:
 * - the fields Logs Insights discovers
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html):
 *   `@type`, `@requestId`, `@duration`, `@billedDuration`, `@memorySize`, `@maxMemoryUsed` and
 *   `@initDuration` from Lambda's text START/END/REPORT lines (the two memory fields in bytes:
 *   the sample query "Determine the amount of overprovisioned memory" divides them by 1000 twice),
 *   the keys of a JSON log event, nested keys joined with dots (`record.metrics.initDurationMs`),
 *   and `@log`, `<account>:<log group>` of the event;
 * - `filter <term> [or <term> ...]`, a term being `<field> = "<text>"` or `<field> like /<regex>/`;
 * - `parse @message /<regex with named groups>/`: the groups become fields of the events it
 *   matches, and nothing of the others;
 * - `fields coalesce(a, b, ...) as x, ...`;
 * - `stats <aggregate> as name, ... by bin(<n>m)` or `by @log`, an aggregate being count(*), count(f), sum(f),
 *   max(f), avg(f), earliest(f), latest(f), or a sum of counts (`count(a) + count(b)`); count(f)
 *   counts the events that have the field, earliest/latest take the field of the earliest/latest
 *   event that has it, and a statistic over no values is left out of the row.
 * Commands are separated by ` | `. Anything else throws, so a query that grows past this subset
 * fails its test instead of passing against something this does not understand.
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
  const commands = queryString.split(' | ').map((part) => part.trim());
  const [filterPart, ...middle] = commands;
  const statsPart = middle.pop();
  if (!filterPart || !statsPart) throw new Error(`unsupported query shape: ${queryString}`);
  const matches = parseFilter(filterPart);
  const steps = middle.map(parseCommand);
  const { aggregates, binMinutes } = parseStats(statsPart);

  const bins = new Map<number | string, Record<string, unknown>[]>();
  for (const [group, events] of Object.entries(groups)) {
    for (const event of events) {
      const fields = { ...discoverFields(event), '@log': `${accountId}:${group}` };
      if (!matches(fields)) continue;
      for (const step of steps) step(fields);
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
      for (const { terms, as } of aggregates) {
        const values = terms.map((term) => aggregate(term, members));
        if (values.some((v) => v === undefined)) continue;
        const value = values.length === 1 ? values[0]! : values.reduce((a, b) => Number(a) + Number(b), 0);
        row.push({ field: as, value: String(value) });
      }
      return row;
    });
}

type Term = { fn: string; field: string };

function aggregate({ fn, field }: Term, members: Record<string, unknown>[]): string | number | undefined {
  const having = field === '*' ? members : members.filter((m) => m[field] !== undefined);
  if (fn === 'count') return having.length;
  if (having.length === 0) return undefined;
  if (fn === 'earliest' || fn === 'latest') {
    const sorted = [...having].sort((a, b) => Number(a['@timestamp']) - Number(b['@timestamp']));
    return String((fn === 'earliest' ? sorted[0] : sorted.at(-1))![field]);
  }
  const numbers = having.map((m) => Number(m[field]));
  if (fn === 'sum') return numbers.reduce((a, b) => a + b, 0);
  if (fn === 'max') return Math.max(...numbers);
  return numbers.reduce((a, b) => a + b, 0) / numbers.length;
}

function parseFilter(part: string): (fields: Record<string, unknown>) => boolean {
  const body = /^filter (.+)$/.exec(part)?.[1];
  if (!body) throw new Error(`unsupported filter: ${part}`);
  const terms = body.split(/\s+or\s+(?=@?[\w.]+ (?:=|like) )/).map((term) => {
    const equals = /^(@?[\w.]+) = "([^"]*)"$/.exec(term.trim());
    if (equals) return (fields: Record<string, unknown>) => fields[equals[1]!] === equals[2]!;
    const like = /^(@?[\w.]+) like \/(.+)\/$/.exec(term.trim());
    if (like) {
      const regex = new RegExp(like[2]!);
      return (fields: Record<string, unknown>) => {
        const value = fields[like[1]!];
        return typeof value === 'string' && regex.test(value);
      };
    }
    throw new Error(`unsupported filter term: ${term}`);
  });
  return (fields) => terms.some((term) => term(fields));
}

/** `parse @message /regex/` or `fields coalesce(...) as x, ...`, as a change to one event's fields. */
function parseCommand(part: string): (fields: Record<string, unknown>) => void {
  const parse = /^parse (@?[\w.]+) \/(.+)\/$/.exec(part);
  if (parse) {
    const regex = new RegExp(parse[2]!);
    return (fields) => {
      const value = fields[parse[1]!];
      const groups = typeof value === 'string' ? regex.exec(value)?.groups : undefined;
      for (const [name, text] of Object.entries(groups ?? {})) if (text !== undefined) fields[name] = text;
    };
  }
  const list = /^fields (.+)$/.exec(part)?.[1];
  if (list) {
    const items = list.split(/,\s*(?=coalesce\()/).map((item) => {
      const coalesce = /^coalesce\(([^)]*)\) as (\w+)$/.exec(item.trim());
      if (!coalesce) throw new Error(`unsupported fields item: ${item}`);
      return { from: coalesce[1]!.split(',').map((f) => f.trim()), as: coalesce[2]! };
    });
    return (fields) => {
      for (const { from, as } of items) {
        const first = from.map((f) => fields[f]).find((v) => v !== undefined);
        if (first !== undefined) fields[as] = first;
      }
    };
  }
  throw new Error(`unsupported command: ${part}`);
}

function parseStats(part: string): {
  aggregates: { terms: Term[]; as: string }[];
  binMinutes: number | undefined;
} {
  const match = /^stats (.+) by (?:bin\((\d+)m\)|@log)$/.exec(part);
  if (!match) throw new Error(`unsupported stats: ${part}`);
  const aggregates = match[1]!.split(',').map((item) => {
    const named = /^(.+) as (\w+)$/.exec(item.trim());
    if (!named) throw new Error(`unsupported aggregate: ${item}`);
    const terms = named[1]!.split(' + ').map((term) => {
      const agg = /^(count|sum|max|avg|earliest|latest)\((\*|@?[\w.]+)\)$/.exec(term.trim());
      if (!agg || (named[1]!.includes(' + ') && agg[1] !== 'count')) throw new Error(`unsupported aggregate: ${item}`);
      return { fn: agg[1]!, field: agg[2]! };
    });
    return { terms, as: named[2]! };
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

function discoverFields(event: LogEvent): Record<string, unknown> {
  const fields: Record<string, unknown> = { '@timestamp': event.timestamp, '@message': event.message };
  const type = /^(START|END|REPORT) RequestId:/.exec(event.message)?.[1];
  if (type) {
    fields['@type'] = type;
    for (const [pattern, name] of reportFields) {
      const value = pattern.exec(event.message)?.[1];
      if (value === undefined) continue;
      // Logs Insights reports the two memory fields in bytes (Lambda's MB × 1,000,000).
      const scale = name === '@memorySize' || name === '@maxMemoryUsed' ? 1_000_000 : 1;
      fields[name] = name === '@requestId' ? value : Number(value) * scale;
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
