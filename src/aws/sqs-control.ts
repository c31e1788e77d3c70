import {
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { ErrorCode, GofnError } from '../errors';
import type { CallOptions, MessageAttribute, MessageMoveTask, QueueControlPort, QueueMessage } from '../ports';
import { queueFromArn } from './arn';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';

/** SQS takes at most 10 entries per batch request and returns at most 10 messages per receive. */
export const sqsBatchLimit = 10;
/**
 * SendMessageBatch's limit on the sum of its messages' sizes (body, and each attribute's name,
 * type and value): 256 KiB. SQS now takes messages up to 1 MiB, but this was the batch limit for
 * years and keeps a replay valid wherever it runs; a larger message goes in a request of its own.
 */
export const sqsBatchBytes = 262_144;
/** StartMessageMoveTask accepts 1 to 500 messages per second. */
export const maxMoveRatePerSecond = 500;
/** Long enough to pick up messages that are just becoming visible, short enough to keep a batch loop moving. */
const receiveWaitSeconds = 1;

/**
 * QueueControlPort over SQS: message-move tasks where the API exists, and the receive / send /
 * delete primitives of the batch replay where it does not. Queues are addressed by URLs built from
 * their ARNs, as in SqsQueues.
 */
export class SqsControl implements QueueControlPort {
  constructor(private readonly clients: AwsClients) {}

  async startMessageMoveTask(
    sourceArn: string,
    destinationArn: string,
    maxPerSecond: number,
    opts?: CallOptions,
  ): Promise<string> {
    const subject = `dead-letter queue ${sourceArn}`;
    const rate = Math.min(maxMoveRatePerSecond, Math.max(1, Math.floor(maxPerSecond)));
    const out = await this.call({ service: 'SQS', operation: 'StartMessageMoveTask', subject }, opts, (abortSignal) =>
      this.clients.sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: sourceArn,
          DestinationArn: destinationArn,
          MaxNumberOfMessagesPerSecond: rate,
        }),
        { abortSignal },
      ),
    );
    if (!out.TaskHandle) {
      throw new GofnError(ErrorCode.Upstream, `SQS StartMessageMoveTask for ${subject} returned no task handle.`);
    }
    return out.TaskHandle;
  }

  async listMessageMoveTasks(sourceArn: string, opts?: CallOptions): Promise<MessageMoveTask[]> {
    const out = await this.call(
      { service: 'SQS', operation: 'ListMessageMoveTasks', subject: `dead-letter queue ${sourceArn}` },
      opts,
      (abortSignal) =>
        this.clients.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }), {
          abortSignal,
        }),
    );
    // SQS documents the most recent tasks but not their order; the start time settles it.
    return [...(out.Results ?? [])]
      .sort((a, b) => (b.StartedTimestamp ?? 0) - (a.StartedTimestamp ?? 0))
      .map(toMoveTask);
  }

  async receive(queueArn: string, max: number, visibilitySeconds: number, opts?: CallOptions): Promise<QueueMessage[]> {
    const queue = queueFromArn(queueArn);
    const out = await this.call(
      { service: 'SQS', operation: 'ReceiveMessage', subject: `queue ${queue.arn}` },
      opts,
      (abortSignal) =>
        this.clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: Math.min(sqsBatchLimit, Math.max(1, Math.floor(max))),
            VisibilityTimeout: visibilitySeconds,
            WaitTimeSeconds: receiveWaitSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
          }),
          { abortSignal },
        ),
    );
    return (out.Messages ?? []).flatMap((message) => toQueueMessage(message) ?? []);
  }

  async sendBatch(queueArn: string, messages: QueueMessage[], opts?: CallOptions): Promise<Set<string>> {
    const queue = queueFromArn(queueArn);
    // Only a FIFO queue takes a deduplication ID; its name says whether it is one.
    const fifo = queue.name.endsWith('.fifo');
    const accepted = new Set<string>();
    for (const batch of batchesOf(messages, messageSize, sqsBatchBytes)) {
      const out = await this.call(
        { service: 'SQS', operation: 'SendMessageBatch', subject: `queue ${queue.arn}` },
        opts,
        (abortSignal) =>
          this.clients.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: queue.url,
              Entries: batch.map((message, index) => ({
                Id: entryId(index),
                MessageBody: message.body,
                MessageAttributes: toSqsAttributes(message.attributes),
                MessageGroupId: message.groupId,
                MessageDeduplicationId: fifo ? (message.deduplicationId ?? message.messageId) : undefined,
              })),
            }),
            { abortSignal },
          ),
      );
      for (const index of succeededIndexes(out.Successful, batch.length)) {
        accepted.add((batch[index] as QueueMessage).messageId);
      }
    }
    return accepted;
  }

  async deleteBatch(queueArn: string, receiptHandles: string[], opts?: CallOptions): Promise<Set<string>> {
    const queue = queueFromArn(queueArn);
    const deleted = new Set<string>();
    for (const batch of batchesOf(receiptHandles)) {
      const out = await this.call(
        { service: 'SQS', operation: 'DeleteMessageBatch', subject: `queue ${queue.arn}` },
        opts,
        (abortSignal) =>
          this.clients.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queue.url,
              Entries: batch.map((receiptHandle, index) => ({ Id: entryId(index), ReceiptHandle: receiptHandle })),
            }),
            { abortSignal },
          ),
      );
      for (const index of succeededIndexes(out.Successful, batch.length)) deleted.add(batch[index] as string);
    }
    return deleted;
  }

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}

/**
 * Batch entry ids must match [A-Za-z0-9_-]{1,80}; message ids and receipt handles need not, so
 * each entry is named by its position and the answer is mapped back through it.
 */
function entryId(index: number): string {
  return String(index);
}

/** Positions of the entries SQS reports as done; unknown or repeated ids are ignored. */
function succeededIndexes(successful: { Id?: string | undefined }[] | undefined, size: number): Set<number> {
  const indexes = new Set<number>();
  for (const entry of successful ?? []) {
    const index = Number(entry.Id);
    if (entry.Id === entryId(index) && index >= 0 && index < size) indexes.add(index);
  }
  return indexes;
}

/**
 * Consecutive runs of at most 10 items whose sizes add up to at most `maxBytes` (an item larger
 * than that alone makes a batch of one), in the order given: a FIFO group stays in order.
 */
function batchesOf<T>(items: readonly T[], size: (item: T) => number = () => 0, maxBytes = Infinity): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item);
    if (current.length > 0 && (current.length === sqsBatchLimit || bytes + itemBytes > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** What a message counts against SQS's size limits: the body and every attribute's name, type and value, in bytes. */
export function messageSize(message: Pick<QueueMessage, 'body' | 'attributes'>): number {
  let bytes = Buffer.byteLength(message.body, 'utf8');
  for (const [name, attribute] of Object.entries(message.attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.dataType, 'utf8');
    bytes += attribute.binaryValue
      ? attribute.binaryValue.byteLength
      : Buffer.byteLength(attribute.stringValue ?? '', 'utf8');
  }
  return bytes;
}

function toQueueMessage(message: Message): QueueMessage | undefined {
  if (!message.MessageId || !message.ReceiptHandle) return undefined;
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes: fromSqsAttributes(message.MessageAttributes),
    groupId: message.Attributes?.MessageGroupId || undefined,
    deduplicationId: message.Attributes?.MessageDeduplicationId || undefined,
  };
}

/**
 * Every attribute as SQS gave it: the data type with its custom suffix, and the string or the
 * binary value, untouched, so a replay sends back exactly what it received.
 */
function fromSqsAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (!value.DataType) continue;
    out[name] = {
      dataType: value.DataType,
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
    };
  }
  return out;
}

function toSqsAttributes(
  attributes: Record<string, MessageAttribute>,
): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes).map(([name, attribute]): [string, MessageAttributeValue] => [
    name,
    {
      DataType: attribute.dataType,
      ...(attribute.binaryValue !== undefined
        ? { BinaryValue: attribute.binaryValue }
        : { StringValue: attribute.stringValue }),
    },
  ]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function toMoveTask(entry: ListMessageMoveTasksResultEntry): MessageMoveTask {
  return {
    taskHandle: entry.TaskHandle || undefined,
    status: entry.Status ?? 'UNKNOWN',
    moved: entry.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: entry.ApproximateNumberOfMessagesToMove,
    failureReason: entry.FailureReason || undefined,
  };
}
