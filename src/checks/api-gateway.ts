import { API_TAG, parseApiTag } from '../api-tag';
import { formatCount, formatMs, formatPercent } from '../format';
import { extraIds } from './evidence';
import { gradeAbove, isAtLeastWarn, percentOf, round, worst } from './grade';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult, Link } from './types';

/**
 * The API in front of the function (seed §7), named by the `gofn:api` tag: its 4xx and 5xx, and
 * its Latency against IntegrationLatency against the function's own Duration, all p99, so "the
 * API is slow but the function isn't" reads as such. Reads the one GetMetricData.
 */
export async function apiGatewayCheck(ctx: CheckContext, params: CheckParams<'api-gateway'>): Promise<CheckResult> {
  const { fn } = ctx;
  const tag = fn.tags[API_TAG];
  if (tag === undefined) {
    return {
      status: 'ok',
      summary: `not behind an API gofn knows of (tag ${API_TAG}=rest/<ApiName>/<stage> or http/<ApiId>/<stage> names one)`,
      evidence: { api: null },
      links: [],
      notApplicable: true,
    };
  }
  const api = parseApiTag(tag);
  if (!api) {
    const why = `the ${API_TAG} tag "${tag.slice(0, 100)}" is not rest/<ApiName>[/<stage>] or http/<ApiId>[/<stage>]`;
    return {
      status: 'unknown',
      summary: `cannot check the API: ${why}`,
      reason: why,
      evidence: { api: tag },
      links: [],
    };
  }
  const metrics = await ctx.evidence.metrics();
  const read = (id: string) => metrics.extra[id];
  const label = `${api.type === 'rest' ? 'REST API' : 'HTTP API'} ${api.name}${api.stage ? ` (${api.stage})` : ''}`;
  const links: Link[] = [apiMetricsLink(fn.region, api.type, api.name)];
  const refused = [extraIds.apiCount, extraIds.api4xx, extraIds.api5xx].filter((id) => read(id)?.served === false);
  if (refused.length > 0) {
    const why = `CloudWatch refused the metrics of ${label}`;
    return { status: 'unknown', summary: `cannot check: ${why}`, reason: why, evidence: { api: tag }, links };
  }
  const requests = read(extraIds.apiCount)?.current ?? 0;
  const errors4xx = read(extraIds.api4xx)?.current ?? 0;
  const errors5xx = read(extraIds.api5xx)?.current ?? 0;
  const latency = read(extraIds.apiLatency)?.current;
  const integration = read(extraIds.apiIntegration)?.current;
  const duration = metrics.current.durationP99Ms;
  const evidence = {
    api: tag,
    apiRequests: requests,
    api4xx: errors4xx,
    api5xx: errors5xx,
    api4xxPercent: round(percentOf(errors4xx, requests)),
    api5xxPercent: round(percentOf(errors5xx, requests)),
    apiLatencyP99Ms: latency === undefined ? null : Math.round(latency),
    integrationLatencyP99Ms: integration === undefined ? null : Math.round(integration),
    functionDurationP99Ms: duration === undefined ? null : Math.round(duration),
    apiOverheadP99Ms: latency !== undefined && integration !== undefined ? Math.round(latency - integration) : null,
  };
  if (requests === 0) {
    return { status: 'no-traffic', summary: `${label}: no requests in the window`, evidence, links };
  }
  const overhead = latency !== undefined && integration !== undefined ? latency - integration : undefined;
  const status = worst(
    gradeAbove(percentOf(errors5xx, requests), params.thresholds.error5xxPercent),
    gradeAbove(percentOf(errors4xx, requests), params.thresholds.error4xxPercent),
    gradeAbove(overhead, params.thresholds.apiOverheadMs),
  );
  const latencyPart =
    latency === undefined
      ? 'latency p99 not reported'
      : `latency p99 ${formatMs(latency)}` +
        (integration !== undefined
          ? ` = integration ${formatMs(integration)} + API ${formatMs(Math.max(0, latency - integration))}`
          : '') +
        (duration !== undefined ? ` · function p99 ${formatMs(duration)}` : '');
  const summary = `${label}: ${formatCount(requests)} requests · 5xx ${formatPercent(percentOf(errors5xx, requests))} · 4xx ${formatPercent(percentOf(errors4xx, requests))} · ${latencyPart}`;
  return {
    status,
    summary,
    headline: headlineOf(label, { requests, errors4xx, errors5xx, latency, integration, duration }, params, status),
    evidence,
    links,
  };
}

function headlineOf(
  label: string,
  m: {
    requests: number;
    errors4xx: number;
    errors5xx: number;
    latency?: number | undefined;
    integration?: number | undefined;
    duration?: number | undefined;
  },
  params: CheckParams<'api-gateway'>,
  status: string,
): string {
  const five = percentOf(m.errors5xx, m.requests);
  if (isAtLeastWarn(gradeAbove(five, params.thresholds.error5xxPercent)))
    return `${label} answers ${formatPercent(five)} of requests with 5xx`;
  if (
    m.latency !== undefined &&
    m.integration !== undefined &&
    isAtLeastWarn(gradeAbove(m.latency - m.integration, params.thresholds.apiOverheadMs))
  ) {
    const fnPart = m.duration !== undefined ? ` while the function's p99 is ${formatMs(m.duration)}` : '';
    return `the API is slow but the function isn't: ${label} adds ${formatMs(m.latency - m.integration)} at p99${fnPart}`;
  }
  const four = percentOf(m.errors4xx, m.requests);
  return status === 'ok' ? `${label} is healthy` : `${label} answers ${formatPercent(four)} of requests with 4xx`;
}

function apiMetricsLink(region: string, type: 'rest' | 'http', name: string): Link {
  const dimension = type === 'rest' ? 'ApiName' : 'ApiId';
  const query = encodeURIComponent(`{AWS/ApiGateway,${dimension}} ${name}`).replace(/%/g, '*');
  return {
    label: 'API metrics',
    url: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#metricsV2?query=~'${query}`,
  };
}
