import { PassThrough } from 'node:stream';
import { listAudit } from '../../src/actions/audit';
import { act, audit, type ActionOptions } from '../../src/cli/commands/actions';
import type { CliIO } from '../../src/cli/io';
import type { World } from '../../src/cli/world';
import { ErrorCode, GofnError } from '../../src/errors';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { fakeControl } from '../support/fake-control';
import { fakeSources, type FakeData, type FakeSources } from '../support/fake-sources';

/** The action commands in-process, on a world of fakes the test can look into afterwards. */
function setup(data: Partial<FakeData> = {}) {
  const control = fakeControl();
  control.concurrency.set('orders-api', 100);
  const sources: FakeSources = fakeSources(data);
  const store = new MemoryRecordStore();
  const world: World = { sources, control, store, simulated: true };
  const out = { stdout: '', stderr: '' };
  const stdin = new PassThrough();
  stdin.end();
  const io: CliIO = {
    stdout: { write: (text: string) => (out.stdout += text), isTTY: false },
    stderr: { write: (text: string) => (out.stderr += text), isTTY: false },
    stdin,
    env: {},
  };
  return { control, sources, store, world, out, io };
}

const options: ActionOptions = { alias: 'live', yes: true, color: false };

describe('an action that cannot be planned', () => {
  it('is audited as failed when AWS fails while planning, and says why, exit 3', async () => {
    // Prepare
    const failure = new GofnError(ErrorCode.Upstream, 'Lambda GetAccountSettings returned no concurrency limits.');
    const { control, store, world, out, io } = setup({ fail: { getAccountConcurrency: failure } });

    // Act
    const code = await act(
      io,
      'raise-concurrency',
      'orders-api',
      options,
      () => ({ concurrencyTo: 200 }),
      () => Promise.resolve(world),
    );

    // Assess
    expect(code).toBe(3);
    expect(out.stderr).toBe('gofn: Lambda GetAccountSettings returned no concurrency limits.\n');
    expect(control.concurrency.get('orders-api')).toBe(100);
    expect(await listAudit(store, 'orders-api')).toEqual([
      expect.objectContaining({
        kind: 'raise-concurrency',
        status: 'failed',
        sentence: 'Lambda GetAccountSettings returned no concurrency limits.',
        actor: expect.objectContaining({ via: 'cli' }),
      }),
    ]);
  });

  it('says so on stderr when the audit record cannot be written', async () => {
    // Prepare
    const { store, world, out, io } = setup();
    const create = store.create.bind(store);
    store.create = (record) =>
      record.pk.startsWith('audit#')
        ? Promise.reject(new GofnError(ErrorCode.Forbidden, 'DynamoDB PutItem was denied'))
        : create(record);

    // Act
    const code = await act(
      io,
      'raise-concurrency',
      'orders-api',
      options,
      () => ({ concurrencyTo: 200 }),
      () => Promise.resolve(world),
    );

    // Assess: the change itself went through, and the person knows the trail lacks it
    expect(code).toBe(0);
    expect(out.stderr).toContain('gofn: could not write the audit record: DynamoDB PutItem was denied.\n');
  });

  it('is audited when the function does not exist, and says which one may have been meant', async () => {
    // Prepare
    const { store, io, world, out } = setup();

    // Act
    const code = await act(
      io,
      'rollback',
      'ordrs-api',
      options,
      () => ({}),
      () => Promise.resolve(world),
    );

    // Assess
    expect(code).toBe(3);
    expect(out.stderr).toBe('gofn: no function "ordrs-api" in us-east-1. Did you mean orders-api?\n');
    expect((await listAudit(store, 'ordrs-api')).map((r) => [r.kind, r.status])).toEqual([['rollback', 'failed']]);
  });

  it('changes nothing unconfirmed when the failure was passing: the audited attempt fails as the person saw', async () => {
    // Prepare: the account settings fail once, then answer
    const { control, sources, store, io, world } = setup();
    const answer = sources.functions.getAccountConcurrency;
    let calls = 0;
    sources.functions.getAccountConcurrency = (opts) =>
      ++calls === 1 ? Promise.reject(new GofnError(ErrorCode.Throttled, 'Lambda throttled gofn.')) : answer(opts);

    // Act
    const code = await act(
      io,
      'raise-concurrency',
      'orders-api',
      { ...options, yes: false },
      () => ({ concurrencyTo: 200 }),
      () => Promise.resolve(world),
    );

    // Assess
    expect(code).toBe(3);
    expect(control.concurrency.get('orders-api')).toBe(100);
    expect((await listAudit(store, 'orders-api')).map((r) => [r.status, r.sentence])).toEqual([
      ['failed', 'Lambda throttled gofn.'],
    ]);
  });

  it('does not replay unasked when the DLQ it found empty fills up before the attempt is audited', async () => {
    // Prepare: the DLQ is empty when the command looks, and holds 3 messages when it looks again
    const dlq = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
    const source = 'arn:aws:sqs:us-east-1:123456789012:orders';
    const { control, sources, store, out, io, world } = setup({ sqsSource: { sourceArn: source, dlqArn: dlq } });
    const messages = [0, 1, 2].map((i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body: '{}',
      attributes: {},
    }));
    let looks = 0;
    sources.queues.getDepth = async (arn) => ({ arn, name: 'orders-dlq', visible: ++looks === 1 ? 0 : 3, inFlight: 0 });
    control.queues_.set(dlq, messages);

    // Act
    const code = await act(
      io,
      'replay-dlq',
      'orders-api',
      { ...options, yes: false },
      () => ({}),
      () => Promise.resolve(world),
    );

    // Assess
    expect(code).toBe(1);
    expect(out.stdout).toBe('▲ orders-dlq is empty; there is nothing to replay. Nothing was changed.\n');
    expect(control.queues_.get(dlq)).toHaveLength(3);
    expect((await listAudit(store, 'orders-api')).map((r) => r.status)).toEqual(['refused']);
  });

  it('is audited as refused when the plan is refused, exit 1', async () => {
    // Prepare
    const { store, out, io, world } = setup();

    // Act
    const code = await act(
      io,
      'raise-concurrency',
      'orders-api',
      options,
      () => ({ concurrencyTo: 50 }),
      () => Promise.resolve(world),
    );

    // Assess
    expect(code).toBe(1);
    expect(out.stdout).toBe('▲ orders-api already has 100 reserved; 50 would not raise it. Nothing was changed.\n');
    expect((await listAudit(store, 'orders-api')).map((r) => r.status)).toEqual(['refused']);
  });
});

describe('gofn audit', () => {
  it('lines the records up in columns', async () => {
    // Prepare: a refusal (raise-concurrency) and then a success (rollback), by two people
    const { world, io, out, control } = setup();
    control.aliases.set('orders-api:live', {
      functionName: 'orders-api',
      alias: 'live',
      version: '42',
      routing: {},
      revisionId: 'rev-1',
    });
    const openWorld = () => Promise.resolve(world);
    await act(io, 'raise-concurrency', 'orders-api', options, () => ({ concurrencyTo: 50 }), openWorld);
    await world.store.create({
      pk: 'audit#orders-api',
      sk: '2026-11-26T15:10:00.000Z#r-2#succeeded',
      data: {
        at: '2026-11-26T15:10:00.000Z',
        functionName: 'orders-api',
        kind: 'rollback',
        actor: { via: 'slack', id: 'U0MARIA' },
        status: 'succeeded',
        sentence: 'rolled orders-api back: live v42 → v41',
        plan: undefined,
        before: {},
        after: {},
        requestId: 'r-2',
      },
    });
    out.stdout = '';

    // Act
    const code = await audit(io, 'orders-api', { limit: '20', color: false }, openWorld);

    // Assess
    expect(code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const columns = (line: string) => [...line.matchAll(/ {2}(?=\S)/g)].map((m) => m.index);
    expect(columns(lines[0]!).slice(0, 5)).toEqual(columns(lines[1]!).slice(0, 5));
    // Where it was: the region of the attempt, and a dash for a record from before accounts and regions.
    expect(lines).toContainEqual(
      expect.stringMatching(
        / refused {4}raise-concurrency {2}cli:\S+ +us-east-1 {2}orders-api already has 100 reserved/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/ succeeded {2}rollback {11}slack:U0MARIA +— +rolled orders-api/),
    );
  });

  it.each(['abc', '0', '501'])('refuses --limit %s with a sentence, exit 3', async (limit) => {
    // Prepare
    const { world, io, out } = setup();

    // Act
    const code = await audit(io, 'orders-api', { limit }, () => Promise.resolve(world));

    // Assess
    expect(code).toBe(3);
    expect(out.stderr).toBe(`gofn: --limit "${limit}" is not a number of records; use a whole number from 1 to 500.\n`);
  });
});
