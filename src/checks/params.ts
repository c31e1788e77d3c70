import * as z from 'zod';

/**
 * The runbook parameters each check kind accepts. They live beside the checks so a new check
 * brings its own schema; the runbook loader composes them.
 */
const number = z.number().finite().nonnegative();

/**
 * A {warn, critical} pair, for a value where bigger is worse (`above`: warn ≤ critical, graded by
 * gradeAbove) or where smaller is worse (`below`: warn ≥ critical, graded by gradeBelow). A pair in
 * the wrong order would never warn, or warn only past critical, so it is refused.
 */
function thresholdPair(worse: 'above' | 'below') {
  return z
    .object({ warn: number.optional(), critical: number.optional() })
    .strict()
    .refine((p) => p.warn !== undefined || p.critical !== undefined, {
      message: 'expected at least one of warn, critical',
    })
    .superRefine(({ warn, critical }, ctx) => {
      if (warn === undefined || critical === undefined) return;
      if (worse === 'above' && warn > critical) {
        ctx.addIssue({
          code: 'custom',
          message: `warn (${warn}) is above critical (${critical}); a larger value is worse here, so warn must not exceed critical`,
        });
      }
      if (worse === 'below' && warn < critical) {
        ctx.addIssue({
          code: 'custom',
          message: `warn (${warn}) is below critical (${critical}); a smaller value is worse here, so warn must be at least critical`,
        });
      }
    });
}

const above = thresholdPair('above');
const below = thresholdPair('below');

export const checkParams = {
  throttles: z
    .object({
      thresholds: z.object({ throttledPercent: above.optional(), concurrencyPercent: above.optional() }).strict(),
    })
    .strict(),
  'cold-starts': z
    .object({
      thresholds: z.object({ coldStartPercent: above.optional(), spikeRatio: above.optional() }).strict(),
      minInvocations: z.number().int().nonnegative().default(50),
    })
    .strict(),
  'downstream-latency': z
    .object({
      thresholds: z.object({ p95Ms: above.optional(), slowdownRatio: above.optional() }).strict(),
      minRequests: z.number().int().nonnegative().default(20),
    })
    .strict(),
  'error-traces': z
    .object({
      thresholds: z.object({ errorPercent: above.optional() }).strict(),
      sampleSize: z.number().int().min(1).max(25).default(5),
    })
    .strict(),
  'recent-deploy': z
    .object({
      thresholds: z.object({ minutesSinceDeploy: below.optional(), errorRateRatio: above.optional() }).strict(),
      /** Below this error rate (percent) after a deploy, a rise is not blamed on it, whatever the ratio. */
      minErrorPercent: number.max(100).default(0.5),
    })
    .strict(),
  dlq: z.object({ thresholds: z.object({ messages: above.optional() }).strict() }).strict(),
  profile: z
    .object({
      thresholds: z.object({}).strict().default({}),
      // how long each warm instance records when the step's profile action runs
      seconds: z.number().int().min(5).max(300).default(30),
    })
    .strict(),
} as const;

export type CheckKind = keyof typeof checkParams;
export const checkKinds = Object.keys(checkParams) as CheckKind[];
export type CheckParams<K extends CheckKind> = z.output<(typeof checkParams)[K]>;
