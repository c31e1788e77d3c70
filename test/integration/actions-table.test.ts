import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { listAudit } from '../../src/actions/audit';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import type { DynamoRecordStore } from '../../src/aws/dynamo-record-store';
import { createGofnTable, createLambdaRole, createTestFunction } from '../aws/emulator-fixtures';
import { startEmulator, type Emulator } from '../support/moto';

/**
 * The actions as a newcomer runs them after `npm run deploy`: no --table, no GOFN_TABLE. gofn
 * finds its table in the bot stack's TableName output (DescribeStacks, AWS CloudFormation API
 * Reference: Stacks[].Outputs[] of {OutputKey, OutputValue}); without one it says how to name it.
 */
const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'bin', 'gofn.js');

let emulator: Emulator;
let clients: AwsClients;
let store: DynamoRecordStore;

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
  emulator = await startEmulator();
  clients = createAwsClients({ maxAttempts: 1 });
  await createLambdaRole(emulator.endpoint);
  await createTestFunction(clients, 'orders-api', { tags: { 'gofn:managed': 'true' }, versions: 2, alias: 'live' });
  store = await createGofnTable(clients, 'gofn-bot-table');
  // The bot stack as deployed, reduced to what the CLI reads: its TableName output.
  await clients.cloudFormation.send(
    new CreateStackCommand({
      StackName: 'GofnBot',
      TemplateBody: JSON.stringify({
        Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
        Outputs: { TableName: { Value: 'gofn-bot-table' } },
      }),
    }),
  );
});
afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});

describe("the actions find gofn's table in the deployed bot stack", () => {
  it('records the action in the table the stack names, with no --table', async () => {
    // Act
    const result = await gofn('rollback', 'orders-api', '--to', '1', '--yes');

    // Assess
    expect(result.stderr).toContain('Plan: orders-api: alias live v2 → v1');
    expect(result.code).toBe(0);
    const audit = await listAudit(store, 'orders-api');
    expect(audit.map((a) => [a.kind, a.status])).toEqual([['rollback', 'succeeded']]);
  });

  it('says in one sentence how to name a table when the stack is not there', async () => {
    // Act
    const result = await gofn('audit', 'orders-api', '--stack', 'NoSuchStack');

    // Assess
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^gofn: gofn records every action in its DynamoDB table, and its TableName output could not be read from stack NoSuchStack: .*\. Deploy the bot \(npm run deploy\), pass its stack with --stack or GOFN_STACK if it is not GofnBot, or name a table with --table or GOFN_TABLE/,
    );
  });
});
