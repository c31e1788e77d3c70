import { setMaxListeners } from 'node:events';
import { CallLedger, countCalls } from '../calls';
import { Evidence } from '../checks/evidence';
import { isAtLeastWarn } from '../checks/grade';
import { checkRegistry, informationalChecks } from '../checks/index';
import { consoleLinksFor } from '../checks/links';
import type { CheckContext, CheckResult } from '../checks/types';
import { customMetricQuery } from '../checks/custom';
import { describeError, ErrorCode, GofnError, isGofnError } from '../errors';
import { formatSeconds } from '../format';
import { OWNERS_TAG, parseIdList } from '../owners';
import type { FunctionInfo, Sources } from '../ports';
import { offerAction } from './offers';
import type { AlarmLead, OfferedAction, Report, StepReport, Traffic } from './report';
import type { Runbook, RunbookStep } from './schema';
import { judge } from './verdict';
import { windowsEndingAt } from './window';

export interface DiagnoseOptions {
  sources: Sources;
  runbook: Runbook;
  functionName: string;
  /** Default `live`. */
  alias?: string;
  /** Length of the window to judge; the previous window of the same length is the baseline. */
  windowMs: number;
  /** Default: the current time. */
  now?: Date;
  /** The whole diagnosis must finish within this; steps still waiting become `unknown`. */
  deadlineMs: number;
  /** Aborts the diagnosis from outside (for example when the Lambda's time runs out). */
  signal?: AbortSignal;
  /** How far before the window deployments are looked for. Default 24 h. */
  deployLookbackMs?: number;
  /** The alarm that asked for this diagnosis: the report leads with its metric and threshold. */
  alarm?: AlarmContext | undefined;
  /**
   * How the function is named where several accounts and regions are configured
   * (`prod/eu-west-1/orders-api`): offered actions name it so, in their commands and buttons, so
   * they act in the same account and region. Default: the function's name.
   */
  functionRef?: string;
}

/** What the report says of the alarm that opened the thread. */
export interface AlarmContext {
  name: string;
  /** "Errors > 5 for 2 of 3 periods of 1 min". */
  condition: string;
  reason: string;
  changedAt: Date;
  /** The one metric a single-metric alarm watches; its value is read in the diagnosis's GetMetricData. */
  watched?: WatchedMetric | undefined;
}

/** The metric a single-metric alarm watches, with its statistic, period and threshold. */
export interface WatchedMetric {
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  /** As GetMetricData takes it: Sum, Average, Minimum, Maximum, SampleCount or a percentile. */
  stat: string;
  /** The alarm's period, in seconds. */
  periodSeconds: number | undefined;
  threshold: number | undefined;
}

/** The id of the alarm's metric in the one GetMetricData. */
const ALARM_METRIC_ID = 'alarm';

const DAY_MS = 86_400_000;

/**
 * Walks the runbook against one function: looks the function up, then runs every step's check
 * in parallel over shared, memoized evidence, under one deadline. A step whose source fails
 * ends `unknown` with the reason; the report is produced regardless.
 */
export async function diagnose(options: DiagnoseOptions): Promise<Report> {
  const ledger = new CallLedger();
  const startedAt = performance.now();
  const deadline = new AbortController();
  // Every AWS call of the diagnosis listens to this one signal; more than Node's default ten is expected.
  setMaxListeners(0, deadline.signal);
  const timer = setTimeout(
    () =>
      deadline.abort(
        new GofnError(ErrorCode.Timeout, `no answer within the ${formatSeconds(options.deadlineMs)} deadline`),
      ),
    options.deadlineMs,
  );
  const onOuterAbort = () => deadline.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await countCalls(ledger, async () => {
      const report = await walk(options, deadline.signal);
      return { ...report, awsCalls: ledger.snapshot(), durationMs: Math.round(performance.now() - startedAt) };
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

type Walked = Omit<Report, 'awsCalls' | 'durationMs'>;

async function walk(options: DiagnoseOptions, signal: AbortSignal): Promise<Walked> {
  const { sources, runbook } = options;
  const alias = options.alias ?? 'live';
  const now = options.now ?? new Date();
  const { window, previous } = windowsEndingAt(now, options.windowMs);

  const { fn, notes } = await findFunction(sources, options.functionName, alias, signal);
  const errorSampleSize = runbook.steps.find((s) => s.check === 'error-traces')?.sampleSize ?? 5;
  const watched = options.alarm?.watched;
  const evidence = new Evidence({
    sources,
    fn,
    window,
    previous,
    signal,
    errorSampleSize,
    deployLookbackMs: options.deployLookbackMs ?? DAY_MS,
    // The runbook's own metric steps and the alarm's metric ride in the same GetMetricData.
    extraMetrics: [
      ...runbook.steps.flatMap((step) =>
        step.check === 'metric-threshold' ? [customMetricQuery(step.id, step, fn)] : [],
      ),
      ...(watched
        ? [
            {
              id: ALARM_METRIC_ID,
              namespace: watched.namespace,
              metricName: watched.metricName,
              dimensions: watched.dimensions,
              stat: watched.stat,
              ...(watched.periodSeconds ? { periodSeconds: watched.periodSeconds } : {}),
            },
          ]
        : []),
    ],
  });
  const ctx: CheckContext = { fn, window, previous, evidence, now };

  const ref = options.functionRef ?? fn.name;
  const steps = await Promise.all(runbook.steps.map((step) => runStep(step, ctx, signal, ref)));
  const timedOut = steps.filter((s) => s.status === 'unknown' && signal.aborted).map((s) => s.title.toLowerCase());
  const traffic = await trafficOf(evidence, signal);
  const judged = judge({ functionName: fn.name, alias: fn.alias }, steps, traffic);
  const alarm = options.alarm ? await alarmLead(options.alarm, evidence, signal) : null;

  return {
    function: fn.name,
    region: fn.region,
    alias: fn.alias,
    version: fn.version,
    routing: { ...fn.routing },
    accountId: fn.accountId ?? null,
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    status: judged.status,
    traffic,
    primaryCause: judged.primaryCause,
    verdict: judged.verdict,
    steps,
    links: consoleLinksFor(fn, window),
    runbook: runbook.name,
    source: sources.kind,
    incomplete: timedOut.length > 0 ? `no answer before the deadline from: ${timedOut.join(', ')}` : null,
    owners: parseIdList(fn.tags[OWNERS_TAG]),
    notes,
    alarm,
  };
}

/**
 * The function as seen through the alias. A function that has no alias at all (only $LATEST) is
 * diagnosed as $LATEST with a note saying so and how to add one; a misspelt alias of a function
 * that has others, or a function that does not exist, fails as before.
 */
async function findFunction(
  sources: Sources,
  name: string,
  alias: string,
  signal: AbortSignal,
): Promise<{ fn: FunctionInfo; notes: string[] }> {
  try {
    return { fn: await abortable(sources.functions.getFunction(name, alias, { signal }), signal), notes: [] };
  } catch (error) {
    if (!isGofnError(error, ErrorCode.NotFound) || alias === '$LATEST') throw error;
    const aliases = await abortable(sources.functions.listAliases(name, { signal }), signal).catch(() => undefined);
    if (!aliases || aliases.length > 0) throw error;
    const fn = await abortable(sources.functions.getFunction(name, '$LATEST', { signal }), signal);
    return {
      fn,
      notes: [
        `${fn.name} has no alias, so gofn diagnosed $LATEST and cannot offer a rollback. ` +
          `Publish a version and point an alias at it: aws lambda publish-version --function-name ${fn.name}, ` +
          `then aws lambda create-alias --function-name ${fn.name} --name ${alias} --function-version <version>, ` +
          `and invoke the alias.`,
      ],
    };
  }
}

/** The alarm, with its metric over the window read from the same GetMetricData when it watches one metric. */
async function alarmLead(alarm: AlarmContext, evidence: Evidence, signal: AbortSignal): Promise<AlarmLead> {
  const watched = alarm.watched;
  let value: number | null = null;
  if (watched && !signal.aborted) {
    const read = await abortable(evidence.metrics(), signal).catch(() => undefined);
    const result = read?.extra[ALARM_METRIC_ID];
    value = result?.peak ?? result?.current ?? null;
  }
  return {
    name: alarm.name,
    condition: alarm.condition,
    metric: watched
      ? `${watched.namespace} ${watched.metricName}${watched.dimensions.length > 0 ? ` (${watched.dimensions.map((d) => `${d.name}=${d.value}`).join(', ')})` : ''}`
      : alarm.condition,
    threshold: watched?.threshold ?? null,
    value,
    reason: alarm.reason,
    since: alarm.changedAt.toISOString(),
  };
}

/**
 * The alias's requests in the window, from the metrics the steps already asked for (one request
 * per diagnosis; asked now only by a runbook without a metric step). Null when they could not be
 * read before the deadline.
 */
async function trafficOf(evidence: Evidence, signal: AbortSignal): Promise<Traffic | null> {
  if (signal.aborted) return null;
  try {
    const { current } = await abortable(evidence.metrics(), signal);
    return { invocations: current.invocations, throttles: current.throttles };
  } catch {
    return null;
  }
}

async function runStep(step: RunbookStep, ctx: CheckContext, signal: AbortSignal, ref: string): Promise<StepReport> {
  const check = checkRegistry[step.check] as (ctx: CheckContext, params: RunbookStep) => Promise<CheckResult>;
  let result: CheckResult;
  try {
    result = await abortable(check(ctx, step), signal);
  } catch (error) {
    result = {
      status: 'unknown',
      summary: `could not check: ${describeError(error)}`,
      reason: describeError(error),
      evidence: {},
      links: [],
    };
  }
  // A step that guides rather than measures (the profile) offers its action whatever its status.
  const informational = informationalChecks.has(step.check);
  const offered = isAtLeastWarn(result.status) || informational ? offersFor(step, ctx.fn, result, ref) : [];
  return {
    id: step.id,
    title: step.title,
    status: result.status,
    summary: result.summary,
    evidence: result.evidence,
    recommendation: isAtLeastWarn(result.status) ? (step.advice ?? null) : null,
    actions: offered,
    links: result.links,
    reason: result.status === 'unknown' ? (result.reason ?? result.summary) : null,
    informational: informational || result.notApplicable === true,
    headline: result.headline ?? null,
  };
}

function offersFor(step: RunbookStep, fn: FunctionInfo, result: CheckResult, ref: string): OfferedAction[] {
  return step.actions.flatMap((kind) => {
    const offer = offerAction(kind, { functionName: ref, alias: fn.alias, stepId: step.id, hints: result.hints });
    return offer ? [offer] : [];
  });
}

/** Rejects as soon as `signal` aborts, even if `work` ignores the signal. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(asTimeout(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(asTimeout(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function asTimeout(reason: unknown): GofnError {
  return reason instanceof GofnError
    ? reason
    : new GofnError(ErrorCode.Timeout, 'the diagnosis was stopped', { cause: reason });
}
