import { extraIds } from '../../src/checks/evidence';
import { loadRunbook } from '../../src/runbook/loader';
import { signActionToken, verifyActionToken, type ActionClaim } from '../../src/slack/action-token';
import { claimSentence, confirmModal } from '../../src/slack/render/modals';
import { fakeControl } from '../support/fake-control';
import { fakeSources } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { SIGNING_SECRET } from '../support/slack-requests';
import { testWorker } from '../support/test-worker';

/**
 * The fixes of the next checks in Slack: a button the report offers, the confirmation's one
 * sentence, and the click running the action once, the same way the rollback button does.
 */

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders';

function claim(kind: ActionClaim['kind'], params: ActionClaim['params']): ActionClaim {
  return {
    v: 1,
    id: '3f0c2d7e-8a41-4b1e-9d3c-5e6f7a8b9c0d',
    kind,
    fn: 'orders-api',
    alias: 'live',
    params,
    channel: 'C0ONCALL',
    exp: 2_000_000_000,
  };
}

describe('the confirmation says the plan in one sentence', () => {
  it.each([
    ['lower-concurrency', { from: 100, to: 20 }, 'Set the reserved concurrency of *orders-api* from 100 down to 20.'],
    [
      'lower-concurrency',
      { from: 0, to: 'none' },
      "Remove the reserved concurrency of *orders-api* (now 0): it shares the account's unreserved pool again.",
    ],
    [
      'set-source-concurrency',
      { mapping: 'u-1', source: 'orders', from: 50, to: 10 },
      'Set the MaximumConcurrency of the mapping from *orders* to *orders-api* from 50 to 10.',
    ],
    [
      'disable-source',
      { mapping: 'u-1', source: 'orders' },
      'Turn off the mapping from *orders* to *orders-api*: Lambda stops reading it, and its messages stay where they are until it is turned on again.',
    ],
    [
      'enable-source',
      { mapping: 'u-1', source: 'orders' },
      'Turn on the mapping from *orders* to *orders-api*: Lambda reads it again.',
    ],
  ] as const)('%s %j', (kind, params, sentence) => {
    // Act
    const modal = confirmModal(claim(kind, { ...params }), 'U0MARIA', {
      token: 't',
      channel: 'C0ONCALL',
      messageTs: undefined,
      threadTs: undefined,
    });

    // Assess
    expect(claimSentence(claim(kind, { ...params }))).toBe(sentence);
    expect(modal.blocks[0]).toMatchObject({ type: 'section', text: { text: sentence } });
  });

  it('carries a mapping button (four parameters) in a token that verifies', () => {
    // Act
    const token = signActionToken(
      SIGNING_SECRET,
      claim('set-source-concurrency', { mapping: 'u-1', source: 'orders', from: 50, to: 10 }),
    );
    const checked = verifyActionToken(SIGNING_SECRET, token, { channel: 'C0ONCALL', nowSeconds: 1_900_000_000 });

    // Assess
    expect(checked).toEqual({
      claim: expect.objectContaining({
        kind: 'set-source-concurrency',
        params: { mapping: 'u-1', source: 'orders', from: 50, to: 10 },
      }),
    });
  });
});

describe('a mapping turned off, from the report to the click', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());

  it('offers to turn it back on, and the click does it once, in the thread', async () => {
    // Prepare: the alias's SQS mapping is off with 2,300 messages waiting.
    const control = fakeControl();
    control.concurrency.set('orders-api', 100);
    control.mappings.set('u-1', {
      uuid: 'u-1',
      sourceArn: QUEUE,
      state: 'Disabled',
      stateTransitionReason: 'USER_INITIATED',
      maximumConcurrency: undefined,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api:live',
    });
    const worker = testWorker(slack.apiUrl, {
      sources: fakeSources({
        sqsSource: {
          sourceArn: QUEUE,
          dlqArn: `${QUEUE}-dlq`,
          qualifier: 'live',
          state: 'Disabled',
          stateTransitionReason: 'USER_INITIATED',
        },
        extra: {
          [extraIds.sqsAge(0)]: { current: 5400, previous: 100, latest: 5400, served: true },
          [extraIds.sqsVisible(0)]: { current: 2300, previous: 10, latest: 2300, served: true },
        },
      }),
      control,
      runbook: await loadRunbook(),
      settings: { admins: ['U0MARIA'] },
    });
    await worker.runJob({
      kind: 'status',
      id: 's-1',
      functionName: 'orders-api',
      window: '1h',
      alias: 'live',
      responseUrl: slack.responseUrl('r'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });
    const report = slack.callsOf('chat.postMessage')[0]!;
    const buttons = (
      report.args.blocks as {
        type: string;
        elements?: { action_id: string; value?: string; text: { text: string } }[];
      }[]
    ).find((b) => b.type === 'actions')!.elements!;
    const enable = buttons.find((b) => b.action_id.startsWith('gofn-action:enable-source'))!;

    // Act
    const job = {
      kind: 'action' as const,
      token: enable.value!,
      channel: 'C0ONCALL',
      user: 'U0MARIA',
      messageTs: String(report.response.ts),
    };
    await worker.runJob({ ...job, id: 'a-1' });
    await worker.runJob({ ...job, id: 'a-2' });

    // Assess
    expect(enable.text.text).toBe('Turn on the orders mapping…');
    expect(JSON.stringify(report.args.blocks)).toContain(
      'the mapping from orders is disabled (USER_INITIATED) with 2,300 messages waiting',
    );
    expect(control.mappings.get('u-1')?.state).toBe('Enabling');
    const lines = slack.callsOf('chat.postMessage').map((c) => String(c.args.text));
    expect(lines.filter((t) => t.includes('turned on the mapping from orders to orders-api'))).toHaveLength(1);
  });
});
