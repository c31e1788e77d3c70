import {
  ComputeOptimizerClient,
  GetLambdaFunctionRecommendationsCommand,
  type GetLambdaFunctionRecommendationsCommandInput,
} from '@aws-sdk/client-compute-optimizer';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
} from '@aws-sdk/client-cost-explorer';
import { LambdaClient, ListFunctionsCommand, ListProvisionedConcurrencyConfigsCommand } from '@aws-sdk/client-lambda';
import { GetServiceGraphCommand, XRayClient } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { costExplorerRegion } from '../../src/aws/clients';
import { AwsCost } from '../../src/aws/cost';
import { costWindowEndingAt } from '../../src/cost/collect';
import type { FunctionCostConfig } from '../../src/ports';
import {
  billedByService,
  costExplorerDenied,
  costExplorerNotEnabled,
  listFunctionsPage,
  notOptedIn,
  provisionedOnLive,
  recommendations,
  tracedGraph,
} from '../fixtures/aws/cost-apis';
import { mockedClients } from './helpers';

const lambda = mockClient(LambdaClient);
const xray = mockClient(XRayClient);
const optimizer = mockClient(ComputeOptimizerClient);
const costExplorer = mockClient(CostExplorerClient);

const window = costWindowEndingAt(new Date('2024-05-01T15:00:00Z'), 30);

beforeEach(() => {
  lambda.reset();
  xray.reset();
  optimizer.reset();
  costExplorer.reset();
});

describe('AwsCost configurations', () => {
  it('lists every function 50 a page with what its cost depends on', async () => {
    // Prepare
    lambda
      .on(ListFunctionsCommand, { Marker: undefined })
      .resolves(listFunctionsPage(['orders-api', 'orders-worker'], 'page-2'))
      .on(ListFunctionsCommand, { Marker: 'page-2' })
      .resolves(listFunctionsPage(['billing-events']));

    // Act
    const pages: FunctionCostConfig[][] = [];
    for await (const page of new AwsCost(mockedClients()).functionConfigPages()) pages.push(page);

    // Assess
    expect(pages.map((p) => p.map((c) => c.name))).toEqual([['orders-api', 'orders-worker'], ['billing-events']]);
    expect(pages[0]![0]).toEqual({
      name: 'orders-api',
      arn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api',
      architecture: 'arm64',
      memoryMb: 1024,
      timeoutSeconds: 10,
      logGroup: '/aws/lambda/orders-api',
      tracingMode: 'Active',
    });
    expect(pages[0]![1]?.architecture).toBe('x86_64');
    expect(lambda).toHaveReceivedCommandWith(ListFunctionsCommand, { MaxItems: 50 });
  });

  it('reads the provisioned concurrency of each alias with its allocation and since when', async () => {
    // Prepare
    lambda.on(ListProvisionedConcurrencyConfigsCommand).resolves(provisionedOnLive);

    // Act
    const configs = await new AwsCost(mockedClients()).getProvisionedConcurrency('checkout-api');

    // Assess
    expect(configs).toEqual([
      { qualifier: 'live', allocated: 50, requested: 50, since: new Date('2024-04-10T08:00:00Z') },
    ]);
  });
});

describe('AwsCost traced requests', () => {
  it("counts each function's traced requests from one service graph of the region", async () => {
    // Prepare
    xray
      .on(GetServiceGraphCommand, { NextToken: undefined })
      .resolves(tracedGraph({ 'orders-api': 5400 }, 'p2'))
      .on(GetServiceGraphCommand, { NextToken: 'p2' })
      .resolves(tracedGraph({ 'orders-worker': 120 }));
    const recent = { start: new Date(window.end.getTime() - 6 * 3_600_000), end: window.end };

    // Act
    const traced = await new AwsCost(mockedClients()).getTracedRequests(recent);

    // Assess
    expect(Object.fromEntries(traced.byFunction)).toEqual({ 'orders-api': 5400, 'orders-worker': 120 });
    expect(xray).toHaveReceivedCommandTimes(GetServiceGraphCommand, 2);
    expect(xray).toHaveReceivedCommandWith(GetServiceGraphCommand, { StartTime: recent.start, EndTime: recent.end });
  });
});

describe('AwsCost Compute Optimizer', () => {
  it('takes the first-ranked option and asks for functions it could not judge too', async () => {
    // Prepare
    optimizer.on(GetLambdaFunctionRecommendationsCommand).resolves(recommendations);

    // Act
    const answer = await new AwsCost(mockedClients()).getMemoryRecommendations();

    // Assess
    if (!answer.available) throw new Error(answer.reason);
    expect(answer.byFunction.get('orders-api')).toEqual({
      finding: 'NotOptimized',
      reasons: ['MemoryOverprovisioned'],
      currentMemoryMb: 1024,
      recommendedMemoryMb: 768,
      monthlySavings: { amount: 9.85, currency: 'USD' },
      projectedDurationMs: 640,
      lookbackDays: 14,
      invocations: 1_812_000,
    });
    expect(answer.byFunction.get('reports-worker')).toMatchObject({
      finding: 'Unavailable',
      reasons: ['InsufficientData'],
      recommendedMemoryMb: undefined,
    });
    const input = optimizer.commandCalls(GetLambdaFunctionRecommendationsCommand)[0]!.args[0]
      .input as GetLambdaFunctionRecommendationsCommandInput;
    expect(input.filters).toEqual([{ name: 'Finding', values: ['Optimized', 'NotOptimized', 'Unavailable'] }]);
  });

  it('says the account is not opted in instead of failing', async () => {
    // Prepare
    optimizer.on(GetLambdaFunctionRecommendationsCommand).rejects(notOptedIn());

    // Act
    const answer = await new AwsCost(mockedClients()).getMemoryRecommendations();

    // Assess
    expect(answer).toEqual({ available: false, reason: 'this account is not opted in to AWS Compute Optimizer' });
  });
});

describe('AwsCost Cost Explorer', () => {
  it("asks once for the region's Lambda, CloudWatch and X-Ray cost by tag and service, over whole days", async () => {
    // Prepare
    costExplorer.on(GetCostAndUsageCommand).resolves(billedByService);

    // Act
    const answer = await new AwsCost(mockedClients()).getBilledCost(window, 'service', 'eu-west-1');

    // Assess
    if (!answer.available) throw new Error(answer.reason);
    expect(answer.rows).toEqual([
      { tagValue: 'orders', service: 'AWS Lambda', amount: 40.1234 },
      { tagValue: 'orders', service: 'AmazonCloudWatch', amount: 50.5 },
      { tagValue: '', service: 'AWS Lambda', amount: 3.2 },
      { tagValue: 'orders', service: 'AWS X-Ray', amount: 0.9 },
    ]);
    expect(answer.estimated).toBe(true);
    const input = costExplorer.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input as GetCostAndUsageCommandInput;
    expect(input).toMatchObject({
      TimePeriod: { Start: '2024-04-01', End: '2024-05-01' },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
      GroupBy: [
        { Type: 'TAG', Key: 'service' },
        { Type: 'DIMENSION', Key: 'SERVICE' },
      ],
    });
    expect(JSON.stringify(input.Filter)).toContain('"REGION","Values":["eu-west-1"]');
  });

  it('says Cost Explorer is not enabled, or not allowed, instead of failing', async () => {
    // Prepare
    const cost = new AwsCost(mockedClients());
    costExplorer.on(GetCostAndUsageCommand).rejectsOnce(costExplorerNotEnabled()).rejectsOnce(costExplorerDenied());

    // Act
    const first = await cost.getBilledCost(window, 'service', 'eu-west-1');
    const second = await cost.getBilledCost(window, 'service', 'eu-west-1');

    // Assess
    expect(first).toEqual({ available: false, reason: 'Cost Explorer is not enabled for this account' });
    expect(second).toEqual({ available: false, reason: 'not allowed to read Cost Explorer (ce:GetCostAndUsage)' });
  });

  it("goes to the partition's billing endpoint whatever region the usage is in", async () => {
    // Act
    const region = await mockedClients().costExplorer.config.region();

    // Assess
    expect(region).toBe('us-east-1');
    expect(costExplorerRegion('cn-north-1')).toBe('cn-northwest-1');
    expect(costExplorerRegion('eu-west-1')).toBe('us-east-1');
  });
});
