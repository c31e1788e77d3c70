import { formatCount } from '../format';
import { formatUsd } from './money';
import type { CostAmount, CostFlag, FunctionUsage } from './report';
import { MIN_REPORTS, NEAR_LIMIT } from './rightsize';

/**
 * The costs that bite teams because nobody looks at them: logs that cost more than the compute
 * they describe, every request traced in production, provisioned concurrency paid for and idle,
 * memory paid for and unused.
 */

/** Below this a month, a flag would be noise. */
const MIN_MONTHLY = 0.01;
/** At or above this share traced, X-Ray records (nearly) every request. */
const FULL_SAMPLING = 0.95;
/**
 * Requests in the 6 h measured beyond which the default rule (1 a second, then 5%) could not
 * trace nearly all of them: twice its reservoir.
 */
export const FULL_SAMPLING_MIN_REQUESTS = 2 * 6 * 3600;
/** Provisioned concurrency busy less than this share of the time paid for is mostly idle. */
const IDLE_PROVISIONED = 0.25;
/** A peak at or below this share of the memory size is far below it. */
const FAR_BELOW = 0.4;

/** Tags that name the environment, and the values that mean production. */
const ENV_TAGS = ['env', 'environment', 'stage', 'Env', 'Environment', 'Stage'];
const PRODUCTION = /^(prod|production|prd)$/i;

export interface FlagInput {
  items: { compute: CostAmount | null; logs: CostAmount | null };
  usage: FunctionUsage;
  memoryMb: number;
  recentInvocations: number;
  tags: Record<string, string>;
}

export function costFlags(input: FlagInput): CostFlag[] {
  const flags: CostFlag[] = [];
  const { compute, logs } = input.items;
  if (logs && compute && logs.month > compute.month && logs.month >= MIN_MONTHLY) {
    flags.push({
      kind: 'logs-over-compute',
      text: `logs cost more than compute (${formatUsd(logs.month)} vs ${formatUsd(compute.month)} a month)`,
    });
  }

  const env = environmentOf(input.tags);
  const share = input.usage.tracedShare;
  if (
    share !== null &&
    share >= FULL_SAMPLING &&
    input.recentInvocations >= FULL_SAMPLING_MIN_REQUESTS &&
    env.production !== false
  ) {
    flags.push({
      kind: 'xray-full-sampling',
      text:
        `X-Ray traces ${Math.round(share * 100)}% of requests` +
        (env.production ? ` in ${env.value}` : ' (no env tag: production?)') +
        ' (the default rule traces 1 a second, then 5%)',
    });
  }

  for (const pc of input.usage.provisioned ?? []) {
    if (pc.allocated > 0 && pc.utilization !== null && pc.utilization < IDLE_PROVISIONED) {
      flags.push({
        kind: 'idle-provisioned',
        text: `provisioned concurrency ${formatCount(pc.allocated)} on ${pc.qualifier} is busy ${Math.round(pc.utilization * 100)}% of the time paid for`,
      });
    }
  }

  const peak = input.usage.maxMemoryUsedMb;
  if (peak !== null && input.usage.memoryReports >= MIN_REPORTS) {
    if (peak <= FAR_BELOW * input.memoryMb && input.memoryMb > 128) {
      flags.push({
        kind: 'memory-far-above-use',
        text: `max used ${formatCount(Math.round(peak))} MB of ${formatCount(input.memoryMb)} MB (${Math.round((peak / input.memoryMb) * 100)}%)`,
      });
    } else if (peak >= NEAR_LIMIT * input.memoryMb) {
      flags.push({
        kind: 'memory-near-limit',
        text: `max used ${formatCount(Math.round(peak))} MB of ${formatCount(input.memoryMb)} MB: close to running out`,
      });
    }
  }
  return flags;
}

/** Whether the tags say production (true), another environment (false), or nothing (undefined). */
export function environmentOf(tags: Record<string, string>): { production: boolean | undefined; value: string } {
  for (const key of ENV_TAGS) {
    const value = tags[key];
    if (value) return { production: PRODUCTION.test(value.trim()), value: value.trim() };
  }
  return { production: undefined, value: '' };
}
