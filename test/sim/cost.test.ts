import { costWindowEndingAt } from '../../src/cost/collect';
import { createSimulatedSources } from '../../src/sim/backend';
import { CallLedger, countCalls } from '../../src/calls';
import { functionText, loadTexts, NOW, scenarioText } from './helpers';

const window = costWindowEndingAt(NOW, 30);

describe('simulated cost inputs', () => {
  it("adds a function's levels up by day, with its log bytes and provisioned share", async () => {
    // Prepare: 100 invocations a minute of mean 0.6×50 + 0.3×100 + 0.1×200 = 80 ms.
    const fleet = await loadTexts([
      scenarioText({
        functions: functionText({
          extra: '    cost: { logBytesPerInvocation: 2000, provisionedConcurrency: { alias: live, count: 1000 } }',
        }),
      }),
    ]);
    const cost = createSimulatedSources(fleet).cost!;

    // Act
    const usage = (await cost.getUsage([{ functionName: 'fn-a', logGroup: '/aws/lambda/fn-a' }], window)).get('fn-a');

    // Assess
    if (!usage?.served) throw new Error('not served');
    expect(usage.usage.days).toHaveLength(30);
    expect(usage.usage.days[3]).toEqual({
      invocations: 144_000,
      durationMs: 144_000 * 80,
      provisionedInvocations: 144_000,
      logBytes: 144_000 * 2000,
    });
    expect(usage.usage.recentInvocations).toBe(36_000);
    expect(usage.usage.durationP99Ms).toBe(200);
  });

  it('reads the peak memory and cold starts of the REPORT lines, and none from JSON logs at WARN', async () => {
    // Prepare
    const fleet = await loadTexts([
      scenarioText({
        functions: [
          functionText({ name: 'text-fn', extra: '    memoryMb: 1024\n    cost: { maxMemoryUsedMb: 212 }' }),
          functionText({ name: 'quiet-fn', extra: '    logging: { format: JSON, systemLogLevel: WARN }' }),
        ].join('\n'),
      }),
    ]);
    const cost = createSimulatedSources(fleet).cost!;
    const memoryWindow = { start: new Date(window.end.getTime() - 7 * 86_400_000), end: window.end };

    // Act
    const answer = await cost.getMemoryUse(
      ['/aws/lambda/text-fn', '/aws/lambda/quiet-fn', '/aws/lambda/gone'],
      memoryWindow,
    );

    // Assess
    expect(answer.byLogGroup.get('/aws/lambda/text-fn')).toMatchObject({
      reports: 1_008_000,
      maxUsedMb: 212,
      memorySizeMb: 1024,
    });
    expect(answer.byLogGroup.get('/aws/lambda/quiet-fn')).toMatchObject({ reports: 0, maxUsedMb: undefined });
    expect(answer.unanswered.get('/aws/lambda/gone')).toBe('log group /aws/lambda/gone does not exist');
  });

  it('traces 5% of an actively traced function by default, what the scenario says otherwise, none untraced', async () => {
    // Prepare
    const fleet = await loadTexts([
      scenarioText({
        functions: [
          functionText({ name: 'default-fn' }),
          functionText({ name: 'full-fn', extra: "    cost: { traced: '100%' }" }),
          functionText({ name: 'untraced-fn', extra: '    tracing: PassThrough' }),
        ].join('\n'),
      }),
    ]);
    const cost = createSimulatedSources(fleet).cost!;
    const recent = { start: new Date(window.end.getTime() - 6 * 3_600_000), end: window.end };

    // Act
    const traced = await cost.getTracedRequests(recent);

    // Assess
    expect(Object.fromEntries(traced.byFunction)).toEqual({ 'default-fn': 1800, 'full-fn': 36_000 });
  });

  it('answers Compute Optimizer and Cost Explorer as the account is set, counting each request once', async () => {
    // Prepare
    const fleet = await loadTexts([
      scenarioText({
        header: "computeOptimizer: opted-in\ncostExplorer: { access: enabled, billedDifference: '+10%' }",
        functions: functionText({
          extra: '    cost: { computeOptimizer: { finding: NotOptimized, memoryMb: 256 } }',
        }).replace('gofn:managed: "true" }', 'gofn:managed: "true", service: orders }'),
      }),
    ]);
    const cost = createSimulatedSources(fleet).cost!;
    const ledger = new CallLedger();

    // Act
    const [recommendations, billed] = await countCalls(ledger, () =>
      Promise.all([cost.getMemoryRecommendations(), cost.getBilledCost(window, 'service', 'us-east-1')]),
    );

    // Assess
    if (!recommendations.available || !billed.available) throw new Error('expected both');
    expect(recommendations.byFunction.get('fn-a')).toMatchObject({ finding: 'NotOptimized', recommendedMemoryMb: 256 });
    expect(billed.rows.filter((r) => r.tagValue === 'orders').map((r) => r.service)).toEqual([
      'AWS Lambda',
      'AmazonCloudWatch',
      'AWS X-Ray',
    ]);
    expect(ledger.snapshot()).toEqual({
      'ComputeOptimizer:GetLambdaFunctionRecommendations': 1,
      'CostExplorer:GetCostAndUsage': 1,
    });
  });
});

describe('scenario cost blocks', () => {
  it.each([
    [
      functionText({ extra: '    cost: { provisionedConcurrency: { alias: staging, count: 5 } }' }),
      /functions\[0\]\.cost\.provisionedConcurrency\.alias: expected an alias of the function \(live\), got staging/,
    ],
    [
      functionText({ extra: '    memoryMb: 256\n    cost: { maxMemoryUsedMb: 300 }' }),
      /functions\[0\]\.cost\.maxMemoryUsedMb: expected at most memoryMb \(256\), got 300/,
    ],
    [functionText({ extra: "    cost: { traced: 'lots' }" }), /expected a percentage like "5%"/],
  ])('refuses a mistake with where it is and what was expected (%#)', async (functions, message) => {
    await expect(loadTexts([scenarioText({ functions })])).rejects.toThrow(message);
  });

  it("refuses files that disagree on the account's Cost Explorer", async () => {
    // Act
    const loading = loadTexts([
      scenarioText({ name: 'a', header: 'costExplorer: denied', functions: functionText({ name: 'fn-a' }) }),
      scenarioText({ name: 'b', header: 'costExplorer: not-enabled', functions: functionText({ name: 'fn-b' }) }),
    ]);

    // Assess
    await expect(loading).rejects.toThrow(/disagree on costExplorer: denied and not-enabled/);
  });
});
