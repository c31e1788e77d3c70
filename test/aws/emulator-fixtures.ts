import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { AwsClients } from '../../src/aws/clients';
import { DynamoRecordStore } from '../../src/aws/dynamo-record-store';

/** Resources the emulator tests set up that none of gofn's SDK clients can create. */

export const emulatorAccount = '123456789012';
export const emulatorRegion = 'us-east-1';
export const lambdaRoleArn = `arn:aws:iam::${emulatorAccount}:role/gofn-test-lambda`;

/**
 * The execution role CreateFunction insists on. IAM is not among the installed SDK clients; the
 * emulator takes an unsigned query request, and files it under the account of the access key
 * it names (the emulator's default account, or another account's assumed-role key).
 */
export async function createLambdaRole(endpoint: string, accessKeyId = 'testing'): Promise<void> {
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: 'gofn-test-lambda',
    AssumeRolePolicyDocument: trust,
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20240101/${emulatorRegion}/iam/aws4_request, SignedHeaders=host, Signature=x`,
    },
  });
  if (!response.ok) throw new Error(`CreateRole failed: ${response.status} ${await response.text()}`);
}

/** gofn's single table (pk, sk) as the bot stack creates it; the store over it. */
export async function createGofnTable(clients: AwsClients, tableName: string): Promise<DynamoRecordStore> {
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  return new DynamoRecordStore(clients, tableName);
}

/**
 * A function with `versions` published versions (each after a configuration change, as a deploy
 * would) and, when `alias` is given, that alias on the last one. The code is stored, never run.
 */
export async function createTestFunction(
  clients: AwsClients,
  name: string,
  options: {
    tags?: Record<string, string>;
    versions?: number;
    alias?: string;
    /** The execution role; default the emulator's default account's (another account needs its own). */
    role?: string;
  } = {},
): Promise<void> {
  await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'provided.al2023',
      Role: options.role ?? lambdaRoleArn,
      Handler: 'bootstrap',
      Code: { ZipFile: Buffer.from('PK placeholder') },
      Architectures: ['arm64'],
      Tags: options.tags ?? {},
    }),
  );
  for (let v = 1; v <= (options.versions ?? 0); v++) {
    if (v > 1)
      await clients.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, MemorySize: 128 + 64 * v }),
      );
    await clients.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  }
  if (options.alias) {
    await clients.lambda.send(
      new CreateAliasCommand({
        FunctionName: name,
        Name: options.alias,
        FunctionVersion: String(options.versions ?? 1),
      }),
    );
  }
}
