import type { TimeWindow } from '../ports';

/**
 * The CloudWatch metric widget gofn renders into a PNG for a thread: duration p50/p95/p99 on
 * the left axis, errors and throttles on the right, over the report's window.
 */
export function functionWidget(functionName: string, window: TimeWindow): Record<string, unknown> {
  const fn = ['FunctionName', functionName];
  return {
    title: `${functionName}: duration, errors, throttles`,
    view: 'timeSeries',
    width: 800,
    height: 400,
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    timezone: '+0000',
    metrics: [
      ['AWS/Lambda', 'Duration', ...fn, { stat: 'p50', label: 'p50' }],
      ['AWS/Lambda', 'Duration', ...fn, { stat: 'p95', label: 'p95' }],
      ['AWS/Lambda', 'Duration', ...fn, { stat: 'p99', label: 'p99' }],
      ['AWS/Lambda', 'Errors', ...fn, { stat: 'Sum', yAxis: 'right', label: 'errors' }],
      ['AWS/Lambda', 'Throttles', ...fn, { stat: 'Sum', yAxis: 'right', label: 'throttles' }],
    ],
  };
}
