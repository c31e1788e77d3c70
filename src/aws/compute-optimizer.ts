import {
  GetLambdaFunctionRecommendationsCommand,
  type LambdaFunctionRecommendation,
} from '@aws-sdk/client-compute-optimizer';
import { ErrorCode, isGofnError } from '../errors';
import type { CallOptions, MemoryRecommendation, RecommendationsAnswer } from '../ports';
import { functionNameFromArn } from './arn';
import { callAws } from './call';
import type { AwsClients } from './clients';
import { awsErrorName } from './errors';

const maxPages = 100;

/**
 * Compute Optimizer's memory recommendations for every function of the account and region it has
 * analysed, a page at a time. Functions it could not judge (finding Unavailable: too few
 * invocations, or inconclusive) are listed only when the Finding filter names Unavailable, so all
 * three findings are asked for. An account that is not opted in, or a caller without the
 * permission, is an answer saying so.
 */
export async function readMemoryRecommendations(
  clients: AwsClients,
  opts?: CallOptions,
): Promise<RecommendationsAnswer> {
  const byFunction = new Map<string, MemoryRecommendation>();
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < maxPages; page++) {
      const out = await callAws(
        {
          service: 'ComputeOptimizer',
          operation: 'GetLambdaFunctionRecommendations',
          subject: 'the functions of the region',
        },
        opts,
        clients.settings.callTimeoutMs,
        (abortSignal) =>
          clients.computeOptimizer.send(
            new GetLambdaFunctionRecommendationsCommand({
              filters: [{ name: 'Finding', values: ['Optimized', 'NotOptimized', 'Unavailable'] }],
              nextToken,
            }),
            { abortSignal },
          ),
      );
      for (const recommendation of out.lambdaFunctionRecommendations ?? []) {
        const name = recommendation.functionArn ? functionNameFromArn(recommendation.functionArn) : undefined;
        if (name) byFunction.set(name, recommendationOf(recommendation));
      }
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
  } catch (error) {
    if (opts?.signal?.aborted) throw error;
    if (awsErrorName(error) === 'OptInRequiredException') {
      return { available: false, reason: 'this account is not opted in to AWS Compute Optimizer' };
    }
    if (isGofnError(error, ErrorCode.AccessDenied)) {
      return {
        available: false,
        reason: 'not allowed to read Compute Optimizer (compute-optimizer:GetLambdaFunctionRecommendations)',
      };
    }
    throw error;
  }
  return { available: true, byFunction };
}

function recommendationOf(r: LambdaFunctionRecommendation): MemoryRecommendation {
  const best = [...(r.memorySizeRecommendationOptions ?? [])].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))[0];
  const savings = best?.savingsOpportunity?.estimatedMonthlySavings;
  const duration = best?.projectedUtilizationMetrics?.filter((m) => m.name === 'Duration') ?? [];
  const projected =
    duration.find((m) => m.statistic === 'UpperBound')?.value ??
    duration.find((m) => m.statistic === 'Expected')?.value;
  return {
    finding: r.finding ?? 'Unavailable',
    reasons: r.findingReasonCodes ?? [],
    currentMemoryMb: r.currentMemorySize,
    recommendedMemoryMb: best?.memorySize,
    monthlySavings:
      savings?.value !== undefined ? { amount: savings.value, currency: savings.currency ?? 'USD' } : undefined,
    projectedDurationMs: projected,
    lookbackDays: r.lookbackPeriodInDays,
    invocations: r.numberOfInvocations,
  };
}
