import type {
  BilledAnswer,
  CallOptions,
  CostPort,
  CostTarget,
  CostUsageEntry,
  CostWindow,
  FunctionCostConfig,
  MemoryUseAnswer,
  ProvisionedConfig,
  RecommendationsAnswer,
  TimeWindow,
  TracedRequests,
} from '../ports';
import type { AwsClients } from './clients';
import { readCostUsage } from './cloudwatch-cost';
import { readMemoryRecommendations } from './compute-optimizer';
import { readBilledCost } from './cost-explorer';
import { InsightsMemory, type InsightsMemoryOptions } from './insights-memory';
import { listFunctionConfigs, listProvisionedConcurrency } from './lambda-cost-configs';
import { readTracedRequests } from './xray-traced';

/** CostPort over CloudWatch, Logs Insights, Lambda, X-Ray, Compute Optimizer and Cost Explorer. */
export class AwsCost implements CostPort {
  private readonly memory: InsightsMemory;

  constructor(
    private readonly clients: AwsClients,
    options: { insights?: InsightsMemoryOptions } = {},
  ) {
    this.memory = new InsightsMemory(clients, options.insights);
  }

  functionConfigPages(opts?: CallOptions): AsyncIterable<FunctionCostConfig[]> {
    return listFunctionConfigs(this.clients, opts);
  }

  getUsage(targets: CostTarget[], window: CostWindow, opts?: CallOptions): Promise<Map<string, CostUsageEntry>> {
    return readCostUsage(this.clients, targets, window, opts);
  }

  getMemoryUse(logGroups: string[], window: TimeWindow, opts?: CallOptions): Promise<MemoryUseAnswer> {
    return this.memory.getMemoryUse(logGroups, window, opts);
  }

  getTracedRequests(window: TimeWindow, opts?: CallOptions): Promise<TracedRequests> {
    return readTracedRequests(this.clients, window, opts);
  }

  getProvisionedConcurrency(functionName: string, opts?: CallOptions): Promise<ProvisionedConfig[]> {
    return listProvisionedConcurrency(this.clients, functionName, opts);
  }

  getMemoryRecommendations(opts?: CallOptions): Promise<RecommendationsAnswer> {
    return readMemoryRecommendations(this.clients, opts);
  }

  getBilledCost(window: CostWindow, tagKey: string, region: string, opts?: CallOptions): Promise<BilledAnswer> {
    return readBilledCost(this.clients, window, tagKey, region, opts);
  }
}
