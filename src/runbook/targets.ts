import { CallLedger, countCalls } from '../calls';
import { describeError, ErrorCode, GofnError, isGofnError } from '../errors';
import { plural } from '../format';
import type { CallOptions, TargetPorts, TargetSet } from '../ports';
import {
  DEFAULT_ACCOUNT,
  parseFunctionRef,
  qualifiedName,
  targetLabel,
  type FunctionRef,
  type TargetRef,
} from '../targets';
import {
  fleetOverview,
  SERVICE_TAG,
  type FleetOptions,
  type FleetCost,
  type FleetReport,
  type FleetRow,
  type FleetTargetStatus,
  sortFleet,
} from './fleet';
import { percentOf, round, statusRank } from '../checks/grade';
import type { ControlPorts, Sources } from '../ports';

/** A function found in one account and region. */
export interface ResolvedFunction {
  ports: TargetPorts;
  /** What to ask Lambda for there. */
  functionName: string;
  /** The name that finds it again: `prod/eu-west-1/orders-api` when targets are configured, else as typed. */
  ref: string;
}

/**
 * Finds the account and region a function reference means. `account/region/fn` and a function
 * ARN name one; `fn@region` and `fn` may match several configured targets, and are looked up in
 * each (GetFunction through the alias, all at once): found in exactly one, that is it; in several,
 * the person is asked to say which. A target that cannot be searched (its role cannot be assumed)
 * is named in the answer, never taken for "not there".
 */
export async function resolveFunction(
  set: TargetSet,
  text: string,
  alias: string,
  opts?: CallOptions,
): Promise<ResolvedFunction> {
  const ref = parseFunctionRef(text);
  if (!set.configured) return resolveUnconfigured(set, ref, text);
  const candidates = candidatesFor(set, ref);
  if (candidates.length === 1) return found(set.open(candidates[0]!), ref);

  const probes = await Promise.all(
    candidates.map(async (target) => {
      const ports = set.open(target);
      try {
        await ports.sources.functions.getFunction(ref.name, alias, opts);
        return { ports, outcome: 'found' as const };
      } catch (error) {
        return { ports, outcome: isGofnError(error, ErrorCode.NotFound) ? ('absent' as const) : error };
      }
    }),
  );
  const hits = probes.filter((p) => p.outcome === 'found');
  if (hits.length === 1) return found(hits[0]!.ports, ref);
  if (hits.length > 1) {
    const names = hits.map((h) => qualifiedName(h.ports.target, ref.name));
    throw new GofnError(
      ErrorCode.InvalidInput,
      `${ref.name} is in ${plural(hits.length, 'place')}: ${names.join(', ')}.`,
      { hint: `Name one, like ${names[0]}.` },
    );
  }
  const failed = probes.filter((p) => p.outcome !== 'absent' && p.outcome !== 'found');
  const searched = probes.filter((p) => p.outcome === 'absent').map((p) => targetLabel(p.ports.target));
  const unsearched = failed.map(
    (p) => `${targetLabel(p.ports.target)} could not be searched (${describeError(p.outcome).replace(/\.$/, '')})`,
  );
  throw new GofnError(
    failed.length === probes.length ? ErrorCode.Upstream : ErrorCode.NotFound,
    [
      searched.length > 0 ? `no function "${ref.name}" with alias ${alias} in ${searched.join(', ')}` : undefined,
      ...unsearched,
    ]
      .filter(Boolean)
      .join('; ') + '.',
  );
}

/**
 * The configured target a reference names outright (`account/region/fn`, an ARN), without asking
 * AWS anything: for records of what someone tried, where looking the function up is not wanted.
 */
export function targetNamed(set: TargetSet, text: string): TargetRef | undefined {
  let ref: FunctionRef;
  try {
    ref = parseFunctionRef(text);
  } catch {
    return undefined;
  }
  if (!set.configured) return ref.region ? { ...set.targets[0]!, region: ref.region } : set.targets[0];
  if (ref.account === undefined || ref.region === undefined) return undefined;
  return set.targets.find((t) => (t.account === ref.account || t.accountId === ref.account) && t.region === ref.region);
}

function found(ports: TargetPorts, ref: FunctionRef): ResolvedFunction {
  return { ports, functionName: ref.name, ref: qualifiedName(ports.target, ref.name) };
}

/**
 * Without a configuration there is one account (the caller's) and any region can be asked for:
 * `fn@eu-west-1` is what `--region eu-west-1` was.
 */
function resolveUnconfigured(set: TargetSet, ref: FunctionRef, text: string): ResolvedFunction {
  const home = set.targets[0]!;
  if (ref.account !== undefined && !/^\d{12}$/.test(ref.account)) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `"${text}" names account ${ref.account}, but no accounts are configured.`,
      {
        hint: 'Name the function fn or fn@region, or configure accounts in GOFN_TARGETS (see docs/accounts.md).',
      },
    );
  }
  const target: TargetRef = ref.region ? { ...home, region: ref.region } : home;
  return { ports: set.open(target), functionName: ref.name, ref: text };
}

/** The configured targets a reference can mean; a name or region that is not configured is a sentence. */
function candidatesFor(set: TargetSet, ref: FunctionRef): TargetRef[] {
  let candidates = [...set.targets];
  if (ref.account !== undefined) {
    const wanted = ref.account;
    candidates = candidates.filter((t) => t.account === wanted || t.accountId === wanted);
    if (candidates.length === 0) {
      const accounts = [...new Set(set.targets.map((t) => t.account))];
      throw new GofnError(ErrorCode.InvalidInput, `No account "${wanted}" is configured.`, {
        hint: `The accounts are ${accounts.join(', ')}.`,
      });
    }
  }
  if (ref.region !== undefined) {
    const inRegion = candidates.filter((t) => t.region === ref.region);
    if (inRegion.length === 0) {
      const regions = [...new Set(candidates.map((t) => t.region))];
      const whose =
        ref.account === undefined
          ? 'No configured account looks at'
          : `${candidates[0]!.account} is not configured for`;
      throw new GofnError(ErrorCode.InvalidInput, `${whose} ${ref.region}.`, {
        hint: `The regions are ${regions.join(', ')}.`,
      });
    }
    candidates = inRegion;
  }
  return candidates;
}

export interface TargetsFleetOptions extends Omit<FleetOptions, 'sources'> {
  targets: TargetSet;
  /** Only the functions tagged `service=<this>`. */
  service?: string | undefined;
}

/**
 * The fleet of every configured account and region, all at once: one fleet overview per target
 * (each with its own tag listing and batched GetMetricData, within that account and region's
 * quotas), merged worst first with account and region on every row. A target whose listing fails
 * (its role cannot be assumed, its endpoint is down) is reported with the reason; the others
 * still answer. Unconfigured, this is the single overview exactly as before.
 */
export async function fleetAcrossTargets(options: TargetsFleetOptions): Promise<FleetReport> {
  const { targets: set, service, ...rest } = options;
  const select = service ? (ref: { tags: Record<string, string> }) => ref.tags[SERVICE_TAG] === service : rest.select;
  const startedAt = performance.now();
  if (!set.configured) {
    return fleetOverview({ ...rest, sources: set.open(set.targets[0]!).sources, ...(select ? { select } : {}) });
  }
  const listed = new Map<string, number>();
  // Every request of every account and region, including those of one whose listing failed.
  const ledger = new CallLedger();
  const results = await countCalls(ledger, () =>
    Promise.all(
      set.targets.map(async (target) => {
        try {
          const fleet = await fleetOverview({
            ...rest,
            sources: set.open(target).sources,
            ...(select ? { select } : {}),
            onProgress: (n) => {
              listed.set(targetLabel(target), n);
              let total = 0;
              for (const count of listed.values()) total += count;
              rest.onProgress?.(total);
            },
          });
          return { target, fleet };
        } catch (error) {
          return { target, problem: describeError(error) };
        }
      }),
    ),
  );

  const rows: FleetRow[] = [];
  const statuses: FleetTargetStatus[] = [];
  let window: FleetReport['window'] | undefined;
  const costs: FleetCost[] = [];
  for (const result of results) {
    const { target } = result;
    const fleet = 'fleet' in result ? result.fleet : undefined;
    statuses.push({
      account: target.account,
      accountId: target.accountId ?? null,
      region: target.region,
      functions: fleet?.functions.length ?? 0,
      problem: fleet ? null : (result as { problem: string }).problem,
    });
    if (!fleet) continue;
    window ??= fleet.window;
    if (fleet.cost) costs.push(fleet.cost);
    // The rows are this call's own: set their place instead of copying 6,000 of them.
    for (const row of fleet.functions) {
      row.account = target.account;
      row.region = target.region;
      rows.push(row);
    }
  }
  const end = options.now ?? new Date();
  return {
    region: [...new Set(set.targets.map((t) => t.region))].join(', '),
    alias: options.alias ?? 'live',
    window: window ?? { start: new Date(end.getTime() - options.windowMs).toISOString(), end: end.toISOString() },
    functions: sortFleet(rows, rest.sort),
    awsCalls: ledger.snapshot(),
    durationMs: Math.round(performance.now() - startedAt),
    source: set.open(set.targets[0]!).sources.kind,
    targets: statuses,
    ...(costs.length > 0 ? { cost: addedUp(costs) } : {}),
  };
}

/** The cost column over several accounts and regions: their months and unpriced rows added up. */
function addedUp(costs: FleetCost[]): FleetCost {
  const priced = costs.find((c) => c.days > 0) ?? costs[0]!;
  return {
    month: costs.reduce((sum, c) => sum + c.month, 0),
    days: priced.days,
    pricesDate: priced.pricesDate,
    unpriced: costs.reduce((sum, c) => sum + c.unpriced, 0),
    reason: costs.find((c) => c.reason !== null)?.reason ?? null,
  };
}

/** One service in one account and region: its functions there, added up. */
export interface ServiceRegionRow {
  account: string | null;
  region: string;
  /** The worst status of its functions there; `unknown` when the account and region could not be listed. */
  status: FleetRow['status'];
  functions: string[];
  invocations: number;
  errors: number;
  errorPercent: number;
  throttles: number;
  throttledPercent: number;
  /** The highest p99 of its functions: the slowest path of the service there. */
  p99Ms: number | null;
  /** `orders-api: errors 4.6%`: what made its functions warn or critical, worst first. */
  findings: string[];
  /** Why the row is unknown: the account and region could not be listed, or no function there was graded. */
  reason: string | null;
}

/** `service=orders`: one service deployed in several regions (active-active), one row per account and region. */
export interface ServiceReport {
  service: string;
  alias: string;
  window: { start: string; end: string };
  rows: ServiceRegionRow[];
  awsCalls: Record<string, number>;
  durationMs: number;
  source: string;
}

/**
 * Folds a fleet listed with `service` into one row per account and region, in configuration
 * order so regions sit side by side: the one that degraded stands out against its peers. An
 * account and region that could not be listed is a row of its own, unknown, with the reason.
 */
export function serviceView(fleet: FleetReport, service: string): ServiceReport {
  const order = fleet.targets ?? [
    { account: '', accountId: null, region: fleet.region, functions: fleet.functions.length, problem: null },
  ];
  const rows: ServiceRegionRow[] = [];
  for (const where of order) {
    const account = where.account || null;
    const mine = fleet.functions.filter(
      (f) => (f.region ?? fleet.region) === where.region && (f.account ?? '') === where.account,
    );
    if (where.problem) {
      rows.push({ ...emptyServiceRow(account, where.region), status: 'unknown', reason: where.problem });
      continue;
    }
    if (mine.length === 0) continue;
    const invocations = sum(mine.map((f) => f.invocations));
    const errors = sum(mine.map((f) => f.errors));
    const throttles = sum(mine.map((f) => f.throttles));
    const p99s = mine.flatMap((f) => (f.p99Ms === null ? [] : [f.p99Ms]));
    const worstFirst = [...mine].sort((a, b) => statusRank(b.status) - statusRank(a.status));
    const graded = mine.filter((f) => f.status !== 'unknown');
    rows.push({
      account,
      region: where.region,
      status: worstFirst[0]!.status,
      functions: mine.map((f) => f.function).sort(),
      invocations,
      errors,
      errorPercent: round(percentOf(errors, invocations)),
      throttles,
      throttledPercent: round(percentOf(throttles, invocations + throttles)),
      p99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
      findings: worstFirst.flatMap((f) => f.findings.map((finding) => `${f.function}: ${finding.text}`)),
      reason: graded.length === 0 ? (mine[0]!.reason ?? 'no function of the service could be graded') : null,
    });
  }
  return {
    service,
    alias: fleet.alias,
    window: fleet.window,
    rows,
    awsCalls: fleet.awsCalls,
    durationMs: fleet.durationMs,
    source: fleet.source,
  };
}

function emptyServiceRow(account: string | null, region: string): ServiceRegionRow {
  return {
    account,
    region,
    status: 'unknown',
    functions: [],
    invocations: 0,
    errors: 0,
    errorPercent: 0,
    throttles: 0,
    throttledPercent: 0,
    p99Ms: null,
    findings: [],
    reason: null,
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * The one place a simulated fleet (or ports given directly) is: a TargetSet of one target, as an
 * unconfigured AWS one is. Another region cannot be opened there.
 */
export function singleTarget(ports: { sources: Sources; control: ControlPorts }): TargetSet {
  const target: TargetRef = { account: DEFAULT_ACCOUNT, accountId: undefined, region: ports.sources.region };
  const opened: TargetPorts = { target, sources: ports.sources, control: ports.control };
  return {
    targets: [target],
    configured: false,
    open(wanted) {
      if (wanted.region && ports.sources.region && wanted.region !== ports.sources.region) {
        throw new GofnError(
          ErrorCode.NotFound,
          `The ${ports.sources.kind === 'simulated' ? 'simulated fleet' : 'fleet'} is in ${ports.sources.region}, not ${wanted.region}.`,
        );
      }
      return opened;
    },
  };
}
