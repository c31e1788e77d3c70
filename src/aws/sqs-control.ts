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
import type { CallOptions, MessageMoveTask, QueueControlPort, QueueMessage } from '../ports';
import { queueFromArn } from './arn';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';

/** SQS takes at most 10 entries per batch request and returns at most 10 messages per receive. */
export const sqsBatchLimit = 10;
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
          }),
          { abortSignal },
        ),
    );
    return (out.Messages ?? []).flatMap((message) => toQueueMessage(message) ?? []);
  }

  async sendBatch(queueArn: string, messages: QueueMessage[], opts?: CallOptions): Promise<Set<string>> {
    const queue = queueFromArn(queueArn);
    const accepted = new Set<string>();
    for (const batch of batchesOf(messages)) {
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

function batchesOf<T>(items: readonly T[]): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += sqsBatchLimit) batches.push(items.slice(i, i + sqsBatchLimit));
  return batches;
}

function toQueueMessage(message: Message): QueueMessage | undefined {
  if (!message.MessageId || !message.ReceiptHandle) return undefined;
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes: fromSqsAttributes(message.MessageAttributes),
  };
}

/**
 * The attributes a replay can carry in QueueMessage's string map: String and Number (whose value
 * SQS sends as text), custom subtypes included. Binary attributes have no text form and are left out.
 */
function fromSqsAttributes(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value.StringValue !== undefined && /^(String|Number)(\.|$)/.test(value.DataType ?? '')) {
      out[name] = value.StringValue;
    }
  }
  return out;
}

function toSqsAttributes(attributes: Record<string, string>): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes)
    // SQS rejects the whole entry for an attribute with an empty value.
    .filter(([, value]) => value !== '')
    .map(([name, value]): [string, MessageAttributeValue] => [name, { DataType: 'String', StringValue: value }]);
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
