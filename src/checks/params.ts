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

/** `${function}` and `${alias}` are the only placeholders a runbook's own step may use. */
const PLACEHOLDER = /\$\{([^}]*)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['function', 'alias']);

/** A text that may hold `${function}` and `${alias}`, refused with the unknown placeholder named. */
function templated(max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      for (const [, name] of text.matchAll(PLACEHOLDER)) {
        if (!KNOWN_PLACEHOLDERS.has(name ?? '')) {
          ctx.addIssue({ code: 'custom', message: `unknown placeholder \${${name}}; use \${function} or \${alias}` });
        }
      }
    });
}

/** A custom step's threshold pair, in the order its `compare` says (checked on the step). */
const valuePair = z
  .object({ warn: z.number().finite().optional(), critical: z.number().finite().optional() })
  .strict()
  .refine((p) => p.warn !== undefined || p.critical !== undefined, {
    message: 'expected at least one of warn, critical',
  });

/** For a custom step: the pair must be in the order `compare` grades it. */
function pairInOrder(
  step: {
    compare: 'above' | 'below';
    thresholds: { value: { warn?: number | undefined; critical?: number | undefined } };
  },
  ctx: z.RefinementCtx,
): void {
  const { warn, critical } = step.thresholds.value;
  if (warn === undefined || critical === undefined) return;
  if (step.compare === 'above' && warn > critical) {
    ctx.addIssue({
      code: 'custom',
      path: ['thresholds', 'value'],
      message: `warn (${warn}) is above critical (${critical}); with compare: above, warn must not exceed critical`,
    });
  }
  if (step.compare === 'below' && warn < critical) {
    ctx.addIssue({
      code: 'custom',
      path: ['thresholds', 'value'],
      message: `warn (${warn}) is below critical (${critical}); with compare: below, warn must be at least critical`,
    });
  }
}

/** CloudWatch's statistics: the five plain ones, and percentiles like p99 or p99.9. */
const statistic = z.string().regex(/^(Sum|Average|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d{1,3})?)$/, {
  message: 'expected Sum, Average, Minimum, Maximum, SampleCount or a percentile like p99',
});

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
  'memory-crashes': z
    .object({
      thresholds: z
        .object({
          /** Max Memory Used as a percentage of the memory size. */
          memoryPercent: above.optional(),
          /** Timeouts, out-of-memory kills and panics as a percentage of invocations. */
          crashPercent: above.optional(),
        })
        .strict(),
      /** GOMEMLIMIT should leave this share of the memory size to what is not Go heap. */
      goMemLimitHeadroomPercent: number.max(90).default(10),
    })
    .strict(),
  timeouts: z.object({ thresholds: z.object({ timeoutPercent: above.optional() }).strict() }).strict(),
  'event-source-lag': z
    .object({
      thresholds: z
        .object({
          oldestMessageAgeSeconds: above.optional(),
          visibleMessages: above.optional(),
          iteratorAgeMs: above.optional(),
        })
        .strict(),
      /** A backlog whose function fails at least this share of invocations looks like a poison message. */
      poisonErrorPercent: number.max(100).default(50),
    })
    .strict(),
  'api-gateway': z
    .object({
      thresholds: z
        .object({
          error5xxPercent: above.optional(),
          error4xxPercent: above.optional(),
          apiOverheadMs: above.optional(),
        })
        .strict(),
    })
    .strict(),
  'metric-threshold': z
    .object({
      metric: z
        .object({
          namespace: z.string().min(1).max(255),
          name: z.string().min(1).max(255),
          dimensions: z.record(z.string().min(1).max(255), templated(1024)).default({}),
          stat: statistic.default('Maximum'),
        })
        .strict(),
      /** `above`: a larger value is worse; `below`: a smaller one is. */
      compare: z.enum(['above', 'below']).default('above'),
      thresholds: z.object({ value: valuePair }).strict(),
      /** Said after the value: "412 messages". */
      unit: z.string().max(40).optional(),
    })
    .strict(),
  'logs-insights': z
    .object({
      /** A Logs Insights query over the function's log group and the current window. */
      query: templated(4000),
      /** The result field the thresholds apply to. */
      field: z
        .string()
        .regex(/^[A-Za-z@_][A-Za-z0-9@_.]{0,99}$/, { message: 'expected a result field name like failures' }),
      /** How the field's values over the result rows combine. */
      aggregate: z.enum(['sum', 'max', 'min', 'first']).default('sum'),
      compare: z.enum(['above', 'below']).default('above'),
      thresholds: z.object({ value: valuePair }).strict(),
      unit: z.string().max(40).optional(),
    })
    .strict(),
  profile: z
    .object({
      thresholds: z.object({}).strict().default({}),
      // how long each warm instance records when the step's profile action runs
      seconds: z.number().int().min(5).max(300).default(30),
    })
    .strict(),
} as const;

/**
 * Checks across a step's parameters, applied to the whole step (the step schema is built from the
 * parameters' shape, which leaves object-level refinements behind).
 */
export const stepRefinements: Partial<Record<CheckKind, (step: never, ctx: z.RefinementCtx) => void>> = {
  'metric-threshold': (step: CheckParams<'metric-threshold'>, ctx: z.RefinementCtx) => pairInOrder(step, ctx),
  'logs-insights': (step: CheckParams<'logs-insights'>, ctx: z.RefinementCtx) => {
    pairInOrder(step, ctx);
    if (!step.query.includes(step.field)) {
      ctx.addIssue({
        code: 'custom',
        path: ['field'],
        message: `the query never names "${step.field}"; name the result field it computes (… as ${step.field})`,
      });
    }
  },
};

/** Checks written in the runbook itself rather than in gofn: they read what the runbook names. */
export const customCheckKinds: ReadonlySet<string> = new Set(['metric-threshold', 'logs-insights']);

export type CheckKind = keyof typeof checkParams;
export const checkKinds = Object.keys(checkParams) as CheckKind[];
export type CheckParams<K extends CheckKind> = z.output<(typeof checkParams)[K]>;
