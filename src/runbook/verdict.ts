import { isAtLeastWarn, worst } from '../checks/grade';
import type { StepStatus } from '../checks/types';
import type { StepReport } from './report';

export interface Judgement {
  status: StepStatus;
  primaryCause: string | null;
  verdict: string;
}

/**
 * The overall status is the worst step status. The primary cause is the first step, in runbook
 * order, at that status: the runbook lists causes from the most to the least likely. Steps that
 * could not be checked do not make a healthy function look broken, but they are named.
 */
export function judge(functionName: string, steps: StepReport[]): Judgement {
  const measured = steps.filter((s) => !s.informational);
  const unknown = measured.filter((s) => s.status === 'unknown');
  const known = measured.filter((s) => s.status !== 'unknown');
  const status = known.length === 0 && unknown.length > 0 ? 'unknown' : worst(...known.map((s) => s.status));

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
