import * as z from 'zod';
import { parseDuration, parseTimeRef } from './time';

/**
 * The scenario file format (`apiVersion: gofn/v1`, `kind: Scenario`). Every object is strict, so a
 * misspelt key fails loudly with a suggestion instead of being silently ignored, and every number
 * has bounds, so a slip of the keyboard cannot make the simulation generate a trillion traces.
 * docs/scenarios.md explains the format with an annotated example.
 */

// ---------------------------------------------------------------- building blocks

/** A strict object whose unknown-key error names the keys it does know, and the closest one. */
function strict<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, known) : undefined),
  });
}

function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  const [first] = keys;
  const guess = first === undefined ? undefined : closest(first, known);
  const listed = keys.map((k) => JSON.stringify(k)).join(', ');
  return (
    `unknown key${keys.length > 1 ? 's' : ''} ${listed}` +
    (guess ? ` (did you mean "${guess}"?)` : '') +
    `; expected one of: ${known.join(', ')}`
  );
}

/** The known key within edit distance 2 of `word`, if any: enough to catch most typos. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(word.toLowerCase(), key.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64 || b.length > 64) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? Infinity;
}

/** A string checked and converted by `parse`; `expected` is the sentence shown when it fails. */
function textAs<T>(expected: string, parse: (text: string) => T | undefined) {
  return z.string({ error: expected }).transform((text, ctx) => {
    const value = parse(text);
    if (value === undefined) {
      ctx.issues.push({
        code: 'custom',
        message: `${expected}, got ${JSON.stringify(text.slice(0, 40))}`,
        input: text,
      });
      return z.NEVER;
    }
    return value;
  });
}

const timeRef = textAs('expected a time like -38m, -1h30m, -3d, now or an ISO timestamp', parseTimeRef);
const duration = textAs('expected a duration like 90s, 5m, 1h30m or 2d', parseDuration);

const name = (what: string, pattern: RegExp, max: number) =>
  z
    .string({ error: `expected ${what}` })
    .min(1)
    .max(max)
    .regex(pattern, { error: `expected ${what}` });

const functionName = name('a function name (letters, digits, - and _)', /^[A-Za-z0-9_-]+$/, 64);
const queueName = name('a queue name (letters, digits, - and _, optionally .fifo)', /^[A-Za-z0-9_-]+(\.fifo)?$/, 80);
const aliasName = name('an alias name (letters, digits, - and _)', /^(?!\d+$)[A-Za-z0-9_-]+$/, 128);

/** Versions are numbers in Lambda; YAML reads `42` as a number and `"42"` as a string: take both. */
const version = z
  .union([z.number().int().min(1).max(1_000_000), z.string().regex(/^[1-9]\d{0,6}$/)], {
    error: 'expected a published version number like 42',
  })
  .transform((v) => String(v));

const ms = z.number().min(0).max(900_000); // Lambda's own 15-minute ceiling
const perMinute = z.number().min(0).max(10_000_000);
const count = z.number().int().min(0).max(1_000_000_000);

/** A per-minute level: a plain number per minute, or `"2%"` of the invocations in that minute. */
export type Rate = { readonly perMinute: number } | { readonly percent: number };

const rate = z
  .union([perMinute, z.string()], { error: 'expected a number per minute or a percentage like "2%"' })
  .transform((value, ctx): Rate => {
    if (typeof value === 'number') return { perMinute: value };
    const match = /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim());
    const percent = match ? Number(match[1]) : Number.NaN;
    if (!(percent >= 0 && percent <= 100)) {
      ctx.issues.push({
        code: 'custom',
        message: `expected a number per minute or a percentage from 0% to 100%, got ${JSON.stringify(value.slice(0, 40))}`,
        input: value,
      });
      return z.NEVER;
    }
    return { percent };
  });

// ---------------------------------------------------------------- signals over time

const durationLevels = strict({ p50: ms, p95: ms, p99: ms });
const megabytes = z.number().min(0).max(10_240);
/** Max Memory Used of the REPORT lines: its mean and its peak in a minute, in MB. */
const memoryLevels = strict({ avg: megabytes, max: megabytes });
/** What a Go panic logs: its message and the top frame of the goroutine that panicked. */
const panicSpec = strict({
  message: z.string().min(1).max(1000),
  /** `function (file.go:line)`, as aws-lambda-go's recovered stack names the frame. */
  frame: z.string().min(1).max(300).optional(),
});
const initDurationLevels = strict({ avg: ms, max: ms });

const errorMessage = strict({
  message: z.string().min(1).max(1000),
  weight: z.number().positive().max(1_000_000).default(1),
  /** X-Ray: `fault` for a failed invocation (5xx), `error` for a client error (4xx). */
  kind: z.enum(['fault', 'error']).default('fault'),
  /** How long the failing invocation ran; defaults to the minute's p99 duration. */
  durationMs: ms.optional(),
});

const downstreamLevels = {
  /** Requests to the service per invocation, so its traffic follows the function's. */
  callsPerInvocation: z.number().min(0).max(1000),
  avgMs: ms,
  p95Ms: ms,
  errors: rate,
  faults: rate,
};
const downstreamBaseline = strict({
  /** X-Ray service type, for example `AWS::DynamoDB` or `remote`. */
  type: z.string().min(1).max(100),
  ...downstreamLevels,
  callsPerInvocation: downstreamLevels.callsPerInvocation.default(1),
  errors: rate.default({ perMinute: 0 }),
  faults: rate.default({ perMinute: 0 }),
});
const downstreamChange = strict(downstreamLevels).partial();

const serviceName = z.string().min(1).max(200);

const baselineLevels = strict({
  invocations: perMinute,
  errors: rate.default({ perMinute: 0 }),
  throttles: rate.default({ perMinute: 0 }),
  /** Peak ConcurrentExecutions in a minute; derived from traffic and duration when not given. */
  concurrency: z.number().int().min(0).max(1_000_000).optional(),
  duration: durationLevels,
  /** Invocations with an Init Duration in their REPORT line. */
  coldStarts: rate.default({ perMinute: 0 }),
  initDuration: initDurationLevels.default({ avg: 180, max: 320 }),
  errorMessages: z.array(errorMessage).max(50).default([]),
  downstream: z.record(serviceName, downstreamBaseline).default({}),
  memoryUsed: memoryLevels.default({ avg: 45, max: 70 }),
  /** Invocations that end "Task timed out after …". */
  timeouts: rate.default({ perMinute: 0 }),
  /** Invocations the sandbox kills for memory ("Runtime exited with error: signal: killed"). */
  outOfMemory: rate.default({ perMinute: 0 }),
  /** Invocations that end in a Go panic. */
  panics: rate.default({ perMinute: 0 }),
  panic: panicSpec.default({ message: 'runtime error: invalid memory address or nil pointer dereference' }),
});

const levelChange = strict({
  invocations: perMinute,
  errors: rate,
  throttles: rate,
  concurrency: z.number().int().min(0).max(1_000_000),
  duration: durationLevels.partial(),
  coldStarts: rate,
  initDuration: initDurationLevels.partial(),
  errorMessages: z.array(errorMessage).min(1).max(50),
  downstream: z.record(serviceName, downstreamChange),
  memoryUsed: memoryLevels.partial(),
  timeouts: rate,
  outOfMemory: rate,
  panics: rate,
  panic: panicSpec,
}).partial();

const incident = strict({
  /** A label for people reading the file; the simulation does not use it. */
  name: z.string().max(200).optional(),
  from: timeRef,
  /** Omitted: the incident is still going on at `now`. */
  to: timeRef.optional(),
  /** Moves linearly from the earlier levels to the new ones over this long, instead of a step. */
  ramp: duration.optional(),
  set: levelChange,
});

const metrics = strict({
  /** Relative jitter of every level per minute (0.05 = ±5%), so charts do not look ruled. */
  noise: z.number().min(0).max(0.5).default(0),
  baseline: baselineLevels,
  incidents: z.array(incident).max(100).default([]),
});

// ---------------------------------------------------------------- the rest of a function

const queue = strict({
  queue: queueName,
  /** ApproximateNumberOfMessages. */
  messages: count.default(0),
  /** ApproximateNumberOfMessagesNotVisible. */
  inFlight: count.default(0),
  /** A few message bodies, as the queue would show them. */
  samples: z
    .array(z.string().max(256 * 1024))
    .max(20)
    .default([]),
});

const eventSource = strict({
  queue: queueName,
  messages: count.default(0),
  inFlight: count.default(0),
  samples: z
    .array(z.string().max(256 * 1024))
    .max(20)
    .default([]),
  state: z.enum(['Enabled', 'Disabled', 'Creating', 'Updating', 'Deleting']).default('Enabled'),
  /**
   * The alias or version the mapping invokes, as `alias.addEventSource` binds it; omitted, the
   * mapping invokes the function itself.
   */
  boundTo: z
    .union([z.number().int().min(1).max(1_000_000), z.string().regex(/^[A-Za-z0-9_-]{1,128}$/)], {
      error: 'expected an alias name or a version number of the function',
    })
    .transform((v) => String(v))
    .optional(),
  /** Redrive policy of the source queue: after this many receives a message goes to `deadLetter`. */
  maxReceiveCount: z.number().int().min(1).max(1000).default(5),
  deadLetter: queue.optional(),
  /** ApproximateAgeOfOldestMessage of the source queue, in seconds, as SQS publishes it now. */
  oldestMessageAgeSeconds: z.number().min(0).max(1_209_600).default(0),
  /** ScalingConfig.MaximumConcurrency of the mapping (2 to 1,000); omitted: no cap of its own. */
  maximumConcurrency: z.number().int().min(2).max(1000).optional(),
  /** StateTransitionReason, as Lambda words it: "User action", "USER_INITIATED", "PROBLEM: …". */
  stateTransitionReason: z.string().max(500).optional(),
});

/** A Kinesis or DynamoDB stream the function reads through an event-source mapping. */
const streamSource = strict({
  service: z.enum(['kinesis', 'dynamodb']),
  /** The stream's name (Kinesis) or its table's name (DynamoDB). */
  name: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected a stream or table name' }),
  state: z.enum(['Enabled', 'Disabled', 'Creating', 'Updating', 'Deleting']).default('Enabled'),
  /** IteratorAge (Maximum) in the window, in milliseconds: how far behind the newest record the function reads. */
  iteratorAgeMs: z.number().min(0).max(604_800_000).default(0),
  stateTransitionReason: z.string().max(500).optional(),
  /** LastProcessingResult of the mapping, e.g. "OK" or "PROBLEM: Function call failed". */
  lastProcessingResult: z.string().max(500).optional(),
});

/** The API Gateway API in front of the function (seed §7), and what it measured. */
const api = strict({
  /** `rest`: metrics by ApiName (4XXError, 5XXError); `http`: by ApiId (4xx, 5xx). */
  type: z.enum(['rest', 'http']).default('rest'),
  /** ApiName of a REST API, ApiId of an HTTP API. */
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected an API name or ID' }),
  stage: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
  /** Requests per minute (Count); default: the function's invocations. */
  requests: perMinute.optional(),
  errors4xx: rate.default({ perMinute: 0 }),
  errors5xx: rate.default({ perMinute: 0 }),
  /** Latency and IntegrationLatency p99, in ms. */
  latencyP99Ms: ms,
  integrationLatencyP99Ms: ms,
});

/** A runbook's own metric-threshold step reads this (any namespace, matched by name and the dimensions given). */
const customMetric = strict({
  namespace: z.string().min(1).max(255),
  metricName: z.string().min(1).max(255),
  /** Only queries with these dimension values match; omitted: any. */
  dimensions: z.record(z.string().min(1).max(255), z.string().max(1024)).default({}),
  /** The statistic over the current window, and over the previous one (default: the same). */
  value: z.number(),
  previous: z.number().optional(),
});

const deployment = strict({
  /** CodeDeploy deployment ID (`d-` and 9 characters); generated when omitted. */
  id: z
    .string()
    .regex(/^d-[A-Z0-9]{9}$/, { error: 'expected a CodeDeploy deployment ID like d-7QX2ABCDE' })
    .optional(),
  status: z.enum(['Created', 'Queued', 'InProgress', 'Baking', 'Succeeded', 'Failed', 'Stopped', 'Ready']),
  config: z.string().min(1).max(200).default('CodeDeployDefault.LambdaAllAtOnce'),
  created: timeRef,
  completed: timeRef.optional(),
  currentVersion: version,
  targetVersion: version,
});

const codeDeploy = strict({
  application: z.string().min(1).max(100),
  group: z.string().min(1).max(100),
  /** The alias the group's deployments move, and a stopped deployment moves back. */
  alias: aliasName.default('live'),
  deployments: z.array(deployment).max(200).default([]),
});

/** How a canary's version behaves, on top of the function's levels at each minute. */
const canaryLevels = strict({
  errors: rate,
  duration: durationLevels.partial(),
  errorMessages: z.array(errorMessage).min(1).max(50),
}).partial();

const canary = strict({
  /** When the additional version began taking its share; default: its deployment's start, else its publication. */
  since: timeRef.optional(),
  set: canaryLevels.default({}),
});

const aliasTarget = z.union([
  version.transform((v) => ({
    version: v,
    routing: {} as Record<string, number>,
    canary: undefined as z.output<typeof canary> | undefined,
  })),
  strict({
    /** The alias's FunctionVersion: during a canary, the stable version that takes most traffic. */
    version,
    /** Additional version weights during a canary, e.g. {"43": 0.1}: the canary version and its share. */
    routing: z.record(z.string().regex(/^[1-9]\d{0,6}$/), z.number().min(0).max(1)).default({}),
    /** The routed version's own telemetry (ExecutedVersion); without it, it behaves like the stable one. */
    canary: canary.optional(),
  }),
]);

const faultCode = z.enum(['AccessDenied', 'Throttled', 'Timeout', 'Unsupported', 'Upstream', 'NotFound']);
export type FaultCode = z.output<typeof faultCode>;

const faults = strict({
  functions: faultCode,
  metrics: faultCode,
  logs: faultCode,
  traces: faultCode,
  deploys: faultCode,
  queues: faultCode,
}).partial();
export type FaultSource = keyof z.output<typeof faults>;

/** LoggingConfig, as GetFunction reports it. */
const logging = strict({
  /** Text: REPORT lines; JSON: platform.report records. */
  format: z.enum(['Text', 'JSON']).default('Text'),
  /** JSON format only: Lambda writes platform.report at INFO, so WARN leaves the log group without them. */
  systemLogLevel: z.enum(['DEBUG', 'INFO', 'WARN']).optional(),
  /** LoggingConfig.LogGroup; default `/aws/lambda/<name>`. */
  logGroup: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[.\-_/#A-Za-z0-9]+$/, { error: 'expected a log group name (letters, digits and . - _ / #)' })
    .optional(),
});

/** What the cost read sees of a function beyond its traffic (`gofn cost`); every key optional. */
const costSpec = strict({
  /** AWS/Logs IncomingBytes per invocation: START, END and REPORT lines plus the function's own logging. */
  logBytesPerInvocation: z.number().min(0).max(10_000_000).default(400),
  /** The highest Max Memory Used of the REPORT lines; default 70% of memoryMb. */
  maxMemoryUsedMb: z.number().min(1).max(10_240).optional(),
  /** Share of invocations X-Ray records; default X-Ray's default rule (1 a second, then 5%) when tracing is Active. */
  traced: z
    .string()
    .regex(/^\d+(\.\d+)?\s*%$/, { error: 'expected a percentage like "5%"' })
    .transform((text) => Math.min(100, Number(text.replace('%', ''))) / 100)
    .optional(),
  /** Provisioned concurrency configured on an alias since a time (default: before the cost window). */
  provisionedConcurrency: strict({
    alias: aliasName.default('live'),
    count: z.number().int().min(1).max(10_000),
    since: timeRef.optional(),
  }).optional(),
  /** What Compute Optimizer says of the function; absent: it has no recommendation for it. */
  computeOptimizer: z
    .union([
      strict({ finding: z.literal('NotOptimized'), memoryMb: z.number().int().min(128).max(10_240) }),
      strict({ finding: z.literal('Optimized') }),
      strict({ finding: z.literal('Unavailable'), reason: z.enum(['InsufficientData', 'Inconclusive']) }),
    ])
    .optional(),
});

const functionVersion = strict({
  version,
  publishedAt: timeRef,
  description: z.string().max(256).optional(),
});

const functionSpec = strict({
  name: functionName,
  description: z.string().max(256).optional(),
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
  runtime: z.string().min(1).max(50).default('provided.al2023'),
  architecture: z.enum(['arm64', 'x86_64']).default('arm64'),
  memoryMb: z.number().int().min(128).max(10240).default(512),
  timeoutSeconds: z.number().int().min(1).max(900).default(10),
  reservedConcurrency: z.number().int().min(0).max(1_000_000).optional(),
  logging: logging.default({ format: 'Text' }),
  /**
   * TracingConfig.Mode. Lambda's own default is PassThrough; scenarios default to Active because
   * the functions they describe are deployed the way gofn's infrastructure deploys them.
   */
  tracing: z.enum(['Active', 'PassThrough']).default('Active'),
  versions: z.array(functionVersion).min(1).max(1000),
  aliases: z.record(aliasName, aliasTarget),
  /** Async invocations: DeadLetterConfig target queue. */
  deadLetter: queue.optional(),
  /** Async invocations: EventInvokeConfig OnFailure destination queue. */
  onFailure: queue.optional(),
  /** An SQS queue the function consumes through an event source mapping. */
  eventSource: eventSource.optional(),
  /** A Kinesis or DynamoDB stream the function consumes through an event source mapping. */
  streamSource: streamSource.optional(),
  /** The API Gateway API in front of the function; sets the gofn:api tag the diagnosis reads. */
  api: api.optional(),
  /**
   * Environment variables of the function as GetFunction returns them. Only GOMEMLIMIT is read
   * (the memory step); the report never shows a value.
   */
  environment: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.string().max(4096)).default({}),
  /** Metrics of other namespaces the function's runbook steps may read (metric-threshold steps). */
  customMetrics: z.array(customMetric).max(50).default([]),
  /** The rows every runbook Logs Insights step gets from the function's log group (the simulation runs no query). */
  insightsRows: z
    .array(z.record(z.string().min(1).max(255), z.union([z.number(), z.string().max(1000)])))
    .max(100)
    .default([]),
  codeDeploy: codeDeploy.optional(),
  metrics,
  /** Make a data source fail for this function, to show `unknown` steps. */
  faults: faults.default({}),
  /** What `gofn cost` sees beyond the function's traffic. */
  cost: costSpec.default({ logBytesPerInvocation: 400 }),
});

export const scenarioSchema = strict({
  apiVersion: z.literal('gofn/v1'),
  kind: z.literal('Scenario'),
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a lower-case name with dashes' }),
  description: z.string().max(2000).default(''),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS region like us-east-1' })
    .optional(),
  accountId: z
    .string()
    .regex(/^\d{12}$/, { error: 'expected a 12-digit account ID in quotes' })
    .optional(),
  /** The account's ConcurrentExecutions limit in the region. */
  accountConcurrencyLimit: z.number().int().min(100).max(1_000_000).optional(),
  /**
   * Cost Explorer as the simulated account answers it: `enabled` bills each service tag what gofn
   * estimates times (1 + billedDifference); `not-enabled` and `denied` are stated, not errors.
   */
  costExplorer: z
    .union([
      z.enum(['not-enabled', 'denied']),
      strict({
        access: z.literal('enabled'),
        billedDifference: z
          .string()
          .regex(/^[+-]?\d+(\.\d+)?\s*%$/, { error: 'expected a percentage like "-4%"' })
          .transform((text) => Number(text.replace('%', '')) / 100)
          .default(0),
      }),
    ])
    .optional(),
  /** Whether the simulated account is opted in to AWS Compute Optimizer. */
  computeOptimizer: z.enum(['opted-in', 'not-opted-in']).optional(),
  functions: z.array(functionSpec).min(1).max(10_000),
});

export type ScenarioFile = z.output<typeof scenarioSchema>;
export type FunctionSpec = ScenarioFile['functions'][number];
export type MetricsSpec = FunctionSpec['metrics'];
export type BaselineLevels = MetricsSpec['baseline'];
export type LevelChange = MetricsSpec['incidents'][number]['set'];
export type ErrorMessageSpec = BaselineLevels['errorMessages'][number];
export type QueueSpec = z.output<typeof queue>;
export type CanaryLevels = z.output<typeof canaryLevels>;
export type CostSpec = z.output<typeof costSpec>;
export type CostExplorerSpec = NonNullable<ScenarioFile['costExplorer']>;
