import { signActionToken, type ActionClaim } from '../../src/slack/action-token';
import { createIngress } from '../../src/slack/ingress';
import type { Job } from '../../src/slack/jobs';
import { silentLog } from '../../src/log';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import {
  BOT_TOKEN,
  buttonClick,
  interactionBody,
  SIGNING_SECRET,
  signedEvent,
  slashCommandBody,
  viewSubmission,
} from '../support/slack-requests';

let slack: FakeSlack;
let jobs: Job[];
let ingress: ReturnType<typeof createIngress>;

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.reset();
  jobs = [];
  ingress = createIngress({
    secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
    jobs: {
      enqueue: async (job) => {
        jobs.push(job as Job);
      },
    },
    clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    log: silentLog,
  });
});

function claim(overrides: Partial<ActionClaim> = {}): ActionClaim {
  return {
    v: 1,
    id: '4f7c1a52-8b3e-4f0a-9a51-0d2b7b6c1e11',
    kind: 'rollback',
    fn: 'orders-api',
    alias: 'live',
    params: { fromVersion: '42', toVersion: '41' },
    channel: 'C0ONCALL',
    exp: Math.floor(Date.now() / 1000) + 600,
    ...overrides,
  };
}

describe('ingress: slash commands', () => {
  it('acks /gofn status with an ephemeral "diagnosing…" and enqueues one job, calling no Slack API', async () => {
    // Act
    const response = await ingress(signedEvent(slashCommandBody('status orders-api 3h')));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      response_type: 'ephemeral',
      text: 'diagnosing orders-api (live, last 3h)…',
    });
    expect(jobs).toEqual([
      expect.objectContaining({
        kind: 'status',
        functionName: 'orders-api',
        window: '3h',
        alias: 'live',
        channel: 'C0ONCALL',
        user: 'U0MARIA',
      }),
    ]);
    expect(slack.calls).toEqual([]);
  });

  it('answers help and bad input with the usage, and enqueues nothing', async () => {
    for (const text of ['help', '', 'restart orders-api', 'status orders-api 90x']) {
      // Act
      const response = await ingress(signedEvent(slashCommandBody(text)));

      // Assess
      const body = JSON.parse(response.body) as { response_type: string; text: string };
      expect(body.response_type).toBe('ephemeral');
      expect(body.text).toContain('/gofn status &lt;function&gt; [window] [alias=NAME]');
    }
    expect(jobs).toEqual([]);
    const bad = JSON.parse((await ingress(signedEvent(slashCommandBody('status orders-api 90x')))).body) as {
      text: string;
    };
    expect(bad.text).toMatch(/^window "90x" is not a duration; use 15m, 1h, 3h or 1d\./);
  });

  it('refuses a bad signature with 401 and runs nothing', async () => {
    // Act
    const response = await ingress(signedEvent(slashCommandBody('status orders-api'), { secret: 'another-secret' }));

    // Assess
    expect(response.statusCode).toBe(401);
    expect(jobs).toEqual([]);
  });

  it('refuses a timestamp older than five minutes, and one from the future, with 401', async () => {
    // Act
    const stale = await ingress(
      signedEvent(slashCommandBody('status orders-api'), { timestamp: Math.floor(Date.now() / 1000) - 301 }),
    );
    const future = await ingress(
      signedEvent(slashCommandBody('status orders-api'), { timestamp: Math.floor(Date.now() / 1000) + 301 }),
    );

    // Assess
    expect([stale.statusCode, future.statusCode]).toEqual([401, 401]);
    expect(jobs).toEqual([]);
  });

  it('hands a retried delivery to the worker with the same job id, so the worker runs it once', async () => {
    // Prepare
    const body = slashCommandBody('status orders-api', { trigger_id: 'trigger-same' });

    // Act
    await ingress(signedEvent(body));
    await ingress(signedEvent(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }));

    // Assess
    expect(jobs.map((j) => j.id)).toEqual(['trigger-same', 'trigger-same']);
  });

  it('accepts a base64-encoded body with non-ASCII text, verified over the exact bytes', async () => {
    // Act
    const response = await ingress(
      signedEvent(slashCommandBody('status orders-api', { user_name: 'zoë' }), { base64: true }),
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(jobs).toHaveLength(1);
  });
});

describe('ingress: buttons and modals', () => {
  it('opens a confirm modal with the plan for a valid button, in the ack path', async () => {
    // Prepare
    const value = signActionToken(SIGNING_SECRET, claim());

    // Act
    const response = await ingress(signedEvent(interactionBody(buttonClick({ value }))));

    // Assess
    expect(response.statusCode).toBe(200);
    const [open] = slack.callsOf('views.open');
    const view = open!.args.view as { callback_id: string; blocks: { text?: { text: string } }[] };
    expect(view.callback_id).toBe('gofn-confirm');
    expect(view.blocks[0]!.text!.text).toContain('Move alias *live* of *orders-api* from v42 to v41.');
    expect(jobs).toEqual([]);
  });

  it('shows a refusal instead of the plan for an edited, expired or other-channel button', async () => {
    // Prepare
    const good = signActionToken(SIGNING_SECRET, claim());
    const edited = good.replace(
      /^[^.]+/,
      Buffer.from(JSON.stringify(claim({ params: { fromVersion: '42', toVersion: '1' } }))).toString('base64url'),
    );
    const expired = signActionToken(SIGNING_SECRET, claim({ exp: Math.floor(Date.now() / 1000) - 1 }));

    // Act
    await ingress(signedEvent(interactionBody(buttonClick({ value: edited }))));
    await ingress(signedEvent(interactionBody(buttonClick({ value: expired }))));
    await ingress(signedEvent(interactionBody(buttonClick({ value: good, channel: 'C0OTHER' }))));

    // Assess
    const texts = slack.callsOf('views.open').map((c) => JSON.stringify(c.args.view));
    expect(texts[0]).toContain('could not be verified; nothing was run');
    expect(texts[1]).toContain('This button has expired');
    expect(texts[2]).toContain('belongs to a message in another channel');
    expect(texts.join()).not.toContain('gofn-confirm');
  });

  it('shows someone the button does not name a refusal instead of the plan, and hands the attempt to the worker for the audit', async () => {
    // Prepare: a button made for the admin U0ADMIN and the owner U0MARIA
    const value = signActionToken(SIGNING_SECRET, claim({ who: ['U0ADMIN', 'U0MARIA'] }));

    // Act
    const outsider = await ingress(signedEvent(interactionBody(buttonClick({ value, user: 'U0MALLORY' }))));
    const owner = await ingress(signedEvent(interactionBody(buttonClick({ value, user: 'U0MARIA' }))));

    // Assess
    expect([outsider.statusCode, owner.statusCode]).toEqual([200, 200]);
    const views = slack.callsOf('views.open').map((c) => JSON.stringify(c.args.view));
    expect(views[0]).toContain(
      "You are not allowed to change orders-api: only gofn's admins and the people in its gofn:owners tag may. Nothing was run.",
    );
    expect(views[0]).not.toContain('gofn-confirm');
    expect(views[0]).not.toContain('v41');
    expect(views[1]).toContain('gofn-confirm');
    expect(jobs).toEqual([
      { kind: 'refusal', id: expect.any(String) as string, token: value, channel: 'C0ONCALL', user: 'U0MALLORY' },
    ]);
  });

  it('still hands a refused click to the worker for the audit when the refusal modal cannot open', async () => {
    // Prepare
    const value = signActionToken(SIGNING_SECRET, claim({ who: ['U0ADMIN'] }));
    slack.injectFaults('views.open', [{ status: 500 }]);

    // Act
    await ingress(signedEvent(interactionBody(buttonClick({ value, user: 'U0MALLORY' }))));

    // Assess: audited, and the refusal goes to the person as an ephemeral message instead
    expect(jobs).toEqual([
      expect.objectContaining({ kind: 'refusal', user: 'U0MALLORY', token: value }),
      expect.objectContaining({
        kind: 'fallback',
        user: 'U0MALLORY',
        problem: expect.stringContaining('You are not allowed to change orders-api') as string,
      }),
    ]);
  });

  it('opens the confirmation when only a user group could say, leaving the decision to the worker', async () => {
    // Prepare: group membership needs a Slack call, which may not run before the ack
    const value = signActionToken(SIGNING_SECRET, claim({ who: ['U0ADMIN', 'S0ONCALL'] }));

    // Act
    await ingress(signedEvent(interactionBody(buttonClick({ value, user: 'U0MALLORY' }))));

    // Assess
    expect(JSON.stringify(slack.callsOf('views.open')[0]!.args.view)).toContain('gofn-confirm');
    expect(jobs).toEqual([]);
  });

  it('enqueues the action on submit and closes the modal', async () => {
    // Prepare
    const token = signActionToken(SIGNING_SECRET, claim());
    const submission = viewSubmission({ metadata: { token, channel: 'C0ONCALL', messageTs: '1700000000.000100' } });

    // Act
    const response = await ingress(signedEvent(interactionBody(submission)));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(jobs).toEqual([
      expect.objectContaining({ kind: 'action', id: 'V0001', token, user: 'U0MARIA', messageTs: '1700000000.000100' }),
    ]);
  });
});
