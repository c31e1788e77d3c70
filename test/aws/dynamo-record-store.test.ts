import { ConditionalCheckFailedException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoRecordStore } from '../../src/aws/dynamo-record-store';
import { ErrorCode, type GofnError } from '../../src/errors';
import { mockedClients, rejectionOf } from './helpers';

const documents = mockClient(DynamoDBDocumentClient);

const table = 'gofn-state';
const now = 1_714_560_000;
const store = () => new DynamoRecordStore(mockedClients(), table, () => now);
const conditionFailed = () =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
  });

describe('DynamoRecordStore', () => {
  beforeEach(() => documents.reset());

  describe('create', () => {
    it('puts version 1 unless a live record has the key', async () => {
      // Prepare
      documents.on(PutCommand).resolves({});

      // Act
      const created = await store().create({
        pk: 'claim#a',
        sk: 'claim',
        expiresAt: now + 60,
        data: { state: 'running' },
      });

      // Assess
      expect(created).toBe(true);
      expect(documents).toHaveReceivedCommandWith(PutCommand, {
        TableName: table,
        Item: { pk: 'claim#a', sk: 'claim', version: 1, data: { state: 'running' }, expiresAt: now + 60 },
        ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
        ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':now': now },
      });
    });

    it('resolves false when the condition fails', async () => {
      // Prepare
      documents.on(PutCommand).rejects(conditionFailed());

      // Act
      const created = await store().create({ pk: 'claim#a', sk: 'claim', data: {} });

      // Assess
      expect(created).toBe(false);
    });

    it('rejects other failures with their own code, naming the table', async () => {
      // Prepare
      documents
        .on(PutCommand)
        .rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));

      // Act
      const error = await rejectionOf(store().create({ pk: 'claim#a', sk: 'claim', data: {} }));

      // Assess
      expect((error as GofnError).code).toBe(ErrorCode.NotFound);
      expect((error as GofnError).message).toMatch(
        /^DynamoDB PutItem found nothing for record claim#a\/claim in table gofn-state/,
      );
    });
  });

  describe('updateIf', () => {
    it('replaces data and expiry and increments the version only at the expected version of a live record', async () => {
      // Prepare
      documents.on(UpdateCommand).resolves({});

      // Act
      const updated = await store().updateIf('claim#a', 'claim', 3, { state: 'done' }, now + 600);

      // Assess
      expect(updated).toBe(true);
      expect(documents).toHaveReceivedCommandWith(UpdateCommand, {
        TableName: table,
        Key: { pk: 'claim#a', sk: 'claim' },
        UpdateExpression: 'SET #data = :data, #version = #version + :one, #expiresAt = :expiresAt',
        ConditionExpression: '#version = :expected AND (attribute_not_exists(#expiresAt) OR #expiresAt >= :now)',
        ExpressionAttributeNames: { '#data': 'data', '#version': 'version', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':data': { state: 'done' },
          ':one': 1,
          ':expected': 3,
          ':now': now,
          ':expiresAt': now + 600,
        },
      });
    });

    it('leaves the expiry alone when none is given', async () => {
      // Prepare
      documents.on(UpdateCommand).resolves({});

      // Act
      await store().updateIf('claim#a', 'claim', 3, { state: 'done' });

      // Assess
      const input = documents.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe('SET #data = :data, #version = #version + :one');
      expect(input?.ExpressionAttributeValues).not.toHaveProperty(':expiresAt');
    });

    it('resolves false when someone else updated first', async () => {
      // Prepare
      documents.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const updated = await store().updateIf('claim#a', 'claim', 3, {});

      // Assess
      expect(updated).toBe(false);
    });
  });

  describe('get', () => {
    it('reads the record with a consistent read', async () => {
      // Prepare
      documents.on(GetCommand).resolves({ Item: { pk: 'p', sk: 's', version: 2, data: { a: 1 }, expiresAt: now } });

      // Act
      const record = await store().get('p', 's');

      // Assess
      expect(documents).toHaveReceivedCommandWith(GetCommand, {
        TableName: table,
        Key: { pk: 'p', sk: 's' },
        ConsistentRead: true,
      });
      expect(record).toEqual({ pk: 'p', sk: 's', version: 2, data: { a: 1 }, expiresAt: now });
    });

    it('treats a record past its expiry, which TTL has not deleted yet, as absent', async () => {
      // Prepare
      documents.on(GetCommand).resolves({ Item: { pk: 'p', sk: 's', version: 2, data: {}, expiresAt: now - 1 } });

      // Act
      const record = await store().get('p', 's');

      // Assess
      expect(record).toBeUndefined();
    });

    it('rejects an item that is not a gofn record as Upstream', async () => {
      // Prepare
      documents.on(GetCommand).resolves({ Item: { pk: 'p', sk: 's', data: 'text' } });

      // Act
      const error = await rejectionOf(store().get('p', 's'));

      // Assess
      expect((error as GofnError).code).toBe(ErrorCode.Upstream);
      expect((error as GofnError).message).toBe(
        'The item p/s in table gofn-state is not a gofn record (pk, sk, version, data).',
      );
    });
  });

  describe('query', () => {
    const item = (sk: string, expiresAt?: number) => ({
      pk: 'audit#orders-api',
      sk,
      version: 1,
      data: { sk },
      expiresAt,
    });

    it('reads a partition newest first by default, with a prefix and a limit', async () => {
      // Prepare
      documents.on(QueryCommand).resolves({ Items: [item('2024-05-02'), item('2024-05-01')] });

      // Act
      const records = await store().query('audit#orders-api', { limit: 2, skPrefix: '2024-05' });

      // Assess
      expect(documents).toHaveReceivedCommandWith(QueryCommand, {
        TableName: table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': 'audit#orders-api', ':prefix': '2024-05' },
        ScanIndexForward: false,
        Limit: 2,
        ConsistentRead: true,
      });
      expect(records.map((r) => r.sk)).toEqual(['2024-05-02', '2024-05-01']);
    });

    it('reads oldest first when ascending, without a prefix', async () => {
      // Prepare
      documents.on(QueryCommand).resolves({ Items: [item('a'), item('b')] });

      // Act
      await store().query('audit#orders-api', { ascending: true });

      // Assess
      const input = documents.commandCalls(QueryCommand)[0]?.args[0].input;
      expect(input).toMatchObject({ KeyConditionExpression: '#pk = :pk', ScanIndexForward: true, Limit: undefined });
    });

    it('leaves out expired records and reads on when they left the page short of the limit', async () => {
      // Prepare
      documents
        .on(QueryCommand, { ExclusiveStartKey: undefined })
        .resolves({ Items: [item('c'), item('b', now - 5)], LastEvaluatedKey: { pk: 'audit#orders-api', sk: 'b' } })
        .on(QueryCommand, { ExclusiveStartKey: { pk: 'audit#orders-api', sk: 'b' } })
        .resolves({ Items: [item('a')], LastEvaluatedKey: { pk: 'audit#orders-api', sk: 'a' } });

      // Act
      const records = await store().query('audit#orders-api', { limit: 2 });

      // Assess
      expect(records.map((r) => r.sk)).toEqual(['c', 'a']);
      expect(documents).toHaveReceivedCommandTimes(QueryCommand, 2);
      expect(documents.commandCalls(QueryCommand)[1]?.args[0].input.Limit).toBe(1);
    });
  });
});
