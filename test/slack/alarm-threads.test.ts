import { isGofnError, ErrorCode } from '../../src/errors';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { isHandedBack } from '../../src/slack/worker';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { testWorker } from '../support/test-worker';
import { singleMetric } from './fixtures/alarm-notifications';

/**
 * Alarm threads against what a workspace and CloudWatch actually do: notifications late, twice
 * and out of order, OK before its ALARM, an alarm that flaps, and Slack refusing the root post.
 */
let slack: FakeSlack;
let runbook: Runbook;
beforeAll(async () => {
  [slack, runbook] = await Promise.all([startFakeSlack(), loadRunbook()]);
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

function setup() {
  const worker = testWorker(slack.apiUrl, { runbook, settings: { alarmCooldownMs: 15 * 60_000 } });
  let n = 0;
  const send = (state: 'ALARM' | 'OK', at: string, id = `sns-${++n}`) =>
    worker.handleAlarm({
      messageId: id,
      message: singleMetric({
        NewStateValue: state,
        OldStateValue: state === 'OK' ? 'ALARM' : 'OK',
        StateChangeTime: at,
      }),
    });
  return { worker, send };
}

const posts = () => slack.callsOf('chat.postMessage');
const roots = () => posts().filter((p) => p.args.thread_ts === undefined);
const texts = () => posts().map((p) => String(p.args.text));

describe('alarm threads in the order of StateChangeTime', () => {
  it('an OK that arrives before its ALARM: the late ALARM opens the thread already resolved, without a diagnosis', async () => {
    // Prepare
    const { send } = setup();

    // Act
    await send('OK', '2026-11-26T14:40:00.000+0000');
    await send('ALARM', '2026-11-26T14:22:00.000+0000');

    // Assess
    expect(roots().map((r) => String(r.args.text))).toEqual(['✅ RESOLVED orders-api-errors · lasted 18 min']);
    const replies = posts().filter((p) => p.args.thread_ts !== undefined);
    expect(replies.map((r) => String(r.args.text))).toEqual([
      'The ALARM of 14:22 UTC reached gofn after the alarm had cleared at 14:40 UTC; nothing to diagnose now.',
    ]);
  });

  it('duplicates and older notifications change nothing; a later ALARM is a repeat', async () => {
    // Prepare
    const { send } = setup();
    await send('ALARM', '2026-11-26T14:22:00.000+0000');

    // Act: the same change again (new SNS id), one older, one later
    await send('ALARM', '2026-11-26T14:22:00.000+0000');
    await send('ALARM', '2026-11-26T14:10:00.000+0000');
    await send('ALARM', '2026-11-26T14:25:00.000+0000');
    await send('OK', '2026-11-26T14:20:00.000+0000');

    // Assess: root, report, one repeat; the OK older than the thread's newest change is ignored
    expect(roots()).toHaveLength(1);
    expect(texts().filter((t) => t.startsWith('Still in ALARM'))).toHaveLength(1);
    expect(slack.callsOf('chat.update')).toEqual([]);
    expect(posts()).toHaveLength(3);
  });

  it('a resolution delivered twice, and an ALARM older than it, leave one resolved thread', async () => {
    // Prepare
    const { send } = setup();
    await send('ALARM', '2026-11-26T14:22:00.000+0000');

    // Act
    await send('OK', '2026-11-26T14:50:00.000+0000');
    await send('OK', '2026-11-26T14:50:00.000+0000');
    await send('ALARM', '2026-11-26T14:30:00.000+0000');

    // Assess
    expect(slack.callsOf('chat.update').map((u) => u.args.text)).toEqual([
      '✅ RESOLVED orders-api-errors · lasted 28 min',
    ]);
    expect(texts().filter((t) => t.startsWith('Resolved:'))).toHaveLength(1);
    expect(roots()).toHaveLength(1);
  });

  it('a flapping alarm goes on in its thread within the cool-down, and opens a new one after it', async () => {
    // Prepare
    const { send } = setup();
    await send('ALARM', '2026-11-26T14:00:00.000+0000');
    await send('OK', '2026-11-26T14:05:00.000+0000');

    // Act: back 10 min after clearing (inside 15 min), clears, then back 40 min later
    await send('ALARM', '2026-11-26T14:15:00.000+0000');
    await send('OK', '2026-11-26T14:20:00.000+0000');
    await send('ALARM', '2026-11-26T15:00:00.000+0000');

    // Assess
    expect(roots()).toHaveLength(2);
    const firstRoot = String(roots()[0]!.response.ts);
    const inFirst = posts()
      .filter((p) => p.args.thread_ts === firstRoot)
      .map((p) => String(p.args.text));
    expect(
      inFirst.filter((t) => t.startsWith('🔴 Back in ALARM at 14:15 UTC, within 15 min of clearing')),
    ).toHaveLength(1);
    // Two diagnoses in the first thread (opening and reopening), one in the second.
    expect(inFirst.filter((t) => /orders-api (looks healthy|is degraded|:)/.test(t))).toHaveLength(2);
    const edits = slack
      .callsOf('chat.update')
      .filter((u) => u.args.ts === firstRoot)
      .map((u) => String(u.args.text));
    expect(edits).toEqual([
      '✅ RESOLVED orders-api-errors · lasted 5 min',
      expect.stringMatching(/^🔴 ALARM orders-api-errors .* since 14:15 UTC \(back in ALARM ×2 in this thread\)$/),
      '✅ RESOLVED orders-api-errors · lasted 20 min',
    ]);
  });
});

describe('a root message Slack will not take', () => {
  it.each([
    ['not_in_channel', { error: 'not_in_channel' }],
    ['a 5xx', { status: 503 as const }],
  ])(
    '%s: the notification goes back for a retry, and the next notification of the episode recovers the thread',
    async (_name, fault) => {
      // Prepare
      const { send } = setup();
      slack.injectFaults('chat.postMessage', [fault]);

      // Act: the first ALARM's root fails; its retry (same SNS message) and a repeat follow
      const failed = await send('ALARM', '2026-11-26T14:22:00.000+0000', 'sns-first').then(
        () => undefined,
        (error: unknown) => error,
      );
      await send('ALARM', '2026-11-26T14:25:00.000+0000', 'sns-repeat');
      await send('ALARM', '2026-11-26T14:22:00.000+0000', 'sns-first');

      // Assess: handed back to Lambda with a sentence; one thread, its report, and the repeat reply
      expect(isHandedBack(failed)).toBe(true);
      expect(isGofnError(failed, ErrorCode.Upstream) && failed.message).toMatch(
        /^The thread of orders-api-errors could not be opened: /,
      );
      expect(roots()).toHaveLength(1);
      const rootTs = String(roots()[0]!.response.ts);
      const replies = posts()
        .filter((p) => p.args.thread_ts === rootTs)
        .map((p) => String(p.args.text));
      expect(replies).toEqual([
        expect.stringMatching(/^🟢 orders-api|^🔴 orders-api|^🟠 orders-api/),
        expect.stringMatching(/^Still in ALARM/),
      ]);
    },
  );

  it('an OK for an episode whose root never made it posts the thread resolved', async () => {
    // Prepare
    const { send } = setup();
    slack.injectFaults('chat.postMessage', [{ status: 500 }]);
    await send('ALARM', '2026-11-26T14:22:00.000+0000').catch(() => undefined);

    // Act
    await send('OK', '2026-11-26T14:30:00.000+0000');

    // Assess
    expect(roots().map((r) => String(r.args.text))).toEqual(['✅ RESOLVED orders-api-errors · lasted 8 min']);
    expect(texts()).toContain('Resolved: orders-api-errors · lasted 8 min.');
  });
});
