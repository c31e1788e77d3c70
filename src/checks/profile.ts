import type { CheckContext, CheckResult } from './types';

/** Not a measurement: points at how to capture a profile, the last step when numbers are not enough. */
export async function profileCheck(_ctx: CheckContext): Promise<CheckResult> {
  return {
    status: 'ok',
    summary: 'how to capture a pprof from a warm instance: docs/profiling.md',
    evidence: { guide: 'docs/profiling.md' },
    links: [],
  };
}
