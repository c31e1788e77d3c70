import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { ErrorCode, GofnError } from '../errors';
import type { CallOptions, RecordStore, StoredRecord } from '../ports';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { awsErrorName } from './errors';

type Item = Record<string, NativeAttributeValue>;

/** Query pages read at most while expired records keep a page short of the limit. */
const maxQueryPages = 5;

/**
 * RecordStore over one DynamoDB table: string keys `pk` and `sk`, a numeric `version`, the
 * `data` map, and `expiresAt` in epoch seconds as the table's TTL attribute.
 *
 * DynamoDB deletes expired items only eventually (often hours later), so every read and every
 * condition treats a record whose `expiresAt` has passed as absent: a lease or claim that ran out
 * can be created again even while its item still exists.
 */
export class DynamoRecordStore implements RecordStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly clients: AwsClients,
    private readonly tableName: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    // The document client shares the DynamoDB client's middleware stack, so its requests are
    // counted and time-limited like every other client's.
    this.documents = DynamoDBDocumentClient.from(clients.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async get(pk: string, sk: string, opts?: CallOptions): Promise<StoredRecord | undefined> {
    const out = await this.call('GetItem', `record ${pk}/${sk}`, opts, (abortSignal) =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }), {
        abortSignal,
      }),
    );
    if (!out.Item) return undefined;
    const record = this.toRecord(out.Item);
    return this.isLive(record) ? record : undefined;
  }

  async create(record: Omit<StoredRecord, 'version'>, opts?: CallOptions): Promise<boolean> {
    const item: Item = { pk: record.pk, sk: record.sk, version: 1, data: record.data, expiresAt: record.expiresAt };
    return this.unlessConditionFails(
      this.call('PutItem', `record ${record.pk}/${record.sk}`, opts, (abortSignal) =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
            ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: { ':now': this.nowSeconds() },
          }),
          { abortSignal },
        ),
      ),
    );
  }

  async updateIf(
    pk: string,
    sk: string,
    expectedVersion: number,
    data: Record<string, unknown>,
    expiresAt?: number,
    opts?: CallOptions,
  ): Promise<boolean> {
    const setExpiry = expiresAt !== undefined;
    return this.unlessConditionFails(
      this.call('UpdateItem', `record ${pk}/${sk}`, opts, (abortSignal) =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk, sk },
            UpdateExpression: `SET #data = :data, #version = #version + :one${setExpiry ? ', #expiresAt = :expiresAt' : ''}`,
            // Without the version check UpdateItem would also create a missing item.
            ConditionExpression: '#version = :expected AND (attribute_not_exists(#expiresAt) OR #expiresAt >= :now)',
            ExpressionAttributeNames: { '#data': 'data', '#version': 'version', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: {
              ':data': data,
              ':one': 1,
              ':expected': expectedVersion,
              ':now': this.nowSeconds(),
              ...(setExpiry ? { ':expiresAt': expiresAt } : {}),
            },
          }),
          { abortSignal },
        ),
      ),
    );
  }

  async query(
    pk: string,
    options: { limit?: number; ascending?: boolean; skPrefix?: string } = {},
    opts?: CallOptions,
  ): Promise<StoredRecord[]> {
    const limit = options.limit;
    if (limit !== undefined && limit < 1) return [];
    const prefix = options.skPrefix;
    const records: StoredRecord[] = [];
    let startKey: Item | undefined;
    for (let page = 0; page < maxQueryPages; page++) {
      const out = await this.call('Query', `records ${pk}${prefix ? `/${prefix}*` : ''}`, opts, (abortSignal) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
            ExpressionAttributeNames: prefix ? { '#pk': 'pk', '#sk': 'sk' } : { '#pk': 'pk' },
            ExpressionAttributeValues: prefix ? { ':pk': pk, ':prefix': prefix } : { ':pk': pk },
            ScanIndexForward: options.ascending ?? false,
            Limit: limit === undefined ? undefined : limit - records.length,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
          { abortSignal },
        ),
      );
      for (const item of out.Items ?? []) {
        const record = this.toRecord(item);
        if (this.isLive(record)) records.push(record);
      }
      startKey = out.LastEvaluatedKey;
      // Limit counts expired items too: read on only when they left this page short.
      if (!startKey || (limit !== undefined && records.length >= limit)) break;
    }
    return limit === undefined ? records : records.slice(0, limit);
  }

  /** Same boundary as DynamoDB's TTL and the conditions above: expired once `expiresAt` < now. */
  private isLive(record: StoredRecord): boolean {
    return record.expiresAt === undefined || record.expiresAt >= this.nowSeconds();
  }

  private toRecord(item: Item): StoredRecord {
    const { pk, sk, version, data, expiresAt } = item;
    const isMap = typeof data === 'object' && data !== null && !Array.isArray(data);
    if (typeof pk !== 'string' || typeof sk !== 'string' || typeof version !== 'number' || !isMap) {
      throw new GofnError(
        ErrorCode.Upstream,
        `The item ${String(pk)}/${String(sk)} in table ${this.tableName} is not a gofn record (pk, sk, version, data).`,
      );
    }
    const record: StoredRecord = { pk, sk, version, data: data as Record<string, unknown> };
    if (typeof expiresAt === 'number') record.expiresAt = expiresAt;
    return record;
  }

  /** Resolves true when the write went through, false when its condition did not hold. */
  private async unlessConditionFails(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private call<T>(
    operation: string,
    subject: string,
    opts: CallOptions | undefined,
    send: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const call: AwsCall = { service: 'DynamoDB', operation, subject: `${subject} in table ${this.tableName}` };
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}
