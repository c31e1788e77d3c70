import { Evidence } from '../../src/checks/evidence';
import type { CheckContext } from '../../src/checks/types';
import type { ExtraMetricQuery, Sources } from '../../src/ports';
import { windowsEndingAt } from '../../src/runbook/window';
import { fakeFunction, NOW, type FakeData } from './fake-sources';

/**
 * What a check runs with: evidence read from `sources` over the hour ending at NOW and the hour
 * before, for the fake function with `fnOverrides`.
 */
export function checkContext(
  sources: Sources,
  fnOverrides: FakeData['fn'] = {},
  extraMetrics?: ExtraMetricQuery[],
): CheckContext {
  const fn = fakeFunction(fnOverrides);
  const { window, previous } = windowsEndingAt(NOW, 3_600_000);
  const evidence = new Evidence({
    sources,
    fn,
    window,
    previous,
    signal: new AbortController().signal,
    errorSampleSize: 5,
    deployLookbackMs: 86_400_000,
    extraMetrics,
  });
  return { fn, window, previous, evidence, now: NOW };
}
