import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import type { Report } from '../../src/runbook/report';
import { createLambdaRole, createTestFunction, emulatorAccount, emulatorRegion } from '../aws/emulator-fixtures';
import { startEmulator, type Emulator } from '../support/moto';

/**
 * `gofn status --json` as a new user runs it: the built CLI in a child process, pointed at the
 * AWS emulator only through the standard SDK environment. What the emulator cannot serve must
 * come back `unknown` with a reason, and the rest must still be found.
 */
const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'bin', 'gofn.js');
const minute = 60_000;
const now = Math.floor(Date.now() / minute) * minute;
const minutesAgo = (m: number) => new Date(now - m * minute + 10_000);
const arn = (resource: string) => `arn:aws:sqs:${emulatorRegion}:${emulatorAccount}:${resource}`;

let emulator: Emulator;
let clients: AwsClients;

function datum(metric: string, dimensions: Record<string, string>, at: Date, value: number): MetricDatum {
  return {
    MetricName: metric,
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    Timestamp: at,
    Value: value,
    Unit: 'Count',
  };
}

async function gofn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...emulator.env, NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

beforeAll(async () => {
  if (!existsSync(path.resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js'))) {
    throw new Error('the CLI is not built; run `npm run build` (npm test does it)');
  }
  emulator = await startEmulator();
  clients = createAwsClients({ maxAttempts: 1 });
  await createLambdaRole(emulator.endpoint);

  const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
  await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: 'orders',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('orders-dlq'), maxReceiveCount: 5 }) },
    }),
  );
  for (let i = 0; i < 7; i++)
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: dlq.QueueUrl, MessageBody: `{"order":${i}}` }));

  await createTestFunction(clients, 'orders-api', { tags: { 'gofn:managed': 'true' }, versions: 2, alias: 'live' });
  await clients.lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: 'orders-api', EventSourceArn: arn('orders') }),
  );

  // Lambda publishes each metric per function and per alias; the fleet reads the first, a diagnosis the second.
  const alias = { FunctionName: 'orders-api', Resource: 'orders-api:live' };
  const fn = { FunctionName: 'orders-api' };
  await clients.cloudWatch.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/Lambda',
      MetricData: [
        // previous hour: quiet and clean
        ...[100, 80].map((m) => datum('Invocations', alias, minutesAgo(m), 500)),
        // this hour: 2,000 invocations, 60 errors (3%), 300 throttles (13%)
        ...[40, 25, 10, 3].map((m) => datum('Invocations', alias, minutesAgo(m), 500)),
        datum('Errors', alias, minutesAgo(10), 60),
        datum('Throttles', alias, minutesAgo(3), 300),
        datum('ConcurrentExecutions', fn, minutesAgo(3), 100),
        datum('Invocations', fn, minutesAgo(3), 2000),
        datum('Throttles', fn, minutesAgo(3), 300),
      ],
    }),
  );
});

afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});

describe('gofn status --json against the AWS emulator', () => {
  let result: { code: number; stdout: string; stderr: string };
  let report: Report;

  beforeAll(async () => {
    result = await gofn('status', 'orders-api', '--json', '--deadline', '30s');
    report = JSON.parse(result.stdout) as Report;
  });

  const step = (id: string) => report.steps.find((s) => s.id === id)!;

  it('finds the throttles and names them the primary cause, exit 2', () => {
    expect(result.code).toBe(2);
    expect(report).toMatchObject({
      function: 'orders-api',
      region: 'us-east-1',
      alias: 'live',
      version: '2',
      status: 'critical',
      primaryCause: 'throttles',
    });
    expect(step('throttles')).toMatchObject({
      status: 'critical',
      evidence: expect.objectContaining({ throttles: 300, invocations: 2000, peakConcurrency: 100 }),
    });
  });

  it('counts the errors from metrics', () => {
    expect(step('error-traces')).toMatchObject({
      status: 'warn',
      evidence: expect.objectContaining({ errors: 60, invocations: 2000, errorPercent: 3 }),
    });
  });

  it('sees the version change that just went live', () => {
    expect(step('recent-deploy').status).toMatch(/^(warn|critical)$/);
    expect(step('recent-deploy').summary).toMatch(/^v2 went live (just now|\d+ min ago)/);
  });

  it('reads the DLQ depth through the event source redrive policy', () => {
    expect(step('dlq')).toMatchObject({ status: 'warn', summary: '7 messages in orders-dlq' });
    expect(step('dlq').actions.map((a) => a.command)).toEqual(['gofn replay-dlq orders-api']);
  });

  it('marks what the emulator cannot serve as unknown, with the reason', () => {
    expect(step('cold-starts').status).toBe('unknown');
    expect(step('cold-starts').reason).toMatch(/Logs Insights|not supported|Unsupported|StartQuery|GetQueryResults/i);
    expect(step('downstream-latency').status).toBe('unknown');
    expect(step('downstream-latency').reason).toMatch(/X-Ray|GetServiceGraph/);
  });

  it('made one GetMetricData request and reports its requests per operation', () => {
    expect(report.awsCalls['CloudWatch:GetMetricData']).toBe(1);
    expect(report.awsCalls['Lambda:GetFunction']).toBe(1);
  });

  it('says which function is missing, with a suggestion, exit 3', async () => {
    const missing = await gofn('status', 'ordrs-api');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe('gofn: no function "ordrs-api" in us-east-1. Did you mean orders-api?\n');
  });

  it('lists the managed fleet through the tagging API', async () => {
    const fleet = await gofn('status', '--json');
    const parsed = JSON.parse(fleet.stdout) as { functions: { function: string; throttles: number }[] };
    expect(parsed.functions).toEqual([expect.objectContaining({ function: 'orders-api', throttles: 300 })]);
  });
});
