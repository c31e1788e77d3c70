import { isAtLeastWarn, worst } from '../checks/grade';
import type { StepStatus } from '../checks/types';
import type { StepReport, Traffic } from './report';

export interface Judgement {
  status: StepStatus;
  primaryCause: string | null;
  verdict: string;
}

/**
 * The overall status is the worst step status. The primary cause is the first step, in runbook
 * order, at that status: the runbook lists causes from the most to the least likely. Steps that
 * could not be checked do not make a healthy function look broken, but they are named.
 *
 * An alias that had no request in the window is `no-traffic` unless a step found a problem (a
 * DLQ still holds messages from before): whatever the runbook's steps said, nothing ran, and a
 * function nothing ran on is not known to be healthy.
 */
export function judge(
  target: { functionName: string; alias: string },
  steps: StepReport[],
  traffic: Traffic | null = null,
): Judgement {
  const { functionName } = target;
  const measured = steps.filter((s) => !s.informational);
  const unknown = measured.filter((s) => s.status === 'unknown');
  const known = measured.filter((s) => s.status !== 'unknown');
  const noTraffic = traffic !== null && traffic.invocations + traffic.throttles === 0;
  const stepStatus = known.length === 0 && unknown.length > 0 ? 'unknown' : worst(...known.map((s) => s.status));
  const status = noTraffic && !isAtLeastWarn(stepStatus) ? 'no-traffic' : stepStatus;

  if (isAtLeastWarn(status)) {
    const primary = measured.find((s) => s.status === status)!;
    const also = measured.filter((s) => s !== primary && isAtLeastWarn(s.status)).map((s) => s.title.toLowerCase());
    return {
      status,
      primaryCause: primary.id,
      verdict:
        `${primary.title}: ${primary.headline ?? primary.summary}.` +
        (also.length > 0 ? ` Also look at ${joinWords(also)}.` : ''),
    };
  }
  if (status === 'no-traffic') {
    return {
      status,
      primaryCause: null,
      verdict:
        `No request reached ${functionName}:${target.alias} in the window: no invocations and no throttles, ` +
        'so nothing here says it is healthy. If it should be busy, look at what calls it (its event source, API or schedule).',
    };
  }
  if (status === 'unknown') {
    return {
      status,
      primaryCause: null,
      verdict: `gofn could not check ${functionName}: ${unknown[0]?.reason ?? 'every source failed'}.`,
    };
  }
  const unchecked = unknown.map((s) => s.title.toLowerCase());
  return {
    status,
    primaryCause: null,
    verdict:
      `No step of the runbook found a problem with ${functionName}.` +
      (unchecked.length > 0 ? ` Not checked: ${joinWords(unchecked)}.` : ''),
  };
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
