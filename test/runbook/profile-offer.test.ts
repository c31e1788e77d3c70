import { diagnose } from '../../src/runbook/engine';
import { loadRunbook } from '../../src/runbook/loader';
import { fakeSources, NOW } from '../support/fake-sources';

/** The profile step: guidance, never a measurement, that offers a profile when the function can record one. */
describe('the profile step', () => {
  async function profileStep(tags: Record<string, string>) {
    const sources = fakeSources({ fn: { version: '42', tags: { 'gofn:managed': 'true', ...tags } } });
    const report = await diagnose({
      sources,
      runbook: await loadRunbook(),
      functionName: 'orders-api',
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });
    return { report, step: report.steps.find((s) => s.id === 'profile')! };
  }

  it('offers to profile the live version of a function deployed with profiling, on a healthy report too', async () => {
    // Act
    const { report, step } = await profileStep({
      'gofn:profile': '/gofn/profile/orders-api',
      'gofn:profile-bucket': 'gofn-profiles',
    });

    // Assess
    expect(report.status).toBe('ok');
    expect(step).toMatchObject({
      status: 'ok',
      informational: true,
      summary: 'CPU profile of the warm instances of the live version: gofn profile orders-api (30 s each)',
      actions: [
        {
          kind: 'profile',
          label: 'Profile v42 for 30 s',
          command: 'gofn profile orders-api',
          stepId: 'profile',
          params: { function: 'orders-api', version: '42', seconds: 30 },
        },
      ],
    });
  });

  it('points at the guide for a function without the profiling tags, and offers nothing', async () => {
    // Act
    const { step } = await profileStep({});

    // Assess
    expect(step.summary).toBe('how to capture a pprof from a warm instance: docs/profiling.md');
    expect(step.actions).toEqual([]);
  });
});
