import type { CheckParams } from './params';
import type { CheckContext, CheckResult } from './types';

/** The tags the GoWorkload construct puts on a function whose instances can record profiles. */
export const PROFILE_PARAMETER_TAG = 'gofn:profile';
export const PROFILE_BUCKET_TAG = 'gofn:profile-bucket';

const GUIDE = 'docs/profiling.md';

/**
 * Not a measurement: the last step when numbers are not enough. A function deployed with
 * gofn's profiling (its flag parameter and bucket named in its tags) is offered a profile of the
 * warm instances of its live version; any other is pointed at how to set that up.
 */
export async function profileCheck(ctx: CheckContext, params?: CheckParams<'profile'>): Promise<CheckResult> {
  const seconds = params?.seconds ?? 30;
  const parameter = ctx.fn.tags[PROFILE_PARAMETER_TAG];
  const bucket = ctx.fn.tags[PROFILE_BUCKET_TAG];
  if (!parameter || !bucket) {
    return {
      status: 'ok',
      summary: `how to capture a pprof from a warm instance: ${GUIDE}`,
      evidence: { guide: GUIDE, profiling: false },
      links: [],
    };
  }
  return {
    status: 'ok',
    summary: `CPU profile of the warm instances of the live version: gofn profile ${ctx.fn.name} (${seconds} s each)`,
    evidence: { guide: GUIDE, profiling: true, parameter, bucket },
    links: [],
    hints: { profile: { version: ctx.fn.version, seconds } },
  };
}
