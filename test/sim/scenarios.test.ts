import { diagnose } from '../../src/runbook/engine';
import { loadRunbook } from '../../src/runbook/loader';
import type { StepStatus } from '../../src/checks/types';
import type { Sources } from '../../src/ports';
import { createSimulatedSources } from '../../src/sim/backend';
import { listScenarioFiles, loadScenarioFiles } from '../../src/sim/loader';
import { HOUR, NOW, windows } from './helpers';

/**
 * The shipped scenarios are the demo and the runbook tests: their numbers must keep producing
 * the verdicts their header comments promise, whatever minute the demo runs at.
 */

async function demoSources(now: Date): Promise<Sources> {
  return createSimulatedSources(await loadScenarioFiles(await listScenarioFiles(), { now }));
}

type Expected = Record<string, StepStatus>;

const expectedVerdicts: Record<string, { primaryCause: string | null; steps: Expected }> = {
  'catalog-api': {
    primaryCause: null,
    steps: {
      throttles: 'ok',
      'cold-starts': 'ok',
      'downstream-latency': 'ok',
      'error-traces': 'ok',
      'recent-deploy': 'ok',
      dlq: 'ok',
    },
  },
  'orders-api': {
    primaryCause: 'throttles',
    steps: {
      throttles: 'critical',
      'cold-starts': 'warn',
      'downstream-latency': 'ok',
      'error-traces': 'ok',
      'recent-deploy': 'warn',
      dlq: 'ok',
    },
  },
  'search-api': {
    primaryCause: 'cold-starts',
    steps: {
      throttles: 'ok',
      'cold-starts': 'critical',
      'downstream-latency': 'ok',
      'error-traces': 'ok',
      'recent-deploy': 'ok',
      dlq: 'ok',
    },
  },
  'profile-api': {
    primaryCause: 'downstream-latency',
    steps: {
      throttles: 'warn',
      'cold-starts': 'ok',
      'downstream-latency': 'critical',
      'error-traces': 'ok',
      'recent-deploy': 'ok',
      dlq: 'ok',
    },
  },
  'payments-api': {
    primaryCause: 'recent-deploy',
    steps: {
      throttles: 'ok',
      'cold-starts': 'ok',
      'downstream-latency': 'ok',
      'error-traces': 'warn',
      'recent-deploy': 'critical',
      dlq: 'ok',
    },
  },
  'orders-worker': {
    primaryCause: 'dlq',
    steps: {
      throttles: 'ok',
      'cold-starts': 'ok',
      'downstream-latency': 'ok',
      'error-traces': 'ok',
      'recent-deploy': 'ok',
      dlq: 'critical',
    },
  },
  'ledger-api': {
    primaryCause: 'cold-starts',
    steps: {
      throttles: 'ok',
      'cold-starts': 'critical',
      'downstream-latency': 'ok',
      'error-traces': 'ok',
      'recent-deploy': 'ok',
      dlq: 'ok',
    },
  },
  'audit-api': {
    primaryCause: null,
    steps: {
      throttles: 'ok',
      'cold-starts': 'unknown',
      'downstream-latency': 'ok',
      'error-traces': 'ok',
      'recent-deploy': 'ok',
      dlq: 'ok',
    },
  },
  'quotes-api': {
    primaryCause: 'error-traces',
    steps: {
      throttles: 'ok',
      'cold-starts': 'ok',
      'downstream-latency': 'unknown',
      'error-traces': 'warn',
      'recent-deploy': 'ok',
      dlq: 'ok',
    },
  },
  'reports-worker': {
    primaryCause: null,
    steps: {
      throttles: 'no-traffic',
      'cold-starts': 'no-traffic',
      'downstream-latency': 'no-traffic',
      'error-traces': 'no-traffic',
      'recent-deploy': 'ok',
      dlq: 'ok',
    },
  },
  'payouts-worker': {
    primaryCause: 'dlq',
    steps: {
      throttles: 'ok',
      'cold-starts': 'ok',
      'downstream-latency': 'ok',
      'error-traces': 'ok',
      'recent-deploy': 'ok',
      dlq: 'warn',
    },
  },
  'billing-events': {
    primaryCause: 'dlq',
    steps: {
      throttles: 'ok',
      'cold-starts': 'ok',
      'downstream-latency': 'ok',
      'error-traces': 'ok',
      'recent-deploy': 'ok',
      dlq: 'critical',
    },
  },
};

describe('the shipped scenarios under the default runbook', () => {
  // A minute boundary, an odd second and a different day: the seeded noise differs for each.
  const nows = [NOW, new Date('2026-07-14T09:31:17.500Z'), new Date('2027-01-01T00:00:59Z')];

  it.each(nows.map((now) => [now.toISOString(), now]))('give the promised verdicts at %s', async (_label, now) => {
    // Prepare
    const sources = await demoSources(now);
    const runbook = await loadRunbook();

    // Act
    const verdicts: Record<string, { primaryCause: string | null; steps: Expected }> = {};
    for (const functionName of Object.keys(expectedVerdicts)) {
      const report = await diagnose({ sources, runbook, functionName, windowMs: HOUR, now, deadlineMs: 20_000 });
      const steps = Object.fromEntries(report.steps.filter((s) => s.id !== 'profile').map((s) => [s.id, s.status]));
      verdicts[functionName] = { primaryCause: report.primaryCause ?? null, steps: steps as Expected };
    }

    // Assess
    expect(verdicts).toEqual(expectedVerdicts);
  });
});

describe('the numbers behind the verdicts (1 h window ending now)', () => {
  const { window, previous } = windows(HOUR);

  it('orders-api: saturated and throttled, as in UX.md', async () => {
    // Prepare
    const sources = await demoSources(NOW);

    // Act
    const metrics = await sources.metrics.getFunctionMetrics({
      functionName: 'orders-api',
      alias: 'live',
      window,
      previous,
    });
    const cold = await sources.logs.getColdStarts({ logGroup: '/aws/lambda/orders-api', window, previous });
    const reserved = await sources.functions.getReservedConcurrency('orders-api');

    // Assess
    const requests = metrics.current.invocations + metrics.current.throttles;
    expect(metrics.current.throttles).toBeGreaterThan(390);
    expect(metrics.current.throttles).toBeLessThan(440);
    expect(requests).toBeGreaterThan(17_900);
    expect(requests).toBeLessThan(18_600);
    expect(metrics.current.peakConcurrency).toBe(100);
    expect(reserved).toBe(100);
    expect(metrics.previous.throttles).toBe(0);
    expect((cold.current.coldStarts / cold.current.invocations) * 100).toBeCloseTo(7.8, 0);
    expect((cold.previous.coldStarts / cold.previous.invocations) * 100).toBeCloseTo(1.2, 0);
  });

  it('profile-api: DynamoDB p95 over a second, from about 18 ms', async () => {
    // Prepare
    const sources = await demoSources(NOW);

    // Act
    const now = await sources.traces.getDownstream({ functionName: 'profile-api', window });
    const before = await sources.traces.getDownstream({ functionName: 'profile-api', window: previous });

    // Assess
    expect(now.services.find((d) => d.name === 'DynamoDB')?.p95Ms).toBeGreaterThan(1200);
    expect(before.services.find((d) => d.name === 'DynamoDB')?.p95Ms).toBeLessThan(20);
  });

  it('orders-worker: 1,240 messages wait in orders-dlq behind the orders queue', async () => {
    // Prepare
    const sources = await demoSources(NOW);

    // Act
    const [source] = await sources.functions.listEventSources({
      functionName: 'orders-worker',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-worker',
      qualifiers: ['live'],
    });
    const redrive = await sources.queues.getRedriveTarget(source?.sourceArn ?? '');
    const depth = await sources.queues.getDepth(redrive?.deadLetterArn ?? '');

    // Assess
    expect(depth).toMatchObject({ name: 'orders-dlq', visible: 1240 });
  });
});
