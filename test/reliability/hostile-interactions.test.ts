import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { listAudit } from '../../src/actions/audit';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { mayAct, signActionToken, verifyActionToken, type ActionClaim } from '../../src/slack/action-token';
import { createIngress } from '../../src/slack/ingress';
import type { Job } from '../../src/slack/jobs';
import { fakeControl } from '../support/fake-control';
import { testWorker } from '../support/test-worker';
import {
  BOT_TOKEN,
  buttonClick,
  interactionBody,
  SIGNING_SECRET,
  signedEvent,
  viewSubmission,
} from '../support/slack-requests';
import { keptLog, memorySlackFetch, quietConsole, recordResult, repoPath, tally } from './support';

/**
 * A member of the workspace (or a compromised account) can press buttons with values they
 * edited, replay a button from another channel, submit someone else's confirmation, or press a
 * button long after it expired. Signed, well-formed Slack requests carry these here, through the
 * real ingress (Bolt and all) and the real worker: an action runs only for a genuine, unexpired
 * button pressed in its own channel by someone allowed, and then only once.
 */
const RUNS = 10_000;
const CHANNEL = 'C0ONCALL';
const ADMIN = 'U0MARIA';
const OUTSIDER = 'U0MALLORY';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Buttons as the worker makes them: each names who may act (the admin; one also a user group,
 * which the click cannot check), so authorization happens at the click as well as in the worker;
 * one carries no list, as a button whose list was too long does.
 */
function genuineClaims(): ActionClaim[] {
  const base = { v: 1 as const, fn: 'orders-api', alias: 'live', channel: CHANNEL, exp: nowSeconds() + 3600 };
  return [
    {
      ...base,
      id: '0b6f9d4e-1c1a-4c55-9d0e-000000000001',
      kind: 'rollback',
      params: { fromVersion: '42', toVersion: '41' },
      who: [ADMIN],
    },
    {
      ...base,
      id: '0b6f9d4e-1c1a-4c55-9d0e-000000000002',
      kind: 'rollback',
      params: { fromVersion: '42', toVersion: '41' },
      who: [ADMIN, 'S0ONCALL'],
    },
    {
      ...base,
      id: '0b6f9d4e-1c1a-4c55-9d0e-000000000003',
      kind: 'raise-concurrency',
      params: { from: 100, to: 200 },
      who: [ADMIN],
    },
    { ...base, id: '0b6f9d4e-1c1a-4c55-9d0e-000000000004', kind: 'raise-concurrency', params: { from: 100, to: 200 } },
  ];
}

type Variant =
  | 'genuine'
  | 'other-user'
  | 'other-channel'
  | 'expired'
  | 'edited-claim'
  | 'flipped-body'
  | 'flipped-mac'
  | 'forged'
  | 'garbage';

interface Press {
  variant: Variant;
  claimIndex: number;
  value: unknown;
  user: string;
  channel: string;
}

const edits: fc.Arbitrary<(c: ActionClaim) => ActionClaim> = fc.constantFrom(
  (c) => ({ ...c, params: { ...c.params, toVersion: '1' } }),
  (c) => ({ ...c, fn: 'payments-api' }),
  (c) => ({ ...c, channel: 'C0OTHER' }),
  (c) => ({ ...c, exp: c.exp + 86_400 * 365 }),
  (c) => ({ ...c, kind: 'replay-dlq' }),
  (c) => ({ ...c, params: { from: 100, to: 5000 } }),
  (c) => ({ ...c, id: '0b6f9d4e-1c1a-4c55-9d0e-0000000000ff' }),
);

function flip(text: string, at: number): string {
  const i = at % text.length;
  const c = text[i] === 'A' ? 'B' : 'A';
  return text.slice(0, i) + c + text.slice(i + 1);
}

const press: fc.Arbitrary<Press> = fc
  .record({
    variant: fc.constantFrom<Variant>(
      'genuine',
      'other-user',
      'other-channel',
      'expired',
      'edited-claim',
      'flipped-body',
      'flipped-mac',
      'forged',
      'garbage',
    ),
    claimIndex: fc.nat({ max: 3 }),
    edit: edits,
    at: fc.nat(),
    age: fc.integer({ min: 1, max: 10_000_000 }),
    channel: fc.oneof(
      fc.constantFrom('C0OTHER', 'D0DIRECT', 'G0PRIVATE', 'c0oncall', ''),
      fc.stringMatching(/^C[A-Z0-9]{1,12}$/),
    ),
    garbage: fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.string({ maxLength: 40 }).map((s) => `${s}.${s}`),
      fc.nat({ max: 3000 }).map((n) => `${'a'.repeat(n)}.${'b'.repeat(43)}`),
      fc.constantFrom(123, null, { token: 'x' }, ['a.b'], true),
    ),
  })
  .map(({ variant, claimIndex, edit, at, age, channel, garbage }) => {
    const claim = genuineClaims()[claimIndex]!;
    const good = signActionToken(SIGNING_SECRET, claim);
    const [kid, body, mac] = good.split('.') as [string, string, string];
    const base = { variant, claimIndex, user: ADMIN, channel: CHANNEL };
    switch (variant) {
      case 'genuine':
        return { ...base, value: good };
      case 'other-user':
        return { ...base, value: good, user: OUTSIDER };
      case 'other-channel':
        return { ...base, value: good, channel: channel === CHANNEL ? 'C0OTHER' : channel };
      case 'expired':
        return { ...base, value: signActionToken(SIGNING_SECRET, { ...claim, exp: nowSeconds() - age }) };
      case 'edited-claim':
        return { ...base, value: `${kid}.${Buffer.from(JSON.stringify(edit(claim))).toString('base64url')}.${mac}` };
      case 'flipped-body':
        return { ...base, value: `${kid}.${flip(body, at)}.${mac}` };
      case 'flipped-mac':
        return { ...base, value: `${kid}.${body}.${flip(mac, at)}` };
      case 'forged':
        return { ...base, value: signActionToken('a-guessed-signing-secret-000000', edit(claim)) };
      default:
        return { ...base, value: garbage };
    }
  });

/** Button clicks and modal submissions, some with their structure broken as well. */
const interaction = fc.record({
  press,
  kind: fc.constantFrom('click', 'submit'),
  breakage: fc.oneof(
    { weight: 6, arbitrary: fc.constant('none') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'no-channel',
        'no-message',
        'no-actions',
        'empty-actions',
        'no-trigger',
        'other-action-id',
        'metadata-not-json',
        'metadata-null',
        'metadata-array',
        'metadata-token-object',
        'other-callback',
        'no-view-id',
      ),
    },
  ),
});

type Payload = Record<string, unknown>;

function build(kind: string, p: Press, breakage: string): Payload {
  if (kind === 'click') {
    const click = buttonClick({ value: 'x', channel: p.channel, user: p.user }) as unknown as Payload;
    (click.actions as Payload[])[0]!.value = p.value;
    if (breakage === 'no-channel') delete click.channel;
    if (breakage === 'no-message') delete click.message;
    if (breakage === 'no-actions') delete click.actions;
    if (breakage === 'empty-actions') click.actions = [];
    if (breakage === 'no-trigger') delete click.trigger_id;
    if (breakage === 'other-action-id') (click.actions as Payload[])[0]!.action_id = 'gofn-action:../../x';
    return click;
  }
  const metadata: Payload = { token: p.value, channel: p.channel, messageTs: '1700000000.000100' };
  const submission = viewSubmission({ metadata, user: p.user, viewId: `V${Math.random().toString(36).slice(2)}` });
  const view = submission.view as Payload;
  if (breakage === 'metadata-not-json') view.private_metadata = '{"token": ';
  if (breakage === 'metadata-null') view.private_metadata = 'null';
  if (breakage === 'metadata-array') view.private_metadata = '["a.b"]';
  if (breakage === 'metadata-token-object') view.private_metadata = JSON.stringify({ token: { a: 1 }, channel: {} });
  if (breakage === 'other-callback') view.callback_id = 'gofn-confirm-evil';
  if (breakage === 'no-view-id') delete view.id;
  return submission as unknown as Payload;
}

describe('hostile interaction payloads', () => {
  let runbook: Runbook;
  let restoreConsole: () => void;
  beforeAll(async () => {
    runbook = await loadRunbook();
    restoreConsole = quietConsole();
  });
  afterAll(() => restoreConsole());

  it(`runs an action only for a genuine button, once, over ${RUNS.toLocaleString('en')} generated clicks and submissions`, async () => {
    // Prepare
    const started = Date.now();
    const slack = memorySlackFetch();
    /** Clicks and submissions that arrive together. */
    const BATCH = 8;
    const log = keptLog();
    const queued: Job[] = [];
    const clientOptions = { slackApiUrl: slack.slackApiUrl, fetch: slack.fetch, retryConfig: { retries: 0 } };
    const ingress = createIngress({
      secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
      jobs: { enqueue: async (job) => void queued.push(job as Job) },
      clientOptions,
      log,
    });
    const store = new MemoryRecordStore();
    const control = fakeControl();
    control.aliases.set('orders-api:live', {
      functionName: 'orders-api',
      alias: 'live',
      version: '42',
      routing: {},
      revisionId: 'rev-1',
    });
    control.concurrency.set('orders-api', 100);
    const executed = { updateAlias: 0, putReservedConcurrency: 0, invokeAsync: 0, stopDeployment: 0 };
    const { updateAlias, putReservedConcurrency } = control.lambda;
    control.lambda.updateAlias = (...args) => ((executed.updateAlias += 1), updateAlias(...args));
    control.lambda.putReservedConcurrency = (...args) => (
      (executed.putReservedConcurrency += 1),
      putReservedConcurrency(...args)
    );
    const worker = testWorker(slack, {
      control,
      store,
      runbook,
      settings: { deadlineMs: 2000, admins: [ADMIN] },
      log,
    });
    const counts: Record<string, number> = {};
    const statuses: Record<string, number> = {};
    let confirmModals = 0;
    let problemModals = 0;

    // Act: the clicks and submissions of a batch arrive together, and the worker runs the jobs
    // they hand over concurrently, as Lambda would
    await fc.assert(
      fc.asyncProperty(fc.array(interaction, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        for (const { press: p, kind, breakage } of batch) {
          tally(counts, `${kind} ${p.variant}`);
          if (breakage !== 'none') tally(counts, `structure broken: ${breakage}`);
        }
        const responses = await Promise.all(
          batch.map(({ press: p, kind, breakage }) => ingress(signedEvent(interactionBody(build(kind, p, breakage))))),
        );

        // Assess: never a server error
        for (const response of responses) {
          tally(statuses, String(response.statusCode));
          expect([200, 400, 404]).toContain(response.statusCode);
        }
        await Promise.all(queued.splice(0).map((job) => worker.runJob(job)));
      }),
      { numRuns: RUNS / BATCH, seed: 20260704 },
    );

    // Assess: a confirmation (and its plan) only for a genuine button pressed in its own channel by
    // someone it does not exclude; everyone it excludes saw a refusal instead
    for (const call of slack.calls.filter((c) => c.method === 'views.open')) {
      const view = call.args.view as { callback_id?: string; private_metadata?: string; blocks: unknown[] };
      if (view.callback_id !== 'gofn-confirm') {
        problemModals += 1;
        continue;
      }
      confirmModals += 1;
      const metadata = JSON.parse(view.private_metadata!) as { token: string; channel: string };
      const checked = verifyActionToken(SIGNING_SECRET, metadata.token, {
        channel: metadata.channel,
        nowSeconds: nowSeconds(),
      });
      expect(metadata.channel).toBe(CHANNEL);
      if (!('claim' in checked))
        throw new Error(`a confirmation opened for a button that does not verify: ${checked.problem}`);
      const shownTo = /<@([A-Z0-9]+)> will be recorded/.exec(JSON.stringify(view.blocks))![1]!;
      expect(mayAct(checked.claim, shownTo)).not.toBe('no');
    }

    // Assess: each genuine claim ran at most once, only for the admin, and the world moved at most once
    const audit = await listAudit(store, 'orders-api', 100_000);
    const succeeded = audit.filter((a) => a.status === 'succeeded');
    expect(new Set(succeeded.map((a) => a.requestId)).size).toBe(succeeded.length);
    expect(succeeded.every((a) => a.actor.id === ADMIN)).toBe(true);
    expect(executed.updateAlias).toBeLessThanOrEqual(1);
    // The outsider was refused, at the click (buttons naming who may act) and in the worker, and audited.
    expect(audit.filter((a) => a.actor.id === OUTSIDER && a.status === 'refused').length).toBeGreaterThan(0);
    expect(audit.filter((a) => a.actor.id === OUTSIDER && a.status === 'succeeded')).toEqual([]);
    expect(executed.putReservedConcurrency).toBeLessThanOrEqual(1);
    expect(control.aliases.get('orders-api:live')!.version).toMatch(/^4[12]$/);
    expect([100, 200]).toContain(control.concurrency.get('orders-api'));
    expect(
      audit
        .filter((a) => a.status === 'succeeded' || a.actor.id !== ADMIN)
        .every((a) => a.status !== 'succeeded' || a.actor.id === ADMIN),
    ).toBe(true);
    const listenerFailures = log.lines.filter((l) => l.message === 'a Slack listener failed');
    expect(listenerFailures).toEqual([]);
    const outcomes: Record<string, number> = {};
    for (const a of audit) tally(outcomes, `audited ${a.status}${a.actor.id === ADMIN ? '' : ' (outsider)'}`);
    recordResult('hostile-interactions', {
      test: 'Interaction payloads and button values',
      file: repoPath(__filename),
      group: 'hostile input',
      tried: `${RUNS.toLocaleString('en')} signed button clicks and modal submissions through the ingress and the worker, ${8} at a time and the jobs they hand over run concurrently: genuine buttons naming who may act (one with a user group, one with no list), buttons pressed by another user or in another channel, expired ones, edited claims with the old MAC, flipped bytes, values signed with a guessed secret, garbage and non-string values, and broken payload structure (missing channel, message, actions, trigger, view id; unreadable private_metadata)`,
      inputs: RUNS,
      lost: 0,
      duplicated: succeeded.length - new Set(succeeded.map((a) => a.requestId)).size,
      details: {
        ...counts,
        ...Object.fromEntries(Object.entries(statuses).map(([k, v]) => [`answered ${k}`, v])),
        'confirm modals opened': confirmModals,
        'refusal modals opened': problemModals,
        ...outcomes,
        'UpdateAlias calls': executed.updateAlias,
        'PutFunctionConcurrency calls': executed.putReservedConcurrency,
        'listener exceptions': listenerFailures.length,
      },
      durationMs: Date.now() - started,
    });
  });
});

describe('forged jobs at the worker', () => {
  it('neither acts on a forged token nor answers to a response_url outside Slack', async () => {
    // Prepare: someone who may invoke the worker directly sends it jobs of their own
    const runbook = await loadRunbook();
    const elsewhere = { requests: 0 };
    const server = createServer((_req, res) => {
      elsewhere.requests += 1;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/latest/meta-data`;
    const slack = memorySlackFetch();
    const control = fakeControl();
    control.aliases.set('orders-api:live', {
      functionName: 'orders-api',
      alias: 'live',
      version: '42',
      routing: {},
      revisionId: 'rev-1',
    });
    const log = keptLog();
    const worker = testWorker(slack, {
      control,
      runbook,
      settings: { deadlineMs: 2000, admins: [ADMIN] },
      log,
    });
    const forged = signActionToken('not-the-signing-secret-0000000000', genuineClaims()[0]!);

    // Act
    await worker.runJob({ kind: 'action', id: 'V-forged', token: forged, channel: CHANNEL, user: ADMIN });
    const ssrf = await worker
      .runJob({
        kind: 'status',
        id: 'T-forged',
        functionName: 'no-such-function',
        window: '1h',
        alias: 'live',
        responseUrl: target,
        channel: CHANNEL,
        user: ADMIN,
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await new Promise<void>((resolve) => server.close(() => resolve()));

    // Assess
    expect(control.aliases.get('orders-api:live')!.version).toBe('42');
    // Reads (who is asking, is the channel shared) aside, the only thing written to Slack is the refusal.
    expect(
      slack.calls.map((c) => c.method).filter((m) => !/^(users|conversations)\.info$|^auth\.test$/.test(m)),
    ).toEqual(['chat.postEphemeral']);
    expect(String(slack.calls[0]!.args.text)).toBe('This button could not be verified; nothing was run.');
    expect(String(ssrf)).toMatch(/does not point at Slack; nothing was sent/);
    expect(elsewhere.requests).toBe(0);
  });
});
