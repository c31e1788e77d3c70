import { apiGatewayCheck } from './api-gateway';
import { coldStartsCheck } from './cold-starts';
import { logsInsightsCheck, metricThresholdCheck } from './custom';
import { eventSourceLagCheck } from './event-source-lag';
import { memoryCrashesCheck } from './memory-crashes';
import { timeoutsCheck } from './timeouts';
import { dlqCheck } from './dlq';
import { downstreamLatencyCheck } from './downstream-latency';
import { errorTracesCheck } from './error-traces';
import type { CheckKind, CheckParams } from './params';
import { profileCheck } from './profile';
import { recentDeployCheck } from './recent-deploy';
import { throttlesCheck } from './throttles';
import type { CheckContext, CheckResult } from './types';

export type CheckFunction<K extends CheckKind> = (ctx: CheckContext, params: CheckParams<K>) => Promise<CheckResult>;

/** One entry per check kind a runbook step may name. */
export const checkRegistry: { [K in CheckKind]: CheckFunction<K> } = {
  throttles: throttlesCheck,
  'cold-starts': coldStartsCheck,
  'downstream-latency': downstreamLatencyCheck,
  'error-traces': errorTracesCheck,
  'recent-deploy': recentDeployCheck,
  dlq: dlqCheck,
  profile: profileCheck,
  'memory-crashes': memoryCrashesCheck,
  timeouts: timeoutsCheck,
  'event-source-lag': eventSourceLagCheck,
  'api-gateway': apiGatewayCheck,
  'metric-threshold': metricThresholdCheck,
  'logs-insights': logsInsightsCheck,
};

/** Checks that report guidance rather than a measurement; renderers mark them neutrally. */
export const informationalChecks: ReadonlySet<CheckKind> = new Set<CheckKind>(['profile']);
