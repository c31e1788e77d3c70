import { listAudit } from '../../src/actions/audit';
import { runAction } from '../../src/actions/run';
import type { ActionDeps, ActionRequest } from '../../src/actions/types';
import { silentLog } from '../../src/log';
import type { MappingState } from '../../src/ports';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { fakeControl, type FakeControl } from '../support/fake-control';
import { fakeSources, type FakeData } from '../support/fake-sources';

/**
 * The fixes that go with a backlog or a starved function: lower or remove reserved concurrency,
 * set an event-source mapping's MaximumConcurrency, turn a mapping off or on. Each is planned
 * against the state now, authorized, run once, verified by reading back, and audited.
 */

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders';
const MAPPING: MappingState = {
  uuid: 'u-1',
  sourceArn: QUEUE,
  state: 'Enabled',
  stateTransitionReason: 'USER_INITIATED',
  maximumConcurrency: 50,
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api:live',
};

function setup(data: Partial<FakeData> = {}, mapping: Partial<MappingState> = {}) {
  const control: FakeControl = fakeControl();
  control.concurrency.set('orders-api', 100);
  control.mappings.set('u-1', { ...MAPPING, ...mapping });
  const store = new MemoryRecordStore();
  const deps: ActionDeps = {
    sources: fakeSources({
      fn: { tags: { 'gofn:managed': 'true', 'gofn:owners': 'U0OWNER' } },
      sqsSource: {
        sourceArn: QUEUE,
        dlqArn: `${QUEUE}-dlq`,
        qualifier: 'live',
        state: mapping.state ?? 'Enabled',
        maximumConcurrency: 'maximumConcurrency' in mapping ? mapping.maximumConcurrency : 50,
      },
      ...data,
    }),
    control,
    store,
    settings: { maxConcurrency: 500, replayRatePerSecond: 100, admins: ['U0MARIA'] },
    log: silentLog,
  };
  return { control, store, deps };
}

function request(
  kind: ActionRequest['kind'],
  expected: ActionRequest['expected'],
  overrides: Partial<ActionRequest> = {},
): ActionRequest {
  return {
    kind,
    functionName: 'orders-api',
    alias: 'live',
    expected,
    actor: { via: 'slack', id: 'U0MARIA' },
    requestId: `req-${kind}`,
    ...overrides,
  };
}

describe('lower or remove reserved concurrency', () => {
  it('lowers the reservation and verifies it by reading back', async () => {
    // Prepare
    const { control, deps, store } = setup();

    // Act
    const outcome = await runAction(request('lower-concurrency', { concurrencyFrom: 100, concurrencyTo: 20 }), deps);

    // Assess
    expect(outcome).toMatchObject({
      status: 'succeeded',
      sentence: 'lowered reserved concurrency of orders-api: 100 → 20',
      before: { reservedConcurrency: 100 },
      after: { reservedConcurrency: 20 },
    });
    expect(control.concurrency.get('orders-api')).toBe(20);
    const [record] = await listAudit(store, 'orders-api', 5);
    expect(record).toMatchObject({
      kind: 'lower-concurrency',
      status: 'succeeded',
      actor: { via: 'slack', id: 'U0MARIA' },
    });
  });

  it('removes the reservation with DeleteFunctionConcurrency: the function shares the pool again', async () => {
    // Prepare
    const { control, deps } = setup();
    control.concurrency.set('orders-api', 0);

    // Act
    const outcome = await runAction(
      request('lower-concurrency', { concurrencyFrom: 0, removeConcurrency: true }),
      deps,
    );

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.sentence).toBe('removed the reserved concurrency of orders-api (was 0)');
    expect(outcome.plan?.sentence).toBe(
      "orders-api: remove reserved concurrency 0 (it shares the account's unreserved pool again)",
    );
    expect(control.concurrency.has('orders-api')).toBe(false);
  });

  it('refuses what would not lower, and a reservation that changed since the button was made', async () => {
    // Prepare
    const { control, deps } = setup();

    // Act
    const higher = await runAction(request('lower-concurrency', { concurrencyTo: 150 }, { requestId: 'a' }), deps);
    const moved = await runAction(
      request('lower-concurrency', { concurrencyFrom: 80, concurrencyTo: 20 }, { requestId: 'b' }),
      deps,
    );

    // Assess
    expect(higher).toMatchObject({
      status: 'refused',
      sentence: 'orders-api has 100 reserved; 150 would not lower it. Nothing was changed.',
    });
    expect(moved).toMatchObject({
      status: 'conflict',
      sentence:
        'The reserved concurrency of orders-api changed since you looked: it is 100 now, not 80. Nothing was changed.',
    });
    expect(control.concurrency.get('orders-api')).toBe(100);
  });

  it('runs once however often the button is pressed', async () => {
    // Prepare
    const { control, deps } = setup();
    let puts = 0;
    const put = control.lambda.putReservedConcurrency.bind(control.lambda);
    control.lambda.putReservedConcurrency = async (...args) => {
      puts += 1;
      await new Promise((r) => setTimeout(r, 10));
      return put(...args);
    };

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => runAction(request('lower-concurrency', { concurrencyTo: 20 }), deps)),
    );

    // Assess
    expect(puts).toBe(1);
    expect(outcomes.filter((o) => o.status === 'succeeded')).toHaveLength(1);
  });

  it('refuses someone who is neither an admin nor an owner, before reading anything', async () => {
    // Prepare
    const { control, deps } = setup();

    // Act
    const outcome = await runAction(
      request('lower-concurrency', { concurrencyTo: 0 }, { actor: { via: 'slack', id: 'U0STRANGER' } }),
      deps,
    );

    // Assess
    expect(outcome.status).toBe('refused');
    expect(outcome.sentence).toMatch(/^You are not allowed to change orders-api/);
    expect(control.concurrency.get('orders-api')).toBe(100);
  });
});

describe("an event-source mapping's MaximumConcurrency", () => {
  it('sets it on the mapping the button names and verifies it with GetEventSourceMapping', async () => {
    // Prepare
    const { control, deps } = setup();

    // Act
    const outcome = await runAction(
      request('set-source-concurrency', { mapping: 'u-1', sourceConcurrencyFrom: 50, sourceConcurrencyTo: 10 }),
      deps,
    );

    // Assess
    expect(outcome).toMatchObject({
      status: 'succeeded',
      sentence: 'set MaximumConcurrency of the mapping from orders (orders-api): 50 → 10',
      before: { maximumConcurrency: 50 },
      after: { maximumConcurrency: 10 },
    });
    expect(control.mappings.get('u-1')?.maximumConcurrency).toBe(10);
  });

  it('finds the mapping by its queue name too, and removes the cap with none', async () => {
    // Prepare
    const { control, deps } = setup();

    // Act
    const outcome = await runAction(
      request('set-source-concurrency', { mapping: 'orders', sourceConcurrencyTo: null }),
      deps,
    );

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.plan?.sentence).toBe('orders-api: MaximumConcurrency of the mapping from orders 50 → unset');
    expect(control.mappings.get('u-1')?.maximumConcurrency).toBeUndefined();
  });

  it("refuses a value outside Lambda's 2 to 1,000, a mapping of another function, and the value it already has", async () => {
    // Prepare
    const { control, deps } = setup();

    // Act
    const one = await runAction(
      request('set-source-concurrency', { mapping: 'u-1', sourceConcurrencyTo: 1 }, { requestId: 'a' }),
      deps,
    );
    const foreign = await runAction(
      request('set-source-concurrency', { mapping: 'not-ours', sourceConcurrencyTo: 10 }, { requestId: 'b' }),
      deps,
    );
    const same = await runAction(
      request('set-source-concurrency', { mapping: 'u-1', sourceConcurrencyTo: 50 }, { requestId: 'c' }),
      deps,
    );

    // Assess
    expect(one).toMatchObject({
      status: 'refused',
      sentence: 'MaximumConcurrency must be a whole number from 2 to 1000, not 1.',
    });
    expect(foreign).toMatchObject({
      status: 'refused',
      sentence: 'orders-api has no event-source mapping not-ours; its mappings read from orders. Nothing was changed.',
    });
    expect(same.sentence).toBe('The mapping from orders already has MaximumConcurrency 50. Nothing was changed.');
    expect(control.mappings.get('u-1')?.maximumConcurrency).toBe(50);
  });
});

describe('turning a mapping off and on', () => {
  it('turns it off (the kill switch for a poison queue) and accepts Disabling as verified', async () => {
    // Prepare
    const { control, deps, store } = setup();

    // Act
    const outcome = await runAction(request('disable-source', { mapping: 'u-1' }), deps);

    // Assess
    expect(outcome).toMatchObject({
      status: 'succeeded',
      sentence: 'turned off the mapping from orders to orders-api (Disabling)',
      before: { state: 'Enabled' },
      after: { state: 'Disabling' },
    });
    expect(control.mappings.get('u-1')?.state).toBe('Disabling');
    const [record] = await listAudit(store, 'orders-api', 5);
    expect(record).toMatchObject({
      kind: 'disable-source',
      status: 'succeeded',
      plan: expect.stringContaining('turn off'),
    });
  });

  it('turns a mapping that is off back on, and refuses to turn on one that is on', async () => {
    // Prepare
    const off = setup({}, { state: 'Disabled' });
    const on = setup();

    // Act
    const enabled = await runAction(request('enable-source', { mapping: 'orders' }), off.deps);
    const already = await runAction(request('enable-source', { mapping: 'orders' }), on.deps);

    // Assess
    expect(enabled.sentence).toBe('turned on the mapping from orders to orders-api (Enabling)');
    expect(already).toMatchObject({
      status: 'refused',
      sentence: 'The mapping from orders is already enabled. Nothing was changed.',
    });
  });

  it('says so when the mapping did not change state: the read-back decides', async () => {
    // Prepare: Lambda accepts the update but the mapping stays Enabled.
    const { control, deps } = setup();
    control.lambda.updateEventSourceMapping = async () => ({ ...MAPPING });

    // Act
    const outcome = await runAction(request('disable-source', { mapping: 'u-1' }), deps);

    // Assess
    expect(outcome.status).toBe('failed');
    expect(outcome.sentence).toBe(
      'The change was sent but reading it back showed the mapping from orders Enabled. Check the console before trying again.',
    );
  });
});
