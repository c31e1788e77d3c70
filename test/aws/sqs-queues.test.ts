import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { queueFromArn } from '../../src/aws/arn';
import { SqsQueues } from '../../src/aws/sqs-queues';
import type { GofnError } from '../../src/errors';
import { ErrorCode } from '../../src/errors';
import * as fifo from '../fixtures/aws/sqs-queue-attributes';
import { mockedClients, rejectionOf } from './helpers';

const sqs = mockClient(SQSClient);

const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:orders-queue';

describe('SqsQueues', () => {
  beforeEach(() => sqs.reset());

  it('reads the redrive policy with one GetQueueAttributes on the URL built from the ARN', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: {
        RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:orders-dlq","maxReceiveCount":"5"}',
      },
    });
    const queues = new SqsQueues(mockedClients());

    // Act
    const target = await queues.getRedriveTarget(queueArn);

    // Assess
    expect(sqs.calls()).toHaveLength(1);
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-queue',
      AttributeNames: ['RedrivePolicy', 'FifoQueue'],
    });
    expect(target).toEqual({
      deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq',
      maxReceiveCount: 5,
      fifo: false,
    });
  });

  it('returns undefined for a queue without a redrive policy', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    const queues = new SqsQueues(mockedClients());

    // Act
    const target = await queues.getRedriveTarget(queueArn);

    // Assess
    expect(target).toBeUndefined();
  });

  it('reads the depth with one GetQueueAttributes', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '17', ApproximateNumberOfMessagesNotVisible: '3' },
    });
    const queues = new SqsQueues(mockedClients());

    // Act
    const depth = await queues.getDepth(queueArn);

    // Assess
    expect(sqs).toHaveReceivedCommandTimes(GetQueueAttributesCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'FifoQueue'],
    });
    expect(depth).toEqual({ arn: queueArn, name: 'orders-queue', visible: 17, inFlight: 3, fifo: false });
  });

  it('tells a FIFO queue and its FIFO dead-letter queue from the same requests', async () => {
    // Prepare
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: queueFromArn(fifo.ledgerQueueArn).url })
      .resolves(fifo.ledgerQueueAttributes)
      .on(GetQueueAttributesCommand, { QueueUrl: queueFromArn(fifo.ledgerDlqArn).url })
      .resolves(fifo.ledgerDlqAttributes);
    const queues = new SqsQueues(mockedClients());

    // Act
    const target = await queues.getRedriveTarget(fifo.ledgerQueueArn);
    const depth = await queues.getDepth(fifo.ledgerDlqArn);

    // Assess
    expect(sqs).toHaveReceivedCommandTimes(GetQueueAttributesCommand, 2);
    expect(target).toEqual({ deadLetterArn: fifo.ledgerDlqArn, maxReceiveCount: 5, fifo: true });
    expect(depth).toEqual({ arn: fifo.ledgerDlqArn, name: 'ledger-dlq.fifo', visible: 42, inFlight: 0, fifo: true });
  });

  it('reads a standard queue that leaves FifoQueue out as standard', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).resolves(fifo.standardDlqAttributes);
    const queues = new SqsQueues(mockedClients());

    // Act
    const depth = await queues.getDepth(queueArn);

    // Assess
    expect(depth).toMatchObject({ visible: 1240, inFlight: 3, fifo: false });
  });

  it('maps a missing queue to NotFound naming the queue', async () => {
    // Prepare
    sqs
      .on(GetQueueAttributesCommand)
      .rejects(
        new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: { httpStatusCode: 400 } }),
      );
    const queues = new SqsQueues(mockedClients());

    // Act
    const error = await rejectionOf(queues.getDepth(queueArn));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toBe(
      `SQS GetQueueAttributes found nothing for queue ${queueArn}: The specified queue does not exist.`,
    );
  });

  it('refuses an ARN that is not a queue without calling SQS', async () => {
    // Prepare
    const queues = new SqsQueues(mockedClients());

    // Act
    const error = await rejectionOf(queues.getDepth('arn:aws:sns:eu-west-1:123456789012:topic'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('builds partition-specific queue URLs', () => {
    expect(queueFromArn('arn:aws-cn:sqs:cn-north-1:123456789012:q').url).toBe(
      'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q',
    );
    expect(queueFromArn('arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q.fifo').url).toBe(
      'https://sqs.us-gov-west-1.amazonaws.com/123456789012/q.fifo',
    );
  });
});
