import type { TimeWindow } from '../ports';
import type { Link } from './types';

/**
 * AWS console deep links. Every number gofn shows has a place the on-call engineer can open to
 * check it; these build those places.
 */

function consoleBase(region: string, service: string): string {
  return `https://${region}.console.aws.amazon.com/${service}/home?region=${region}`;
}

/**
 * The CloudWatch console keeps its state in the URL fragment in a "rison-like" form where `~`
 * separates values, `'` starts a string and non-alphanumerics are written as `*XX`.
 */
function cloudwatchEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~.-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%/g, '*');
}

export function lambdaAliasLink(region: string, functionName: string, alias: string): Link {
  // $LATEST is no alias: the function's own page shows it.
  if (alias === '$LATEST') {
    return {
      label: 'function',
      url: `${consoleBase(region, 'lambda')}#/functions/${encodeURIComponent(functionName)}`,
    };
  }
  return {
    label: 'alias',
    url: `${consoleBase(region, 'lambda')}#/functions/${encodeURIComponent(functionName)}/aliases/${encodeURIComponent(alias)}`,
  };
}

export function metricsLink(region: string, functionName: string, window: TimeWindow): Link {
  const query = cloudwatchEscape(`{AWS/Lambda,FunctionName} ${functionName}`);
  const range = `start~'${window.start.toISOString()}~end~'${window.end.toISOString()}`;
  return {
    label: 'metrics',
    url: `${consoleBase(region, 'cloudwatch')}#metricsV2?graph=~(${range}~timezone~'UTC)&query=~'${query}`,
  };
}

export function logsInsightsLink(region: string, logGroup: string, query: string, window: TimeWindow): Link {
  const detail =
    `~(end~'${window.end.toISOString()}~start~'${window.start.toISOString()}~timeType~'ABSOLUTE~tz~'UTC` +
    `~editorString~'${cloudwatchEscape(query)}~source~(~'${cloudwatchEscape(logGroup)}))`;
  // The Logs Insights route escapes its own `?` and `=` with `$3F` and `$3D`.
  return {
    label: 'logs',
    url: `${consoleBase(region, 'cloudwatch')}#logsV2:logs-insights$3FqueryDetail$3D${detail.replace(/\*/g, '$2A').replace(/~/g, '$257E').replace(/'/g, '$2527')}`,
  };
}

export function tracesLink(region: string, functionName: string, window: TimeWindow, onlyFailures = false): Link {
  const filter = onlyFailures
    ? `service("${functionName}") { error = true OR fault = true }`
    : `service("${functionName}")`;
  return {
    label: 'traces',
    url:
      `${consoleBase(region, 'cloudwatch')}#xray:traces/query?~(query~(expression~'${cloudwatchEscape(filter)})` +
      `~context~(timeRange~(end~'${window.end.toISOString()}~start~'${window.start.toISOString()})))`,
  };
}

export function traceLink(region: string, traceId: string): Link {
  return { label: traceId, url: `${consoleBase(region, 'cloudwatch')}#xray:traces/${encodeURIComponent(traceId)}` };
}

export function serviceMapLink(region: string, window: TimeWindow): Link {
  return {
    label: 'service map',
    url: `${consoleBase(region, 'cloudwatch')}#xray:service-map/map~(query~()~context~(timeRange~(end~'${window.end.toISOString()}~start~'${window.start.toISOString()})))`,
  };
}

export function deploymentLink(region: string, deploymentId: string): Link {
  return {
    label: deploymentId,
    url: `https://${region}.console.aws.amazon.com/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}`,
  };
}

export function queueLink(region: string, queueArn: string): Link {
  const [, , , , account, name] = queueArn.split(':');
  const url = `https://sqs.${region}.amazonaws.com/${account ?? ''}/${name ?? ''}`;
  return {
    label: name ?? queueArn,
    url: `https://${region}.console.aws.amazon.com/sqs/v3/home?region=${region}#/queues/${encodeURIComponent(url)}`,
  };
}

export function concurrencyLink(region: string, functionName: string): Link {
  return {
    label: 'concurrency',
    url: `${consoleBase(region, 'lambda')}#/functions/${encodeURIComponent(functionName)}/edit/concurrency`,
  };
}

/** The log group's page: its most recent streams and events. */
export function logGroupLink(region: string, logGroup: string): Link {
  // The console escapes the group name twice: '/' becomes %2F, then '%' becomes $25.
  return {
    label: 'logs',
    url: `${consoleBase(region, 'cloudwatch')}#logsV2:log-groups/log-group/${encodeURIComponent(logGroup).replace(/%/g, '$25')}`,
  };
}

/** The function-level links every report carries: metrics, logs, traces, alias. */
export function consoleLinksFor(
  fn: { region: string; name: string; alias: string; logGroup: string },
  window: TimeWindow,
): Link[] {
  return [
    metricsLink(fn.region, fn.name, window),
    logGroupLink(fn.region, fn.logGroup),
    tracesLink(fn.region, fn.name, window),
    lambdaAliasLink(fn.region, fn.name, fn.alias),
  ];
}
