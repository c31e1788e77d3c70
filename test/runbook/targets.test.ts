import { ErrorCode, GofnError } from '../../src/errors';
import type { FleetMetrics, ManagedFunctionRef, TargetPorts, TargetSet } from '../../src/ports';
import { loadRunbook } from '../../src/runbook/loader';
import { fleetAcrossTargets, resolveFunction, serviceView } from '../../src/runbook/targets';
import { serviceOf, targetLabel, type TargetRef } from '../../src/targets';
import { fakeControl } from '../support/fake-control';
import { fakeSources, NOW, type FakeSources } from '../support/fake-sources';
import { rejectionOf } from '../aws/helpers';

const HOUR = 3_600_000;
const accounts = { prod: '111122223333', staging: '444455556666' };
const regions = ['us-east-1', 'eu-west-1'];

interface World {
  set: TargetSet;
  sources: Map<string, FakeSources>;
}

/**
 * Two accounts × two regions of fake sources; `functions` says which functions each target
 * holds (by label), `fail` makes every call of a target fail.
 */
function world(functions: Record<string, ManagedFunctionRef[]>, fail: Record<string, GofnError> = {}): World {
  const targets: TargetRef[] = Object.entries(accounts).flatMap(([account, accountId]) =>
    regions.map((region) => ({ account, accountId, region })),
  );
  const sources = new Map<string, FakeSources>();
  const opened = new Map<string, TargetPorts>();
  for (const target of targets) {
    const label = targetLabel(target);
    const refs = functions[label] ?? [];
    const failure = fail[label];
    const s = fakeSources({
      fn: { name: refs[0]?.name ?? 'nothing-here', region: target.region, accountId: target.accountId },
      ...(failure ? { fail: { getFunction: failure } } : {}),
    });
    s.region = target.region;
    s.functions.getFunction = async (name, alias) => {
      if (failure) throw failure;
      const found = refs.find((r) => r.name === name);
      if (!found) throw new GofnError(ErrorCode.NotFound, `Function not found: ${name}`);
      return { ...(await fakeSources({ fn: { name } }).functions.getFunction(name, alias)), tags: found.tags };
    };
    s.functions.managedFunctionPages = async function* () {
      if (failure) throw failure;
      yield refs;
    };
    s.metrics.getFleetMetrics = async (asked) =>
      new Map(asked.map((t) => [t.functionName, { served: true as const, metrics: metricsOf(t.functionName) }]));
    s.functions.getReservedConcurrency = async () => undefined;
    sources.set(label, s);
    opened.set(label, { target, sources: s, control: fakeControl() });
  }
  return {
    sources,
    set: {
      targets,
      configured: true,
      open: (target) => opened.get(targetLabel(target))!,
    },
  };
}

/** Healthy, except functions whose name says `failing` (5% errors). */
function metricsOf(name: string): FleetMetrics {
  return {
    invocations: 1000,
    errors: name.includes('failing') ? 50 : 1,
    throttles: 0,
    durationP99Ms: name.includes('failing') ? 900 : 200,
    peakConcurrency: 10,
    deadLetterMessages: undefined,
    previous: { invocations: 1000, durationP99Ms: 200, peakConcurrency: 10 },
    missing: [],
  };
}

const ref = (name: string, tags: Record<string, string> = {}): ManagedFunctionRef => ({
  name,
  arn: `arn:aws:lambda:us-east-1:111122223333:function:${name}`,
  tags: { 'gofn:managed': 'true', ...tags },
});

const denied = new GofnError(
  ErrorCode.AccessDenied,
  'gofn could not assume arn:aws:iam::444455556666:role/gofn-member (account staging): denied.',
);

describe('resolveFunction', () => {
  it('goes straight to the account and region a qualified name gives, without looking anywhere', async () => {
    // Prepare
    const { set, sources } = world({ 'prod/eu-west-1': [ref('orders-api')] });

    // Act
    const found = await resolveFunction(set, 'prod/eu-west-1/orders-api', 'live');

    // Assess
    expect(found.ports.target).toEqual({ account: 'prod', accountId: accounts.prod, region: 'eu-west-1' });
    expect(found.functionName).toBe('orders-api');
    expect(found.ref).toBe('prod/eu-west-1/orders-api');
    expect([...sources.values()].map((s) => s.calls.get('getFunction') ?? 0)).toEqual([0, 0, 0, 0]);
  });

  it('finds a bare name in the one account and region that has it, and an ARN by its account ID', async () => {
    // Prepare
    const { set } = world({ 'staging/us-east-1': [ref('catalog-api')] });

    // Act
    const bare = await resolveFunction(set, 'catalog-api', 'live');
    const byArn = await resolveFunction(set, 'arn:aws:lambda:us-east-1:444455556666:function:catalog-api', 'live');
    const atRegion = await resolveFunction(set, 'catalog-api@us-east-1', 'live');

    // Assess
    expect(bare.ref).toBe('staging/us-east-1/catalog-api');
    expect(byArn.ports.target.account).toBe('staging');
    expect(atRegion.ref).toBe('staging/us-east-1/catalog-api');
  });

  it('asks which one when the name is in several places (one service, active-active)', async () => {
    // Prepare
    const { set } = world({ 'prod/us-east-1': [ref('orders-api')], 'prod/eu-west-1': [ref('orders-api')] });

    // Act
    const error = await rejectionOf(resolveFunction(set, 'orders-api', 'live'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
    expect((error as GofnError).sentence).toBe(
      'orders-api is in 2 places: prod/us-east-1/orders-api, prod/eu-west-1/orders-api. Name one, like prod/us-east-1/orders-api.',
    );
  });

  it('names the accounts it could not search rather than calling the function absent there', async () => {
    // Prepare
    const { set } = world({}, { 'staging/us-east-1': denied, 'staging/eu-west-1': denied });

    // Act
    const error = await rejectionOf(resolveFunction(set, 'orders-api', 'live'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toBe(
      'no function "orders-api" with alias live in prod/us-east-1, prod/eu-west-1; ' +
        'staging/us-east-1 could not be searched (gofn could not assume arn:aws:iam::444455556666:role/gofn-member (account staging): denied); ' +
        'staging/eu-west-1 could not be searched (gofn could not assume arn:aws:iam::444455556666:role/gofn-member (account staging): denied).',
    );
  });

  it.each([
    ['dev/us-east-1/orders-api', 'No account "dev" is configured. The accounts are prod, staging.'],
    ['prod/ap-south-1/orders-api', 'prod is not configured for ap-south-1. The regions are us-east-1, eu-west-1.'],
    ['orders-api@ap-south-1', 'No configured account looks at ap-south-1. The regions are us-east-1, eu-west-1.'],
  ])('says what is configured when %s names something that is not', async (text, sentence) => {
    // Prepare
    const { set } = world({});

    // Act
    const error = await rejectionOf(resolveFunction(set, text, 'live'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
    expect((error as GofnError).sentence).toBe(sentence);
  });
});

describe('fleetAcrossTargets', () => {
  it('lists every account and region with account and region columns; one that fails is reported, the rest answer', async () => {
    // Prepare
    const { set } = world(
      {
        'prod/us-east-1': [ref('orders-api'), ref('orders-worker')],
        'prod/eu-west-1': [ref('orders-api-failing')],
        'staging/us-east-1': [ref('catalog-api')],
      },
      { 'staging/eu-west-1': denied },
    );

    // Act
    const fleet = await fleetAcrossTargets({
      targets: set,
      runbook: await loadRunbook(),
      windowMs: HOUR,
      now: NOW,
      deadlineMs: 5000,
    });

    // Assess
    expect(fleet.functions.map((f) => [f.status, `${f.account}/${f.region}/${f.function}`])).toEqual([
      ['warn', 'prod/eu-west-1/orders-api-failing'],
      ['ok', 'staging/us-east-1/catalog-api'],
      ['ok', 'prod/us-east-1/orders-api'],
      ['ok', 'prod/us-east-1/orders-worker'],
    ]);
    expect(fleet.targets).toEqual([
      { account: 'prod', accountId: accounts.prod, region: 'us-east-1', functions: 2, problem: null },
      { account: 'prod', accountId: accounts.prod, region: 'eu-west-1', functions: 1, problem: null },
      { account: 'staging', accountId: accounts.staging, region: 'us-east-1', functions: 1, problem: null },
      { account: 'staging', accountId: accounts.staging, region: 'eu-west-1', functions: 0, problem: denied.message },
    ]);
    expect(fleet.region).toBe('us-east-1, eu-west-1');
  });

  it('folds one service into a row per account and region: the degraded region stands out', async () => {
    // Prepare: orders in both prod regions (api and worker), another service beside it.
    const orders = { service: 'orders' };
    const { set, sources } = world(
      {
        'prod/us-east-1': [ref('orders-api', orders), ref('orders-worker', orders), ref('catalog-api')],
        'prod/eu-west-1': [ref('orders-api-failing', orders), ref('orders-worker', orders)],
        'staging/us-east-1': [ref('orders-api', orders)],
      },
      { 'staging/eu-west-1': denied },
    );
    let asked = 0;
    for (const s of sources.values()) {
      const fleetMetrics = s.metrics.getFleetMetrics.bind(s.metrics);
      s.metrics.getFleetMetrics = (targets, window, opts) => {
        asked += targets.length;
        return fleetMetrics(targets, window, opts);
      };
    }

    // Act
    const fleet = await fleetAcrossTargets({
      targets: set,
      service: serviceOf('service=orders'),
      runbook: await loadRunbook(),
      windowMs: HOUR,
      now: NOW,
      deadlineMs: 5000,
    });
    const view = serviceView(fleet, 'orders');

    // Assess: the other service's functions were not even asked about.
    expect(asked).toBe(5);
    expect(view.rows.map((r) => [`${r.account}/${r.region}`, r.status, r.functions, r.invocations, r.errors])).toEqual([
      ['prod/us-east-1', 'ok', ['orders-api', 'orders-worker'], 2000, 2],
      ['prod/eu-west-1', 'warn', ['orders-api-failing', 'orders-worker'], 2000, 51],
      ['staging/us-east-1', 'ok', ['orders-api'], 1000, 1],
      ['staging/eu-west-1', 'unknown', [], 0, 0],
    ]);
    expect(view.rows[1]!.errorPercent).toBe(2.55);
    expect(view.rows[1]!.p99Ms).toBe(900);
    expect(view.rows[1]!.findings[0]).toMatch(/^orders-api-failing: /);
    expect(view.rows[3]!.reason).toBe(denied.message);
  });

  it('refuses a service value no tag can hold', () => {
    expect(() => serviceOf('service=<orders>')).toThrow('"<orders>" is not a service tag value.');
    expect(serviceOf('orders-api')).toBeUndefined();
  });
});
