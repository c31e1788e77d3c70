import { describeError } from '../errors';
import type { TargetSet } from '../ports';
import { resolveFunction } from '../runbook/targets';
import { targetLabel, type TargetRef } from '../targets';
import { costReport, type CostOptions, type CostSelection } from './collect';
import type { CostReport } from './report';

/** What one configured account and region costs, or why it could not be read. */
export interface TargetCost {
  account: string;
  accountId: string | null;
  region: string;
  report: CostReport | null;
  /** Why this account and region has no report (its role could not be assumed, a read failed). */
  problem: string | null;
}

/**
 * `gofn cost` where accounts and regions are configured: a function is priced in the one account
 * and region it is found in; every managed function or a service, in each account and region at
 * once, each with its own region's prices and its own account's bill. One that fails is named
 * with its reason; the others still answer.
 */
export async function costAcrossTargets(
  set: TargetSet,
  selection: CostSelection,
  options: Omit<CostOptions, 'sources' | 'selection'>,
): Promise<TargetCost[]> {
  if (selection.kind === 'function') {
    const found = await resolveFunction(set, selection.name, options.alias ?? 'live');
    const report = await costReport({
      ...options,
      sources: found.ports.sources,
      selection: { kind: 'function', name: found.functionName },
    });
    return [answered(found.ports.target, report)];
  }
  return Promise.all(
    set.targets.map(async (target) => {
      try {
        return answered(target, await costReport({ ...options, sources: set.open(target).sources, selection }));
      } catch (error) {
        // Unconfigured, the one account and region is the whole answer: its failure is the command's.
        if (!set.configured) throw error;
        return { ...where(target), report: null, problem: describeError(error) };
      }
    }),
  );
}

/** The projected month of every account and region that answered. */
export function monthAcross(costs: readonly TargetCost[]): number {
  return costs.reduce((sum, c) => sum + (c.report?.total.month ?? 0), 0);
}

/** "prod/eu-west-1", as the targets name a place. */
export function placeOfCost(cost: TargetCost): string {
  return targetLabel({ account: cost.account, accountId: cost.accountId ?? undefined, region: cost.region });
}

function answered(target: TargetRef, report: CostReport): TargetCost {
  return { ...where(target), report, problem: null };
}

function where(target: TargetRef): Pick<TargetCost, 'account' | 'accountId' | 'region'> {
  return { account: target.account, accountId: target.accountId ?? null, region: target.region };
}
