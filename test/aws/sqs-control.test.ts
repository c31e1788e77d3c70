import {
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SqsControl } from '../../src/aws/sqs-control';
import { ErrorCode, type GofnError } from '../../src/errors';
import type { QueueMessage } from '../../src/ports';
import { mockedClients, rejectionOf } from './helpers';

const sqs = mockClient(SQSClient);

const dlqArn = 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq';
const dlqUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq';
const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:orders-queue';
const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-queue';

/** Message ids as SQS makes them are UUIDs, which batch entry ids could take; ours test the mapping. */
const message = (n: number, attributes: Record<string, string> = {}): QueueMessage => ({
  messageId: `id:${n}/with spaces`,
  receiptHandle: `receipt+${n}==`,
  body: `{"order":${n}}`,
  attributes,
});

describe('SqsControl', () => {
  beforeEach(() => sqs.reset());

  describe('message-move tasks', () => {
    it('starts a task from the DLQ to the destination at a rate SQS accepts', async () => {
      // Prepare
      sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
      const control = new SqsControl(mockedClients());

      // Act
      const handle = await control.startMessageMoveTask(dlqArn, queueArn, 2_000);

      // Assess
      expect(handle).toBe('task-1');
      expect(sqs).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, {
        SourceArn: dlqArn,
        DestinationArn: queueArn,
        MaxNumberOfMessagesPerSecond: 500,
      });
    });

    it('lists the tasks newest first with their progress', async () => {
      // Prepare: shaped like the SQS API reference's ListMessageMoveTasks example.
      sqs.on(ListMessageMoveTasksCommand).resolves({
        Results: [
          {
            Status: 'COMPLETED',
            SourceArn: dlqArn,
            DestinationArn: queueArn,
            ApproximateNumberOfMessagesMoved: 40,
            ApproximateNumberOfMessagesToMove: 40,
            StartedTimestamp: 1_714_557_600_000,
          },
          {
            TaskHandle: 'task-2',
            Status: 'RUNNING',
            SourceArn: dlqArn,
            DestinationArn: queueArn,
            MaxNumberOfMessagesPerSecond: 50,
            ApproximateNumberOfMessagesMoved: 120,
            ApproximateNumberOfMessagesToMove: 300,
            StartedTimestamp: 1_714_561_200_000,
          },
          {
            Status: 'FAILED',
            SourceArn: dlqArn,
            ApproximateNumberOfMessagesMoved: 3,
            FailureReason: 'AWS.SimpleQueueService.NonExistentQueue',
            StartedTimestamp: 1_714_554_000_000,
          },
        ],
      });
      const control = new SqsControl(mockedClients());

      // Act
      const tasks = await control.listMessageMoveTasks(dlqArn);

      // Assess
      expect(sqs).toHaveReceivedCommandWith(ListMessageMoveTasksCommand, { SourceArn: dlqArn, MaxResults: 10 });
      expect(tasks).toEqual([
        { taskHandle: 'task-2', status: 'RUNNING', moved: 120, toMove: 300, failureReason: undefined },
        { taskHandle: undefined, status: 'COMPLETED', moved: 40, toMove: 40, failureReason: undefined },
        {
          taskHandle: undefined,
          status: 'FAILED',
          moved: 3,
          toMove: undefined,
          failureReason: 'AWS.SimpleQueueService.NonExistentQueue',
        },
      ]);
    });

    it('reports an endpoint without the API (an HTML 500, as the emulator answers) as Unsupported', async () => {
      // Prepare: what the SDK throws when the body is an HTML error page.
      const htmlPage = Object.assign(new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`), {
        $metadata: { httpStatusCode: 500 },
      });
      htmlPage.message +=
        '\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response';
      sqs.on(StartMessageMoveTaskCommand).rejects(htmlPage);
      const control = new SqsControl(mockedClients());

      // Act
      const error = await rejectionOf(control.startMessageMoveTask(dlqArn, queueArn, 50));

      // Assess
      expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
      expect((error as GofnError).message).toBe(
        `SQS StartMessageMoveTask for dead-letter queue ${dlqArn} is not supported by this AWS endpoint (HTTP 500 with a body that is not an AWS response).`,
      );
    });
  });

  it('receives up to 10 messages with their text attributes, hidden for the visibility timeout', async () => {
    // Prepare
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        {
          MessageId: 'm-1',
          ReceiptHandle: 'r-1',
          Body: 'one',
          MessageAttributes: {
            tenant: { DataType: 'String', StringValue: 'acme' },
            attempt: { DataType: 'Number', StringValue: '3' },
            trace: { DataType: 'String.traceparent', StringValue: '00-abc-01' },
            blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
          },
        },
        { MessageId: 'm-2', ReceiptHandle: 'r-2', Body: 'two' },
        { Body: 'no id or receipt: cannot be deleted, so not handed out' },
      ],
    });
    const control = new SqsControl(mockedClients());

    // Act
    const messages = await control.receive(dlqArn, 25, 60);

    // Assess
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 60,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    });
    expect(messages).toEqual([
      {
        messageId: 'm-1',
        receiptHandle: 'r-1',
        body: 'one',
        attributes: { tenant: 'acme', attempt: '3', trace: '00-abc-01' },
      },
      { messageId: 'm-2', receiptHandle: 'r-2', body: 'two', attributes: {} },
    ]);
  });

  it('sends a batch with entry ids SQS accepts and returns the message ids that went through', async () => {
    // Prepare: the second entry fails, as a batch entry can on its own.
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [
        { Id: '0', MessageId: 'new-0', MD5OfMessageBody: 'x' },
        { Id: '2', MessageId: 'new-2', MD5OfMessageBody: 'x' },
      ],
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false, Message: 'try again' }],
    });
    const control = new SqsControl(mockedClients());

    // Act
    const accepted = await control.sendBatch(queueArn, [
      message(0, { tenant: 'acme', empty: '' }),
      message(1),
      message(2),
    ]);

    // Assess
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      QueueUrl: queueUrl,
      Entries: [
        {
          Id: '0',
          MessageBody: '{"order":0}',
          MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } },
        },
        { Id: '1', MessageBody: '{"order":1}', MessageAttributes: undefined },
        { Id: '2', MessageBody: '{"order":2}', MessageAttributes: undefined },
      ],
    });
    expect(accepted).toEqual(new Set([message(0).messageId, message(2).messageId]));
  });

  it('splits more than 10 messages into batches of 10', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: `new-${entry.Id}`, MD5OfMessageBody: 'x' })),
    }));
    const control = new SqsControl(mockedClients());
    const messages = Array.from({ length: 12 }, (_, n) => message(n));

    // Act
    const accepted = await control.sendBatch(queueArn, messages);

    // Assess
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 2);
    expect(accepted.size).toBe(12);
  });

  it('deletes a batch by receipt handle and returns the handles SQS deleted', async () => {
    // Prepare
    sqs.on(DeleteMessageBatchCommand).resolves({
      Successful: [{ Id: '1' }],
      Failed: [{ Id: '0', Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'expired' }],
    });
    const control = new SqsControl(mockedClients());

    // Act
    const deleted = await control.deleteBatch(dlqArn, ['receipt+0==', 'receipt+1==']);

    // Assess
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageBatchCommand, {
      QueueUrl: dlqUrl,
      Entries: [
        { Id: '0', ReceiptHandle: 'receipt+0==' },
        { Id: '1', ReceiptHandle: 'receipt+1==' },
      ],
    });
    expect(deleted).toEqual(new Set(['receipt+1==']));
  });

  it('sends nothing for an empty batch', async () => {
    // Prepare
    const control = new SqsControl(mockedClients());

    // Act
    const accepted = await control.sendBatch(queueArn, []);
    const deleted = await control.deleteBatch(dlqArn, []);

    // Assess
    expect(accepted.size + deleted.size).toBe(0);
    expect(sqs.calls()).toHaveLength(0);
  });
});
