import type { Edge, HistogramEntry, Service } from '@aws-sdk/client-xray';
import type { DownstreamStats } from '../ports';

/** The node types X-Ray gives a Lambda function: the service (invoke) node and the function node. */
export const lambdaNodeTypes = ['AWS::Lambda', 'AWS::Lambda::Function'] as const;

export function isFunctionNode(service: Service, functionName: string): boolean {
  return service.Name === functionName && (lambdaNodeTypes as readonly (string | undefined)[]).includes(service.Type);
}

interface Accumulator {
  name: string;
  type: string;
  requests: number;
  errors: number;
  faults: number;
  totalResponseSeconds: number;
  timedRequests: number;
  histogram: Map<number, number>;
}

/**
 * The downstream services of `functionName` in a service graph (all pages' services together):
 * the targets of the edges leaving its nodes, except its own nodes (the AWS::Lambda node calls the
 * AWS::Lambda::Function node). Edges to the same target are added up.
 */
export function downstreamOf(services: Service[], functionName: string): DownstreamStats[] {
  const byReference = new Map<number, Service>();
  for (const service of services) if (service.ReferenceId !== undefined) byReference.set(service.ReferenceId, service);
  const own = services.filter((s) => isFunctionNode(s, functionName));
  const ownReferences = new Set(own.map((s) => s.ReferenceId));

  const targets = new Map<number, Accumulator>();
  for (const node of own) {
    for (const edge of node.Edges ?? []) {
      if (edge.ReferenceId === undefined || ownReferences.has(edge.ReferenceId)) continue;
      const target = byReference.get(edge.ReferenceId);
      const acc = targets.get(edge.ReferenceId) ?? newAccumulator(target, edge.ReferenceId);
      addEdge(acc, edge);
      targets.set(edge.ReferenceId, acc);
    }
  }
  return [...targets.values()].map(toStats).sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name));
}

function newAccumulator(target: Service | undefined, reference: number): Accumulator {
  return {
    name: target?.Name ?? `service #${reference}`,
    type: target?.Type ?? 'unknown',
    requests: 0,
    errors: 0,
    faults: 0,
    totalResponseSeconds: 0,
    timedRequests: 0,
    histogram: new Map(),
  };
}

function addEdge(acc: Accumulator, edge: Edge): void {
  const stats = edge.SummaryStatistics;
  acc.requests += stats?.TotalCount ?? 0;
  acc.errors += stats?.ErrorStatistics?.TotalCount ?? 0;
  acc.faults += stats?.FaultStatistics?.TotalCount ?? 0;
  if (stats?.TotalResponseTime !== undefined && stats.TotalCount) {
    acc.totalResponseSeconds += stats.TotalResponseTime;
    acc.timedRequests += stats.TotalCount;
  }
  for (const entry of edge.ResponseTimeHistogram ?? []) {
    if (entry.Value === undefined || !entry.Count) continue;
    acc.histogram.set(entry.Value, (acc.histogram.get(entry.Value) ?? 0) + entry.Count);
  }
}

function toStats(acc: Accumulator): DownstreamStats {
  const p95 = histogramPercentile(
    [...acc.histogram.entries()].map(([Value, Count]) => ({ Value, Count })),
    0.95,
  );
  return {
    name: acc.name,
    type: acc.type,
    requests: acc.requests,
    errors: acc.errors,
    faults: acc.faults,
    // X-Ray reports response times in seconds.
    averageMs: acc.timedRequests > 0 ? (acc.totalResponseSeconds / acc.timedRequests) * 1000 : undefined,
    p95Ms: p95 === undefined ? undefined : p95 * 1000,
  };
}

/**
 * The smallest histogram value (seconds) at or below which `fraction` of the requests fall: an
 * estimate as coarse as the histogram's buckets.
 */
export function histogramPercentile(histogram: HistogramEntry[], fraction: number): number | undefined {
  const entries = histogram
    .filter((e): e is { Value: number; Count: number } => e.Value !== undefined && (e.Count ?? 0) > 0)
    .sort((a, b) => a.Value - b.Value);
  const total = entries.reduce((n, e) => n + e.Count, 0);
  if (total === 0) return undefined;
  const needed = fraction * total;
  let seen = 0;
  for (const entry of entries) {
    seen += entry.Count;
    if (seen >= needed) return entry.Value;
  }
  return entries[entries.length - 1]?.Value;
}
