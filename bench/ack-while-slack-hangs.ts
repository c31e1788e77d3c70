/**
 * The ack of a button click while Slack's Web API hangs: the click's one call before the ack,
 * views.open, never answers, so the ingress must give up on it (VIEWS_OPEN_TIMEOUT_MS, one
 * attempt) and still answer Slack inside its 3 seconds, handing the confirmation to the worker.
 * The baseline is the same click while Slack answers at once.
 *
 * Slack is the fake Web API of the tests on loopback (real HTTP); the job queue is in memory.
 */
import { silentLog } from '../src/log';
import { VIEWS_OPEN_TIMEOUT_MS } from '../src/slack/app';
import { signActionToken } from '../src/slack/action-token';
import { createIngress } from '../src/slack/ingress';
import { startFakeSlack } from '../test/support/fake-slack';
import { BOT_TOKEN, buttonClick, interactionBody, SIGNING_SECRET, signedEvent } from '../test/support/slack-requests';
import { baselineOf, nowMs, result, summarize, type BenchResult } from './stats';

/** Slack's deadline for an answer to an interaction. */
const SLACK_ACK_MS = 3000;

export async function benchAckWhileSlackHangs(clicks: number): Promise<BenchResult[]> {
  const slack = await startFakeSlack();
  try {
    let enqueued = 0;
    const ingress = createIngress({
      secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
      jobs: { enqueue: async () => void (enqueued += 1) },
      clientOptions: { slackApiUrl: slack.apiUrl },
      log: silentLog,
    });
    const click = () =>
      signedEvent(
        interactionBody(
          buttonClick({
            value: signActionToken(SIGNING_SECRET, {
              v: 1,
              id: '0b6f9d4e-1c1a-4c55-9d0e-00000000be0c',
              kind: 'rollback',
              fn: 'orders-api',
              alias: 'live',
              params: { fromVersion: '42', toVersion: '41' },
              channel: 'C0ONCALL',
              exp: Math.floor(Date.now() / 1000) + 3600,
            }),
          }),
        ),
      );
    const time = async (faulty: boolean): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < clicks; i++) {
        if (faulty) slack.injectFaults('views.open', [{ hang: true }]);
        const event = click();
        const started = nowMs();
        const response = await ingress(event);
        times.push(nowMs() - started);
        if (response.statusCode !== 200) throw new Error(`the ingress answered ${response.statusCode}`);
      }
      return times;
    };
    await time(false); // warm-up
    const healthy = await time(false);
    const before = enqueued;
    const hanging = await time(true);
    if (enqueued - before !== clicks) throw new Error(`expected ${clicks} fallback jobs, saw ${enqueued - before}`);
    const measured = summarize(hanging);
    return [
      result({
        name: 'ack while Slack hangs (button click)',
        unit: 'ms',
        measured,
        withP99: true,
        baseline: baselineOf('the same click while Slack answers', healthy),
        target: `max ≤ views.open timeout (${VIEWS_OPEN_TIMEOUT_MS} ms) + 300 ms, well inside Slack's ${SLACK_ACK_MS} ms`,
        pass: measured.max <= VIEWS_OPEN_TIMEOUT_MS + 300,
        details: { clicks, fallbackJobs: clicks, slackDeadlineMs: SLACK_ACK_MS },
      }),
    ];
  } finally {
    await slack.close();
  }
}
