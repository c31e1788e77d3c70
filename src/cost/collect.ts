import { setMaxListeners } from 'node:events';
import { CallLedger, countCalls } from '../calls';
import { describeError, ErrorCode, GofnError } from '../errors';
import { formatCount, plural } from '../format';
import { mapBounded } from '../map-bounded';
import {
  RECENT_PERIOD_HOURS,
  type BilledAnswer,
  type CallOptions,
  type CostPort,
  type CostTarget,
  type CostUsageEntry,
  type CostWindow,
  type FunctionCostConfig,
  type FunctionInfo,
  type ManagedFunctionRef,
  type MemoryUseAnswer,
  type ProvisionedConfig,
  type RecommendationsAnswer,
  type Sources,
  type TimeWindow,
  type TracedRequests,
} from '../ports';
import { compareWithOptimizer } from './compare';
import { estimateCost } from './estimate';
import { costFlags } from './flags';
import { PRICE_TABLE, pricesFor, type PriceTable } from '../prices';
import {
  COST_ITEMS,
  type BilledComparison,
  type CostAmount,
  type CostItem,
  type CostReport,
  type FunctionCost,
  type UnpricedFunction,
} from './report';
import { rightSize } from './rightsize';

/**
 * `gofn cost`: what each function of a selection costs, from a handful of batched reads per
 * account and region — the function list and configurations (pages), one GetMetricData per 100
 * functions, one Logs Insights query per 50 log groups, one service graph, one Compute Optimizer
 * listing and one Cost Explorer request — never a round trip per function, except the provisioned
 * concurrency configuration of functions that served requests from it.
 */

export type CostSelection =
  | { kind: 'all' }
  | { kind: 'function'; name: string }
  | { kind: 'service'; service: string }
  /** Functions already listed (the fleet overview's), so they are not listed twice. */
  | { kind: 'listed'; functions: ManagedFunctionRef[] };

export interface CostOptions {
  sources: Sources;
  selection: CostSelection;
  /** The alias a single function is read through (GetFunction). Default `live`. */
  alias?: string;
  now?: Date;
  /** Whole UTC days before today. Default 30. */
  days?: number;
  /** Days of REPORT lines the memory query reads (Logs Insights bills by bytes scanned). Default 7; 0 skips it. */
  memoryDays?: number;
  deadlineMs: number;
  priceTable?: PriceTable;
  /** Ask Cost Explorer for the billed cost (a request costs $0.01). Default true. */
  billed?: boolean;
  /** Ask Compute Optimizer for its recommendations. Default true. */
  recommendations?: boolean;
  /** The cost allocation tag functions are grouped by. Default `service`. */
  tagKey?: string;
  sort?: 'cost' | 'name';
}

export const DEFAULT_DAYS = 30;
export const DEFAULT_MEMORY_DAYS = 7;
/** Up to this many functions are read one by one (GetFunction, through the alias); more by ListFunctions pages. */
export const SMALL_SELECTION = 10;
/** Per-function reads in flight at once (Lambda's control plane allows 15 a second per account). */
const PER_FUNCTION_IN_FLIGHT = 5;
const DAY_MS = 86_400_000;

interface Member {
  name: string;
  tags: Record<string, string>;
  config: FunctionCostConfig | undefined;
  /** Why there is no configuration. */
  missing?: string;
}

export async function costReport(options: CostOptions): Promise<CostReport> {
  const cost = options.sources.cost;
  if (!cost) {
    throw new GofnError(ErrorCode.Unsupported, `The ${options.sources.kind} source cannot say what functions cost.`);
  }
  const ledger = new CallLedger();
  const startedAt = performance.now();
  const signal = AbortSignal.timeout(Math.max(1, Math.floor(options.deadlineMs)));
  setMaxListeners(0, signal);
  const opts: CallOptions = { signal };
  const now = options.now ?? new Date();
  const window = costWindowEndingAt(now, options.days ?? DEFAULT_DAYS);
  const memoryDays = Math.min(options.memoryDays ?? DEFAULT_MEMORY_DAYS, window.days);
  const table = options.priceTable ?? PRICE_TABLE;
  const tagKey = options.tagKey ?? 'service';

  const report = await countCalls(ledger, async () => {
    const notes: string[] = [];
    const members = await membersOf(options, cost, tagKey, opts);
    // Read after the listing: the AWS sources learn a profile's region asynchronously.
    const priced = pricesFor(table, options.sources.region);
    if (priced.fallback) notes.push(priced.fallback);
    const small = members.length <= SMALL_SELECTION;
    const withConfig = members.filter((m): m is Member & { config: FunctionCostConfig } => m.config !== undefined);
    const targets: CostTarget[] = withConfig.map((m) => ({ functionName: m.name, logGroup: m.config.logGroup }));

    const recent: TimeWindow = {
      start: new Date(window.end.getTime() - RECENT_PERIOD_HOURS * 3_600_000),
      end: window.end,
    };
    const memoryWindow: TimeWindow = { start: new Date(window.end.getTime() - memoryDays * DAY_MS), end: window.end };
    const usageRead = targets.length > 0 ? cost.getUsage(targets, window, opts) : Promise.resolve(new Map());
    const tracedRead: Promise<TracedRequests | string> =
      targets.length > 0 ? cost.getTracedRequests(recent, opts).catch(describeError) : Promise.resolve('');
    const recommendationsRead: Promise<RecommendationsAnswer> =
      options.recommendations === false || targets.length === 0
        ? Promise.resolve({ available: false, reason: 'not asked for' })
        : cost
            .getMemoryRecommendations(opts)
            .catch((error): RecommendationsAnswer => ({ available: false, reason: describeError(error) }));
    const billedRead: Promise<BilledAnswer | undefined> =
      options.billed === false || targets.length === 0
        ? Promise.resolve(undefined)
        : cost
            .getBilledCost(window, tagKey, options.sources.region, opts)
            .catch((error): BilledAnswer => ({ available: false, reason: describeError(error) }));

    const usage: Map<string, CostUsageEntry> = await usageRead;
    const invokedInMemoryWindow = withConfig.filter((m) => {
      const entry = usage.get(m.name);
      return entry?.served && entry.usage.days.slice(-memoryDays).some((d) => d.invocations > 0);
    });
    const memoryRead: Promise<MemoryUseAnswer | string | undefined> =
      memoryDays > 0 && invokedInMemoryWindow.length > 0
        ? cost
            .getMemoryUse([...new Set(invokedInMemoryWindow.map((m) => m.config.logGroup))], memoryWindow, opts)
            .catch(describeError)
        : Promise.resolve(undefined);
    // Provisioned concurrency is found where it served requests; a small selection is read whole.
    const provisionedNames = withConfig
      .filter((m) => {
        const entry = usage.get(m.name);
        return small || (entry?.served && entry.usage.days.some((d) => d.provisionedInvocations > 0));
      })
      .map((m) => m.name);
    const provisionedRead = readProvisioned(cost, provisionedNames, opts);

    const [traced, recommendations, billed, memory, provisioned] = await Promise.all([
      tracedRead,
      recommendationsRead,
      billedRead,
      memoryRead,
      provisionedRead,
    ]);
    if (typeof traced === 'string') notes.push(`X-Ray's service graph was not read: ${traced}`);
    else if (traced.partial) notes.push(`X-Ray's service graph was read in part: ${traced.partial}`);
    if (typeof memory === 'string') notes.push(`The REPORT lines could not be read: ${memory}`);
    if (memory && typeof memory !== 'string' && memory.unanswered.size > 0) {
      const reasons = [...new Set(memory.unanswered.values())];
      notes.push(
        `Logs Insights did not answer for ${plural(memory.unanswered.size, 'log group')}: ${reasons.join('; ')}`,
      );
    }
    if (!small && withConfig.length > 0) {
      notes.push(
        'Provisioned concurrency is read for functions that served requests from it in the window; one that served none is not seen (`gofn cost <function>` reads it).',
      );
    }

    const functions: FunctionCost[] = [];
    const unpriced: UnpricedFunction[] = members
      .filter((m) => !m.config)
      .map((m) => ({ function: m.name, reason: m.missing ?? 'no configuration' }));
    for (const member of withConfig) {
      const entry = usage.get(member.name);
      if (!entry?.served) {
        unpriced.push({ function: member.name, reason: entry?.reason ?? 'CloudWatch did not answer for it' });
        continue;
      }
      const memoryUse =
        memory && typeof memory !== 'string' ? memory.byLogGroup.get(member.config.logGroup) : undefined;
      const memoryUnread =
        memoryDays === 0
          ? 'the memory query was not asked for'
          : typeof memory === 'string'
            ? `the REPORT lines could not be read: ${memory}`
            : memory?.unanswered.get(member.config.logGroup);
      const pc = provisioned.get(member.name);
      const estimate = estimateCost(
        {
          config: member.config,
          usage: entry.usage,
          window,
          memory: memoryUse,
          traced: typeof traced === 'string' ? undefined : (traced.byFunction.get(member.name) ?? 0),
          provisioned: pc === undefined || typeof pc === 'string' ? undefined : pc,
        },
        priced.prices,
      );
      if (typeof pc === 'string') estimate.unknown.push(`provisioned concurrency not read: ${pc}`);
      if (memoryUnread) estimate.unknown.push(memoryUnread);
      const sizing = rightSize({
        memoryMb: member.config.memoryMb,
        timeoutSeconds: member.config.timeoutSeconds,
        memory: memoryUse,
        memoryUnread,
        memoryDays,
        durationP99Ms: entry.usage.durationP99Ms,
        computeMonth: estimate.items.compute?.month ?? 0,
      });
      functions.push({
        function: member.name,
        service: member.tags[tagKey] ?? null,
        architecture: member.config.architecture,
        memoryMb: member.config.memoryMb,
        timeoutSeconds: member.config.timeoutSeconds,
        items: estimate.items,
        total: estimate.total,
        usage: estimate.usage,
        formulas: estimate.formulas,
        flags: costFlags({
          items: estimate.items,
          usage: estimate.usage,
          memoryMb: member.config.memoryMb,
          recentInvocations: entry.usage.recentInvocations,
          tags: member.tags,
        }),
        rightSizing: sizing,
        computeOptimizer: recommendations.available
          ? compareWithOptimizer(sizing, recommendations.byFunction.get(member.name), memoryDays)
          : null,
        unknown: estimate.unknown,
      });
    }

    if (options.sort === 'name') functions.sort((a, b) => a.function.localeCompare(b.function));
    else functions.sort((a, b) => b.total.month - a.total.month || a.function.localeCompare(b.function));

    return {
      region: options.sources.region,
      selection: selectionText(options.selection, tagKey),
      window: { start: window.start.toISOString(), end: window.end.toISOString(), days: window.days },
      memoryWindow:
        memoryDays > 0 && memory !== undefined
          ? { start: memoryWindow.start.toISOString(), end: memoryWindow.end.toISOString() }
          : null,
      prices: { date: priced.date, region: priced.region, fallback: priced.fallback ?? null, sources: table.sources },
      functions,
      unpriced,
      total: totalOf(functions),
      billed: compareBilled(billed, functions, tagKey, options.billed === false),
      computeOptimizer: recommendations.available
        ? { available: true, reason: null }
        : { available: false, reason: recommendations.reason },
      notes,
      awsCalls: {},
      durationMs: 0,
      source: options.sources.kind,
    } satisfies CostReport;
  });
  report.awsCalls = ledger.snapshot();
  report.durationMs = Math.round(performance.now() - startedAt);
  return report;
}

/** The `days` whole UTC days before the one `now` falls in. */
export function costWindowEndingAt(now: Date, days: number): CostWindow {
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    throw new GofnError(ErrorCode.InvalidInput, `A cost window is 1 to 90 whole days, not ${days}.`);
  }
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { start: new Date(end.getTime() - days * DAY_MS), end, days };
}

async function membersOf(options: CostOptions, cost: CostPort, tagKey: string, opts: CallOptions): Promise<Member[]> {
  const { selection, sources } = options;
  const alias = options.alias ?? 'live';
  if (selection.kind === 'function') {
    // Unknown names reject with NotFound: the caller says "did you mean".
    const info = await sources.functions.getFunction(selection.name, alias, opts);
    return [{ name: info.name, tags: info.tags, config: configOf(info) }];
  }
  // Configurations of a large selection come from ListFunctions pages, read while the tag pages
  // are still coming in: the two listings are chains of their own, and run side by side.
  let configsRead: Promise<Map<string, FunctionCostConfig>> | undefined;
  const readConfigs = () => (configsRead ??= allConfigs(cost, opts));
  let refs: ManagedFunctionRef[];
  if (selection.kind === 'listed') {
    refs = selection.functions;
  } else {
    refs = [];
    for await (const page of sources.functions.managedFunctionPages(opts)) {
      refs.push(...page.filter((ref) => selection.kind === 'all' || ref.tags[tagKey] === selection.service));
      if (refs.length > SMALL_SELECTION) void readConfigs().catch(() => undefined);
    }
  }
  if (refs.length <= SMALL_SELECTION) {
    return mapBounded(refs, PER_FUNCTION_IN_FLIGHT, async (ref) => {
      try {
        const info = await sources.functions.getFunction(ref.name, alias, opts);
        return { name: ref.name, tags: ref.tags, config: configOf(info) };
      } catch (error) {
        return { name: ref.name, tags: ref.tags, config: undefined, missing: describeError(error) };
      }
    });
  }
  const configs = await readConfigs();
  return refs.map((ref) => {
    const config = configs.get(ref.name);
    return config
      ? { name: ref.name, tags: ref.tags, config }
      : { name: ref.name, tags: ref.tags, config: undefined, missing: 'ListFunctions did not list it (deleted?)' };
  });
}

async function allConfigs(cost: CostPort, opts: CallOptions): Promise<Map<string, FunctionCostConfig>> {
  const configs = new Map<string, FunctionCostConfig>();
  for await (const page of cost.functionConfigPages(opts)) for (const config of page) configs.set(config.name, config);
  return configs;
}

function configOf(info: FunctionInfo): FunctionCostConfig {
  return {
    name: info.name,
    arn: info.arn,
    architecture: info.architectures.includes('arm64') ? 'arm64' : 'x86_64',
    memoryMb: info.memoryMb ?? 128,
    timeoutSeconds: info.timeoutSeconds ?? 3,
    logGroup: info.logGroup,
    tracingMode: info.tracingMode,
  };
}

async function readProvisioned(
  cost: CostPort,
  names: string[],
  opts: CallOptions,
): Promise<Map<string, ProvisionedConfig[] | string>> {
  const answers = await mapBounded(
    names,
    PER_FUNCTION_IN_FLIGHT,
    async (name): Promise<[string, ProvisionedConfig[] | string]> => {
      try {
        return [name, await cost.getProvisionedConcurrency(name, opts)];
      } catch (error) {
        return [name, describeError(error)];
      }
    },
  );
  return new Map(answers);
}

function totalOf(functions: FunctionCost[]): CostReport['total'] {
  const items = Object.fromEntries(
    COST_ITEMS.map((item) => [
      item,
      functions.reduce<CostAmount>(
        (total, f) => ({
          window: total.window + (f.items[item]?.window ?? 0),
          month: total.month + (f.items[item]?.month ?? 0),
        }),
        { window: 0, month: 0 },
      ),
    ]),
  ) as Record<CostItem, CostAmount>;
  return {
    window: functions.reduce((n, f) => n + f.total.window, 0),
    month: functions.reduce((n, f) => n + f.total.month, 0),
    items,
  };
}

/**
 * Billed cost of each service (tag value) the selection holds, against the estimate of its
 * functions. Cost Explorer adds what gofn does not price (other tagged resources, metrics and
 * alarms, traces retrieved) and subtracts what it does not know (free tier, Savings Plans, credits).
 */
function compareBilled(
  answer: BilledAnswer | undefined,
  functions: FunctionCost[],
  tagKey: string,
  skipped: boolean,
): BilledComparison {
  if (skipped) return { status: 'skipped', reason: 'not asked for (--no-billed)' };
  if (!answer) return { status: 'skipped', reason: 'no function to compare' };
  if (!answer.available) return { status: 'unavailable', reason: answer.reason };
  const estimated = new Map<string, number>();
  for (const f of functions) {
    if (f.service !== null) estimated.set(f.service, (estimated.get(f.service) ?? 0) + f.total.window);
  }
  const billed = new Map<string, number>();
  let untagged = 0;
  for (const row of answer.rows) {
    if (row.tagValue === '') untagged += row.amount;
    else billed.set(row.tagValue, (billed.get(row.tagValue) ?? 0) + row.amount);
  }
  const rows = [...estimated.entries()]
    .map(([service, estimate]) => {
      const amount = billed.get(service) ?? 0;
      return {
        service,
        billed: amount,
        estimated: estimate,
        difference: amount - estimate,
        differencePercent: estimate > 0 ? ((amount - estimate) / estimate) * 100 : null,
      };
    })
    .sort((a, b) => b.estimated - a.estimated || a.service.localeCompare(b.service));
  if (rows.length === 0 && functions.length > 0) {
    return {
      status: 'unavailable',
      reason: `none of the functions carries the tag ${tagKey}, so no billed cost can be set against them`,
    };
  }
  return { status: 'compared', tagKey, currency: answer.currency, rows, untagged, estimated: answer.estimated };
}

function selectionText(selection: CostSelection, tagKey: string): string {
  switch (selection.kind) {
    case 'all':
      return 'every managed function';
    case 'function':
      return selection.name;
    case 'service':
      return `${tagKey}=${selection.service}`;
    case 'listed':
      return `${formatCount(selection.functions.length)} listed functions`;
  }
}
