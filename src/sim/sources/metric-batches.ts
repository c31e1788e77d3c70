import { describeError } from '../../errors';
import type { CallOptions } from '../../ports';
import type { SimulatedFleet } from '../fleet';
import { faultOf, type RequestSimulator } from './requests';

/**
 * One simulated GetMetricData per batch of functions, all sent together. One request carries the
 * whole batch: a fault on any function in it fails the request, and only its functions go
 * unanswered, with the reason. A deadline is the caller's to report.
 */
export async function readMetricBatches<T extends { functionName: string }, E>(
  fleet: SimulatedFleet,
  requests: RequestSimulator,
  batches: T[][],
  served: (target: T) => E,
  opts: CallOptions | undefined,
): Promise<Map<string, E | { served: false; reason: string }>> {
  const answers = await Promise.all(
    batches.map(async (members) => {
      const fault = members
        .map((t) => faultOf(fleet.findFunction(t.functionName), 'metrics', `the metrics of ${t.functionName}`))
        .find((f) => f !== undefined);
      try {
        await requests.send('CloudWatch', 'GetMetricData', opts, fault);
      } catch (error) {
        if (opts?.signal?.aborted) throw error;
        const reason = describeError(error);
        return members.map((t) => [t.functionName, { served: false as const, reason }] as const);
      }
      return members.map((t) => [t.functionName, served(t)] as const);
    }),
  );
  return new Map<string, E | { served: false; reason: string }>(answers.flat());
}
