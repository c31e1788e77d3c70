import * as z from 'zod';

/**
 * The runbook parameters each check kind accepts. They live beside the checks so a new check
 * brings its own schema; the runbook loader composes them.
 */
const number = z.number().finite().nonnegative();

export const thresholdPair = z
  .object({ warn: number.optional(), critical: number.optional() })
  .strict()
  .refine((p) => p.warn !== undefined || p.critical !== undefined, {
    message: 'expected at least one of warn, critical',
  });

export const checkParams = {
  throttles: z
    .object({
      thresholds: z
        .object({ throttledPercent: thresholdPair.optional(), concurrencyPercent: thresholdPair.optional() })
        .strict(),
    })
    .strict(),
  'cold-starts': z
    .object({
      thresholds: z
        .object({ coldStartPercent: thresholdPair.optional(), spikeRatio: thresholdPair.optional() })
        .strict(),
      minInvocations: z.number().int().nonnegative().default(50),
    })
    .strict(),
  'downstream-latency': z
    .object({
      thresholds: z.object({ p95Ms: thresholdPair.optional(), slowdownRatio: thresholdPair.optional() }).strict(),
      minRequests: z.number().int().nonnegative().default(20),
    })
    .strict(),
  'error-traces': z
    .object({
      thresholds: z.object({ errorPercent: thresholdPair.optional() }).strict(),
      sampleSize: z.number().int().min(1).max(25).default(5),
    })
    .strict(),
  'recent-deploy': z
    .object({
      thresholds: z
        .object({ minutesSinceDeploy: thresholdPair.optional(), errorRateRatio: thresholdPair.optional() })
        .strict(),
    })
    .strict(),
  dlq: z.object({ thresholds: z.object({ messages: thresholdPair.optional() }).strict() }).strict(),
  profile: z.object({ thresholds: z.object({}).strict().default({}) }).strict(),
} as const;

export type CheckKind = keyof typeof checkParams;
export const checkKinds = Object.keys(checkParams) as CheckKind[];
export type CheckParams<K extends CheckKind> = z.output<(typeof checkParams)[K]>;
