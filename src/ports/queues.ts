/** SQS queues read by the diagnosis. */
import type { CallOptions } from './common';

export interface QueueDepth {
  arn: string;
  name: string;
  /** ApproximateNumberOfMessages. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible. */
  inFlight: number;
  /** FifoQueue: messages carry a group ID and a deduplication ID. Absent means a standard queue. */
  fifo?: boolean;
}

export interface RedriveTarget {
  deadLetterArn: string;
  maxReceiveCount: number;
  /** FifoQueue of the queue whose policy this is (its dead-letter queue is of the same type). Absent means standard. */
  fifo?: boolean;
}

export interface QueuesPort {
  /** The queue's RedrivePolicy, if it has one. */
  getRedriveTarget(queueArn: string, opts?: CallOptions): Promise<RedriveTarget | undefined>;
  getDepth(queueArn: string, opts?: CallOptions): Promise<QueueDepth>;
}
