import { describeError } from '../errors';
import { formatCount } from '../format';
import type { ExtraMetricQuery, FunctionInfo } from '../ports';
import { gradeAbove, gradeBelow, round } from './grade';
import { logsInsightsLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult, Link, ThresholdPair } from './types';

/**
 * A runbook's own steps: a metric of any namespace against a threshold (read in the diagnosis's
 * one GetMetricData), and a Logs Insights query of its own whose result field is graded. Both
 * name the function with `${function}` and `${alias}`.
 */

/** `${function}` and `${alias}` replaced by the diagnosed function's. */
export function resolvePlaceholders(text: string, fn: Pick<FunctionInfo, 'name' | 'alias'>): string {
  return text.replace(/\$\{(function|alias)\}/g, (_, name: string) => (name === 'function' ? fn.name : fn.alias));
}

/** The id of a metric-threshold step's query in the one GetMetricData. */
export function customMetricId(stepId: string): string {
  return `step_${stepId.replace(/-/g, '_')}`;
}

/** The extra metric a metric-threshold step reads, with the function's names filled in. */
export function customMetricQuery(
  stepId: string,
  params: CheckParams<'metric-threshold'>,
  fn: Pick<FunctionInfo, 'name' | 'alias'>,
): ExtraMetricQuery {
  return {
    id: customMetricId(stepId),
    namespace: params.metric.namespace,
    metricName: params.metric.name,
    dimensions: Object.entries(params.metric.dimensions).map(([name, value]) => ({
      name,
      value: resolvePlaceholders(value, fn),
    })),
    stat: params.metric.stat,
  };
}

function grade(compare: 'above' | 'below', value: number | undefined, pair: ThresholdPair) {
  return compare === 'above' ? gradeAbove(value, pair) : gradeBelow(value, pair);
}

function thresholdText(compare: 'above' | 'below', pair: ThresholdPair): string {
  const sign = compare === 'above' ? '≥' : '≤';
  const parts = [
    pair.warn !== undefined ? `warn ${sign} ${formatValue(pair.warn)}` : '',
    pair.critical !== undefined ? `critical ${sign} ${formatValue(pair.critical)}` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : String(round(value, 3));
}

export async function metricThresholdCheck(
  ctx: CheckContext,
  params: CheckParams<'metric-threshold'> & { id?: string },
): Promise<CheckResult> {
  const { fn, window } = ctx;
  const query = customMetricQuery(params.id ?? 'custom', params, fn);
  const metrics = await ctx.evidence.metrics();
  const result = metrics.extra[query.id];
  const described = `${query.namespace} ${query.metricName} ${query.stat}${query.dimensions.length > 0 ? ` (${query.dimensions.map((d) => `${d.name}=${d.value}`).join(', ')})` : ''}`;
  const links: Link[] = [metricLink(fn.region, query, window)];
  const evidence = {
    namespace: query.namespace,
    metric: query.metricName,
    stat: query.stat,
    dimensions: query.dimensions.map((d) => `${d.name}=${d.value}`),
    value: result?.current ?? null,
    previous: result?.previous ?? null,
    latest: result?.latest ?? null,
  };
  if (!result || !result.served) {
    const why = result ? `CloudWatch refused ${described}` : `${described} was not in the metrics request`;
    return { status: 'unknown', summary: `cannot check: ${why}`, reason: why, evidence, links };
  }
  if (result.current === undefined) {
    const why = `CloudWatch has no datapoint of ${described} in the window`;
    return { status: 'unknown', summary: `no data: ${why}`, reason: why, evidence, links };
  }
  const unit = params.unit ? ` ${params.unit}` : '';
  const status = grade(params.compare, result.current, params.thresholds.value);
  const previous = result.previous !== undefined ? ` (prev. ${formatValue(result.previous)}${unit})` : '';
  return {
    status,
    summary: `${query.metricName} ${query.stat} ${formatValue(result.current)}${unit}${previous} · ${thresholdText(params.compare, params.thresholds.value)}`,
    headline: `${query.metricName} ${query.stat} is ${formatValue(result.current)}${unit}`,
    evidence,
    links,
  };
}

export async function logsInsightsCheck(ctx: CheckContext, params: CheckParams<'logs-insights'>): Promise<CheckResult> {
  const { fn, window } = ctx;
  const queryString = resolvePlaceholders(params.query, fn);
  const links = [logsInsightsLink(fn.region, fn.logGroup, queryString, window)];
  let rows;
  try {
    rows = await ctx.evidence.insightsRows(queryString);
  } catch (error) {
    const why = `the query could not run: ${describeError(error)}`;
    return { status: 'unknown', summary: why, reason: why, evidence: { query: queryString, value: null }, links };
  }
  const values = rows
    .map((row) => row[params.field])
    .filter((v): v is string => v !== undefined && v !== '')
    .map(Number)
    .filter((v) => Number.isFinite(v));
  const value = combine(params.aggregate, values, rows.length);
  const evidence = { query: queryString, field: params.field, rows: rows.length, value: value ?? null };
  if (value === undefined) {
    const why =
      rows.length === 0
        ? 'the query returned no rows'
        : `no row has a number in "${params.field}" (fields: ${
            Object.keys(rows[0] ?? {})
              .slice(0, 6)
              .join(', ') || 'none'
          })`;
    return { status: 'unknown', summary: `cannot grade: ${why}`, reason: why, evidence, links };
  }
  const unit = params.unit ? ` ${params.unit}` : '';
  const status = grade(params.compare, value, params.thresholds.value);
  return {
    status,
    summary: `${params.field} ${formatValue(value)}${unit} · ${thresholdText(params.compare, params.thresholds.value)}`,
    headline: `${params.field} is ${formatValue(value)}${unit}`,
    evidence,
    links,
  };
}

/** A `stats count(*)` over nothing returns no row: a sum over no rows is 0, the others have no value. */
function combine(aggregate: 'sum' | 'max' | 'min' | 'first', values: number[], rows: number): number | undefined {
  if (values.length === 0) return aggregate === 'sum' && rows === 0 ? 0 : undefined;
  switch (aggregate) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'first':
      return values[0];
  }
}

function metricLink(region: string, query: ExtraMetricQuery, window: CheckContext['window']): Link {
  const search = encodeURIComponent(`{${query.namespace}} ${query.metricName}`).replace(/%/g, '*');
  const range = `start~'${window.start.toISOString()}~end~'${window.end.toISOString()}`;
  return {
    label: 'metric',
    url: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#metricsV2?graph=~(${range})&query=~'${search}`,
  };
}
