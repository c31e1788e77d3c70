import { formatCount } from '../format';
import type { CostUsage, CostWindow, FunctionCostConfig, LogGroupMemory, ProvisionedConfig } from '../ports';
import { formatPrice, formatUsd } from './money';
import type { RegionPrices } from '../prices';
import type { CostAmount, CostItem, FunctionUsage } from './report';

/**
 * A function's cost, item by item, from its configuration and usage at list prices: a pure
 * function, so every number the report shows can be recomputed from the inputs it lists.
 */

/** The projection's rate: the daily average of the window's last days. */
export const PROJECTION_DAYS = 7;
/** A month, for the projection. */
export const MONTH_DAYS = 30;
/** Billing GB: 2^30 bytes. */
const GB = 1024 ** 3;
const DAY_SECONDS = 86_400;

/**
 * X-Ray's default sampling rule: the first request each second (the reservoir), then 5% of the
 * rest. Used when the service graph cannot say what share of a function's requests it traced.
 */
export const DEFAULT_SAMPLING = { reservoirPerSecond: 1, rate: 0.05 };

export interface CostInputs {
  config: FunctionCostConfig;
  usage: CostUsage;
  window: CostWindow;
  /** What the REPORT lines of the memory window say; undefined when not read or without data. */
  memory: LogGroupMemory | undefined;
  /**
   * Requests X-Ray traced in the last period of the window (the one `usage.recentInvocations`
   * counts); undefined when the service graph was not read.
   */
  traced: number | undefined;
  /** Provisioned concurrency configured now; undefined when it was not read. */
  provisioned: ProvisionedConfig[] | undefined;
}

export interface Estimate {
  items: Record<CostItem, CostAmount | null>;
  total: CostAmount;
  usage: FunctionUsage;
  formulas: Record<CostItem, string>;
  unknown: string[];
}

export function estimateCost(inputs: CostInputs, prices: RegionPrices): Estimate {
  const { config, usage, window } = inputs;
  const days = usage.days;
  const gb = config.memoryMb / 1024;
  const arch = config.architecture;
  const unknown: string[] = [];
  const invocations = sum(days.map((d) => d.invocations));
  const provisionedShare =
    invocations > 0 ? Math.min(1, sum(days.map((d) => d.provisionedInvocations)) / invocations) : 0;

  // Requests.
  const perRequest = prices.lambda.requestsPerMillion / 1e6;
  const requests = amount(days.map((d) => d.invocations * perRequest));
  const requestsFormula = `${formatCount(invocations)} requests × ${formatPrice(prices.lambda.requestsPerMillion)}/1M = ${formatUsd(requests.window)}`;

  // Compute: handler duration plus the init time of cold starts, on demand or on provisioned concurrency.
  const initPerInvocationS =
    inputs.memory && inputs.memory.reports > 0 ? inputs.memory.initMsSum / inputs.memory.reports / 1000 : undefined;
  if (initPerInvocationS === undefined) {
    unknown.push(
      inputs.memory
        ? 'init time of cold starts not counted: no REPORT line in the memory window (JSON logs at WARN write none)'
        : 'init time of cold starts not counted: the REPORT lines were not read',
    );
  }
  const onDemandPrice = prices.lambda.gbSecond[arch];
  const provisionedDurationPrice = prices.lambda.provisionedDurationGbSecond[arch];
  const dayCompute = days.map((d) => {
    const share = d.invocations > 0 ? Math.min(1, d.provisionedInvocations / d.invocations) : 0;
    const handlerS = d.durationMs / 1000;
    const initS = (initPerInvocationS ?? 0) * d.invocations * (1 - share);
    return {
      onDemandS: handlerS * (1 - share) + initS,
      provisionedS: handlerS * share,
      initS,
    };
  });
  const compute = amount(
    dayCompute.map((d) => d.onDemandS * gb * onDemandPrice + d.provisionedS * gb * provisionedDurationPrice),
  );
  const handlerSeconds = sum(days.map((d) => d.durationMs)) / 1000;
  const initSeconds = initPerInvocationS === undefined ? null : sum(dayCompute.map((d) => d.initS));
  const provisionedSeconds = sum(dayCompute.map((d) => d.provisionedS));
  const gbSeconds = (handlerSeconds + (initSeconds ?? 0)) * gb;
  const computeFormula =
    `(${formatCount(Math.round(handlerSeconds))} s handler` +
    (initSeconds === null ? '' : ` + ${formatCount(Math.round(initSeconds))} s init`) +
    `) × ${gb} GB = ${formatCount(Math.round(gbSeconds))} GB-s` +
    (provisionedSeconds > 0
      ? `; ${formatCount(Math.round(provisionedSeconds * gb))} GB-s on provisioned concurrency × ${formatPrice(provisionedDurationPrice)}, the rest`
      : '') +
    ` × ${formatPrice(onDemandPrice)}/GB-s (${arch}) = ${formatUsd(compute.window)}`;

  // Provisioned concurrency: what is allocated, for as long as it has been, at the current size.
  let provisioned: CostAmount | null = null;
  let provisionedFormula = 'no provisioned concurrency';
  let provisionedUsage: FunctionUsage['provisioned'] = null;
  if (inputs.provisioned === undefined) {
    provisionedFormula = 'not read';
    if (provisionedShare > 0) unknown.push('provisioned concurrency configuration not read');
  } else {
    const price = prices.lambda.provisionedGbSecond[arch];
    const perDay = days.map(() => 0);
    let paidSeconds = 0;
    let allocatedNow = 0;
    for (const config of inputs.provisioned) {
      allocatedNow += config.allocated;
      const from = Math.max(window.start.getTime(), config.since?.getTime() ?? window.start.getTime());
      days.forEach((_, i) => {
        const dayStart = window.start.getTime() + i * DAY_SECONDS * 1000;
        const seconds =
          Math.max(0, Math.min(dayStart + DAY_SECONDS * 1000, window.end.getTime()) - Math.max(dayStart, from)) / 1000;
        perDay[i]! += config.allocated * seconds * gb * price;
        paidSeconds += config.allocated * seconds;
      });
    }
    const utilization = paidSeconds > 0 ? Math.min(1, provisionedSeconds / paidSeconds) : null;
    provisionedUsage = inputs.provisioned.map((c) => ({
      qualifier: c.qualifier,
      allocated: c.allocated,
      utilization,
    }));
    provisioned = {
      window: sum(perDay),
      // The allocation configured now goes on: a month of it, not the recent days' average.
      month: allocatedNow * MONTH_DAYS * DAY_SECONDS * gb * price,
    };
    if (inputs.provisioned.length > 0) {
      provisionedFormula =
        `${formatCount(allocatedNow)} allocated (${inputs.provisioned.map((c) => c.qualifier).join(', ')}) × ` +
        `${formatCount(Math.round(paidSeconds / Math.max(allocatedNow, 1)))} s × ${gb} GB × ${formatPrice(price)}/GB-s = ${formatUsd(provisioned.window)}` +
        (utilization === null ? '' : `; ${Math.round(utilization * 100)}% of it busy`);
    }
  }

  // CloudWatch Logs ingestion of the function's log group.
  const logsMissing = usage.missing.some((m) => m.startsWith('IncomingBytes'));
  const logBytes = sum(days.map((d) => d.logBytes));
  const logs = logsMissing ? null : amount(days.map((d) => (d.logBytes / GB) * prices.logsIngestionPerGb));
  if (logsMissing) unknown.push(`log ingestion of ${config.logGroup} not served by CloudWatch`);
  const logsFormula = logsMissing
    ? 'not served'
    : `${(logBytes / GB).toFixed(2)} GB into ${config.logGroup} × ${formatPrice(prices.logsIngestionPerGb)}/GB = ${formatUsd(logs?.window ?? 0)}`;

  // X-Ray: the share of requests traced recently, applied to every day.
  const sampling = tracedShareOf(inputs);
  const perTrace = prices.xrayPerMillionTraces / 1e6;
  let xray: CostAmount | null = null;
  let traces: number | null = null;
  let xrayFormula: string;
  if (sampling.share === undefined) {
    unknown.push(`X-Ray traces not known: ${sampling.why}`);
    xrayFormula = `not known: ${sampling.why}`;
  } else {
    const share = sampling.share;
    const dayTraces = days.map((d) => (sampling.byDay ? sampling.byDay(d.invocations) : d.invocations * share));
    traces = sum(dayTraces);
    xray = amount(dayTraces.map((t) => t * perTrace));
    xrayFormula = `${formatCount(Math.round(traces))} traces (${sampling.why}) × ${formatPrice(prices.xrayPerMillionTraces)}/1M = ${formatUsd(xray.window)}`;
  }

  const items: Record<CostItem, CostAmount | null> = { requests, compute, provisioned, logs, xray };
  const known = Object.values(items).filter((item): item is CostAmount => item !== null);
  return {
    items,
    total: { window: sum(known.map((i) => i.window)), month: sum(known.map((i) => i.month)) },
    usage: {
      invocations,
      gbSeconds,
      initSeconds,
      logGb: logsMissing ? null : logBytes / GB,
      traces,
      tracedShare: sampling.share ?? null,
      provisionedShare,
      provisioned: provisionedUsage,
      durationP99Ms: usage.durationP99Ms ?? null,
      maxMemoryUsedMb: inputs.memory?.maxUsedMb ?? null,
      memoryReports: inputs.memory?.reports ?? 0,
    },
    formulas: {
      requests: requestsFormula,
      compute: computeFormula,
      provisioned: provisionedFormula,
      logs: logsFormula,
      xray: xrayFormula,
    },
    unknown,
  };
}

interface Sampling {
  share: number | undefined;
  /** Traces of a day from its invocations, when the share depends on traffic (the default rule). */
  byDay?: (invocations: number) => number;
  why: string;
}

/**
 * What share of requests X-Ray records: measured (traced ÷ invoked over the same recent hours) when
 * the function ran then; otherwise X-Ray's default rule for an actively traced function, and none
 * for a function that is not traced.
 */
function tracedShareOf(inputs: CostInputs): Sampling {
  const recent = inputs.usage.recentInvocations;
  if (inputs.traced !== undefined && recent > 0) {
    const share = Math.min(1, inputs.traced / recent);
    return {
      share,
      why: `${Math.round(share * 1000) / 10}% traced: ${formatCount(inputs.traced)} of ${formatCount(recent)} requests in the last 6 h`,
    };
  }
  if (inputs.config.tracingMode !== 'Active') {
    return { share: 0, why: `tracing ${inputs.config.tracingMode ?? 'off'}, no traces in the service graph` };
  }
  if (inputs.traced === undefined) return { share: undefined, why: 'the service graph was not read' };
  // Active, but no request in the recent hours to measure with: the default rule's share.
  const perDay = (invocations: number) => {
    const reservoir = Math.min(invocations, DEFAULT_SAMPLING.reservoirPerSecond * DAY_SECONDS);
    return reservoir + DEFAULT_SAMPLING.rate * (invocations - reservoir);
  };
  const invocations = sum(inputs.usage.days.map((d) => d.invocations));
  const traces = sum(inputs.usage.days.map((d) => perDay(d.invocations)));
  return {
    share: invocations > 0 ? traces / invocations : 0,
    byDay: perDay,
    why: "X-Ray's default rule (1 a second, then 5%): no request in the last 6 h to measure with",
  };
}

/** Window total and the projected month of a per-day series (oldest first). */
export function amount(perDay: number[]): CostAmount {
  const recent = perDay.slice(-PROJECTION_DAYS);
  return {
    window: sum(perDay),
    month: recent.length > 0 ? (sum(recent) / recent.length) * MONTH_DAYS : 0,
  };
}

function sum(values: number[]): number {
  return values.reduce((total, v) => total + v, 0);
}
