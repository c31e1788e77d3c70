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
import * as sqsMessages from '../fixtures/aws/sqs-messages';
import { mockedClients, rejectionOf } from './helpers';

const sqs = mockClient(SQSClient);

const dlqArn = 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq';
const dlqUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq';
const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:orders-queue';
const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-queue';

/** Message ids as SQS makes them are UUIDs, which batch entry ids could take; ours test the mapping. */
const message = (n: number, attributes: QueueMessage['attributes'] = {}): QueueMessage => ({
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

  it('receives up to 10 messages with every attribute as SQS gave it, hidden for the visibility timeout', async () => {
    // Prepare
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        sqsMessages.standardMessage,
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
      MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
    });
    expect(messages).toEqual([
      {
        messageId: sqsMessages.standardMessage.MessageId,
        receiptHandle: sqsMessages.standardMessage.ReceiptHandle,
        body: sqsMessages.standardMessage.Body,
        attributes: {
          tenant: { dataType: 'String', stringValue: 'acme-bv' },
          attempt: { dataType: 'Number', stringValue: '3' },
          amount: { dataType: 'Number.decimal', stringValue: '0.004100' },
          traceparent: {
            dataType: 'String.w3c',
            stringValue: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          },
          signature: { dataType: 'Binary', binaryValue: sqsMessages.binaryAttribute },
          thumbnail: { dataType: 'Binary.png', binaryValue: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
        },
        groupId: undefined,
        deduplicationId: undefined,
      },
      {
        messageId: 'm-2',
        receiptHandle: 'r-2',
        body: 'two',
        attributes: {},
        groupId: undefined,
        deduplicationId: undefined,
      },
    ]);
  });

  it('sends back every attribute of a received message exactly as it came', async () => {
    // Prepare
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [sqsMessages.standardMessage] });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'new-0', MD5OfMessageBody: 'x' }] });
    const control = new SqsControl(mockedClients());

    // Act
    const received = await control.receive(dlqArn, 10, 60);
    await control.sendBatch(queueArn, received);

    // Assess
    const sent = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!;
    expect(sent.MessageBody).toBe(sqsMessages.standardMessage.Body);
    expect(sent.MessageAttributes).toEqual(sqsMessages.standardMessage.MessageAttributes);
    expect(Buffer.from(sent.MessageAttributes!.signature!.BinaryValue!)).toEqual(
      Buffer.from(sqsMessages.binaryAttribute),
    );
    expect(sent.MessageGroupId).toBeUndefined();
    expect(sent.MessageDeduplicationId).toBeUndefined();
  });

  it('keeps the group and deduplication IDs of FIFO messages sent to a FIFO queue', async () => {
    // Prepare
    sqs.on(ReceiveMessageCommand).resolves({ Messages: sqsMessages.fifoMessages });
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [
        { Id: '0', MessageId: 'n-0', MD5OfMessageBody: 'x', SequenceNumber: '1' },
        { Id: '1', MessageId: 'n-1', MD5OfMessageBody: 'x', SequenceNumber: '2' },
      ],
    });
    const control = new SqsControl(mockedClients());
    const fifoDlq = 'arn:aws:sqs:eu-west-1:123456789012:ledger-dlq.fifo';
    const fifoQueue = 'arn:aws:sqs:eu-west-1:123456789012:ledger.fifo';

    // Act
    const received = await control.receive(fifoDlq, 10, 60);
    const accepted = await control.sendBatch(fifoQueue, received);

    // Assess
    expect(accepted.size).toBe(2);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ledger.fifo',
      Entries: [
        {
          Id: '0',
          MessageBody: '{"accountId":"acc-1","entry":41}',
          MessageAttributes: undefined,
          MessageGroupId: 'acc-1',
          MessageDeduplicationId: '5fea7756-0ea4-451a-a703-a558b933e274',
        },
        {
          Id: '1',
          MessageBody: '{"accountId":"acc-1","entry":42}',
          MessageAttributes: undefined,
          MessageGroupId: 'acc-1',
          MessageDeduplicationId: '6a1c3e5b-7d9f-4b1a-8c2e-3f4a5b6c7d8e',
        },
      ],
    });
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
      message(0, { tenant: { dataType: 'String', stringValue: 'acme' } }),
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

  it('keeps each request within 256 KiB, counting attributes, and sends a larger message alone', async () => {
    // Prepare: 100 KiB bodies; the third message's attribute tips its batch over the limit.
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: `new-${entry.Id}`, MD5OfMessageBody: 'x' })),
    }));
    const control = new SqsControl(mockedClients());
    const kib = (n: number) => 'x'.repeat(n * 1024);
    const messages = [
      { ...message(0), body: kib(100) },
      { ...message(1), body: kib(100) },
      { ...message(2), body: kib(56), attributes: { blob: { dataType: 'Binary', binaryValue: new Uint8Array(10) } } },
      { ...message(3), body: kib(300) },
      { ...message(4), body: 'small' },
    ];

    // Act
    const accepted = await control.sendBatch(queueArn, messages);

    // Assess
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length);
    expect(batches).toEqual([2, 1, 1, 1]);
    for (const call of sqs.commandCalls(SendMessageBatchCommand)) {
      const entries = call.args[0].input.Entries!;
      const bytes = entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody!), 0);
      expect(entries.length === 1 || bytes <= 262_144).toBe(true);
    }
    expect(accepted.size).toBe(5);
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
