import { GetServiceGraphCommand, type Service } from '@aws-sdk/client-xray';
import type { CallOptions, TimeWindow, TracedRequests } from '../ports';
import { callAws } from './call';
import type { AwsClients } from './clients';
import { lambdaNodeTypes } from './service-graph';

const maxPages = 20;

/**
 * Requests X-Ray traced per function, from one service graph of the whole account and region:
 * each function's nodes (the AWS::Lambda service node and the AWS::Lambda::Function node) count
 * the traced requests in their SummaryStatistics. The larger of the two is taken: a function
 * traced only by its caller's decision (PassThrough) may have one of them only.
 */
export async function readTracedRequests(
  clients: AwsClients,
  window: TimeWindow,
  opts?: CallOptions,
): Promise<TracedRequests> {
  const services: Service[] = [];
  let token: string | undefined;
  let partial: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await callAws(
      { service: 'XRay', operation: 'GetServiceGraph', subject: 'the traced requests of every function' },
      opts,
      clients.settings.callTimeoutMs,
      (abortSignal) =>
        clients.xray.send(
          new GetServiceGraphCommand({ StartTime: window.start, EndTime: window.end, NextToken: token }),
          {
            abortSignal,
          },
        ),
    );
    services.push(...(out.Services ?? []));
    token = out.NextToken;
    if (!token) break;
    if (page === maxPages - 1) partial = `more than ${maxPages} pages; the rest were not read`;
  }
  const byFunction = new Map<string, number>();
  for (const service of services) {
    if (!service.Name || !(lambdaNodeTypes as readonly (string | undefined)[]).includes(service.Type)) continue;
    const count = service.SummaryStatistics?.TotalCount ?? 0;
    byFunction.set(service.Name, Math.max(byFunction.get(service.Name) ?? 0, count));
  }
  return { window, byFunction, partial };
}
