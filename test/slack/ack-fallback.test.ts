import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { silentLog } from '../../src/log';
import { loadRunbook } from '../../src/runbook/loader';
import { signActionToken, type ActionClaim } from '../../src/slack/action-token';
import { createIngress } from '../../src/slack/ingress';
import type { Job } from '../../src/slack/jobs';
import { fakeControl } from '../support/fake-control';
import { startFakeSlack, type FakeSlack, type Fault } from '../support/fake-slack';
import { BOT_TOKEN, buttonClick, interactionBody, SIGNING_SECRET, signedEvent } from '../support/slack-requests';
import { testWorker } from '../support/test-worker';

/**
 * The 3-second ack while Slack's API misbehaves. views.open is the one call made before the
 * ack; when it hangs, fails or is rate limited, the ingress still answers (one attempt, a short
 * deadline), and the person gets the same plan as an ephemeral message with a button to confirm.
 */
const run = promisify(execFile);
const python = path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python');
let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

function claim(overrides: Partial<ActionClaim> = {}): ActionClaim {
  return {
    v: 1,
    id: '6f1c1a52-8b3e-4f0a-9a51-0d2b7b6c1e11',
    kind: 'rollback',
    fn: 'orders-api',
    alias: 'live',
    params: { fromVersion: '42', toVersion: '41' },
    channel: 'C0ONCALL',
    exp: Math.floor(Date.now() / 1000) + 600,
    ...overrides,
  };
}

async function system() {
  const jobs: Job[] = [];
  const attempts = { viewsOpen: 0 };
  // Production's retry policy for the ingress's clients; the views.open client must override it.
  const counting: typeof fetch = (input, init) => {
    if (String(input).endsWith('/views.open')) attempts.viewsOpen += 1;
    return fetch(input, init);
  };
  const ingress = createIngress({
    secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
    jobs: { enqueue: async (job) => void jobs.push(job as Job) },
    clientOptions: { slackApiUrl: slack.apiUrl, fetch: counting },
    log: silentLog,
    viewsOpenTimeoutMs: 300,
  });
  const control = fakeControl();
  control.aliases.set('orders-api:live', {
    functionName: 'orders-api',
    alias: 'live',
    version: '42',
    routing: {},
    revisionId: 'rev-1',
  });
  const worker = testWorker(slack.apiUrl, {
    control,
    runbook: await loadRunbook(),
    settings: { admins: ['U0MARIA'] },
  });
  return { ingress, jobs, worker, control, attempts };
}

describe('the ack while views.open misbehaves', () => {
  it.each<[string, Fault]>([
    ['hangs', { hang: true }],
    ['answers 500', { status: 500 }],
    ['answers 429', { status: 429, retryAfterSeconds: 30 }],
  ])(
    'Slack %s: the click is acked after one attempt, and the plan comes as an ephemeral message to confirm',
    async (_name, fault) => {
      // Prepare
      const { ingress, jobs, worker, control, attempts } = await system();
      const value = signActionToken(SIGNING_SECRET, claim());
      slack.injectFaults('views.open', [fault, fault, fault]);

      // Act: the click (a hanging views.open never answers: the ingress must not wait for it)
      const response = await ingress(
        signedEvent(interactionBody(buttonClick({ value, messageTs: '1700000000.000100' }))),
      );
      const tried = attempts.viewsOpen;
      for (const job of jobs.splice(0)) await worker.runJob(job);

      // Assess: acked, and views.open tried once, not retried
      expect(response.statusCode).toBe(200);
      expect(tried).toBe(1);
      expect(slack.callsOf('views.open')).toEqual([]);
      const [ephemeral] = slack.callsOf('chat.postEphemeral');
      expect(ephemeral!.args).toMatchObject({ channel: 'C0ONCALL', user: 'U0MARIA' });
      const blocks = JSON.stringify(ephemeral!.args.blocks);
      expect(blocks).toContain('Move alias *live* of *orders-api* from v42 to v41.');
      const button = (ephemeral!.args.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find(
        (b) => b.type === 'actions',
      )!.elements![0]!;
      expect(button).toMatchObject({ action_id: 'gofn-confirm:rollback', value });
      expect(button.confirm).toMatchObject({ confirm: { text: 'Roll back' }, deny: { text: 'Cancel' } });
      expect(control.aliases.get('orders-api:live')!.version).toBe('42');

      // Act: the person confirms from the ephemeral message
      await ingress(
        signedEvent(
          interactionBody({
            ...buttonClick({ value, actionId: 'gofn-confirm:rollback' }),
            container: { type: 'message', message_ts: '1700000000.000300', channel_id: 'C0ONCALL', is_ephemeral: true },
          }),
        ),
      );
      for (const job of jobs.splice(0)) await worker.runJob(job);

      // Assess: the rollback ran
      expect(control.aliases.get('orders-api:live')!.version).toBe('41');
    },
  );

  it('a refusal the modal could not show reaches the person as an ephemeral message', async () => {
    // Prepare
    const { ingress, jobs, worker } = await system();
    slack.injectFaults('views.open', [{ status: 503 }]);
    const expired = signActionToken(SIGNING_SECRET, claim({ exp: Math.floor(Date.now() / 1000) - 5 }));

    // Act
    await ingress(signedEvent(interactionBody(buttonClick({ value: expired }))));
    for (const job of jobs.splice(0)) await worker.runJob(job);

    // Assess
    expect(slack.callsOf('chat.postEphemeral').map((c) => c.args.text)).toEqual([
      'This button has expired. Run `/gofn status` again for fresh numbers and buttons.',
    ]);
  });

  it("the ephemeral confirmation passes Slack's own Block Kit checks", async () => {
    // Prepare
    const { ingress, jobs, worker } = await system();
    slack.injectFaults('views.open', [{ status: 500 }]);
    await ingress(signedEvent(interactionBody(buttonClick({ value: signActionToken(SIGNING_SECRET, claim()) }))));
    for (const job of jobs.splice(0)) await worker.runJob(job);
    const blocks = slack.callsOf('chat.postEphemeral')[0]!.args.blocks;

    // Act
    const child = run(python, [
      '-c',
      'import json,sys\nfrom slack_sdk.models.blocks import Block\nfor b in Block.parse_all(json.load(sys.stdin)): b.to_dict()\nprint("ok")',
    ]);
    child.child.stdin?.end(JSON.stringify(blocks));

    // Assess
    expect((await child).stdout.trim()).toBe('ok');
  });
});
