import { claimFor } from '../../src/slack/action-token';
import { confirmModal } from '../../src/slack/render/modals';
import { reportMessage } from '../../src/slack/render/report';
import { diagnose } from '../../src/runbook/engine';
import { loadRunbook } from '../../src/runbook/loader';
import { fakeSources, NOW } from '../support/fake-sources';

/** The profile step's button: on the report of a function deployed with profiling, confirmed in a modal. */
describe('the Profile button', () => {
  it('is on the report, and its modal says what will be recorded and by whom', async () => {
    // Prepare
    const report = await diagnose({
      sources: fakeSources({
        fn: {
          version: '42',
          tags: { 'gofn:managed': 'true', 'gofn:profile': '/gofn/profile/orders-api', 'gofn:profile-bucket': 'b' },
        },
      }),
      runbook: await loadRunbook(),
      functionName: 'orders-api',
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });
    const offered = report.steps.find((s) => s.id === 'profile')!.actions[0]!;

    // Act
    const message = reportMessage(report, { actionValue: () => 'signed-token' });
    const modal = confirmModal(claimFor(offered, 'C0123456789', 1_800_000_000, 7200), 'U0MARIA', {
      token: 'signed-token',
      channel: 'C0123456789',
      messageTs: undefined,
      threadTs: undefined,
    });

    // Assess
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'button',
          text: expect.objectContaining({ text: 'Profile v42 for 30 s…' }),
          value: 'signed-token',
        }),
      ]),
    );
    expect(modal.title).toMatchObject({ text: 'Confirm profiling' });
    expect(modal.submit).toMatchObject({ text: 'Profile' });
    expect(JSON.stringify(modal.blocks)).toContain(
      'Record CPU profiles on the warm instances of *orders-api* v42 for 30 s each, across the invocations they serve, then post the merged profile',
    );
  });
});
