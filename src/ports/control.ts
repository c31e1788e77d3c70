/** Changing production: the ports the actions write through. */
import type { CallOptions } from './common';
import type { DeploymentGroupRef, DeploymentInfo } from './deploys';
import type { ProfilePorts } from './profiles';

export interface AliasState {
  functionName: string;
  alias: string;
  version: string;
  /** Additional version weights (weighted routing), e.g. {"43": 0.1}. */
  routing: Record<string, number>;
  /** Passed back on update so a concurrent change fails instead of being overwritten. */
  revisionId: string | undefined;
}

export interface LambdaControlPort {
  getAlias(functionName: string, alias: string, opts?: CallOptions): Promise<AliasState>;
  /**
   * Points the alias at `version` with no weighted routing, only if its RevisionId is still
   * `expectedRevisionId`; a concurrent change rejects with GofnError Conflict.
   */
  updateAlias(
    functionName: string,
    alias: string,
    version: string,
    expectedRevisionId: string | undefined,
    opts?: CallOptions,
  ): Promise<AliasState>;
  /** ReservedConcurrentExecutions, undefined when none is set (GetFunctionConcurrency). */
  getReservedConcurrency(functionName: string, opts?: CallOptions): Promise<number | undefined>;
  putReservedConcurrency(functionName: string, value: number, opts?: CallOptions): Promise<number>;
  /** InvocationType Event; resolves once Lambda accepted the event (202). */
  invokeAsync(functionName: string, qualifier: string, payload: string, opts?: CallOptions): Promise<void>;
}

export interface DeployControlPort {
  /** A deployment of the group that is still shifting traffic, if any. */
  findActiveDeployment(group: DeploymentGroupRef, opts?: CallOptions): Promise<DeploymentInfo | undefined>;
  getDeployment(deploymentId: string, opts?: CallOptions): Promise<DeploymentInfo>;
  /** StopDeployment with autoRollbackEnabled; resolves with CodeDeploy's status (Pending, Succeeded). */
  stopDeployment(deploymentId: string, opts?: CallOptions): Promise<string>;
}

/**
 * An SQS message attribute as SQS stores it: `dataType` is String, Number or Binary, optionally
 * with a custom suffix (`Number.float`, `String.traceparent`); String and Number carry
 * `stringValue`, Binary carries `binaryValue`.
 */
export interface MessageAttribute {
  dataType: string;
  stringValue?: string | undefined;
  binaryValue?: Uint8Array | undefined;
}

export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Message attributes of every type, carried over on replay as they were. */
  attributes: Record<string, MessageAttribute>;
  /** MessageGroupId (FIFO queues, and fair standard queues), carried over on replay. */
  groupId?: string | undefined;
  /**
   * MessageDeduplicationId of a FIFO message. In a FIFO dead-letter queue SQS has replaced it
   * with the original message's ID, so a replay sent again within SQS's deduplication interval
   * is not delivered twice.
   */
  deduplicationId?: string | undefined;
}

export interface MessageMoveTask {
  taskHandle: string | undefined;
  /** RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED. */
  status: string;
  moved: number;
  toMove: number | undefined;
  failureReason: string | undefined;
}

export interface QueueControlPort {
  /** SQS StartMessageMoveTask from a DLQ back to `destinationArn` at `maxPerSecond`. Unsupported where the API is missing. */
  startMessageMoveTask(
    sourceArn: string,
    destinationArn: string,
    maxPerSecond: number,
    opts?: CallOptions,
  ): Promise<string>;
  /** Most recent tasks of the DLQ, newest first. */
  listMessageMoveTasks(sourceArn: string, opts?: CallOptions): Promise<MessageMoveTask[]>;
  /** Up to 10 messages, hidden from others for `visibilitySeconds`. */
  receive(queueArn: string, max: number, visibilitySeconds: number, opts?: CallOptions): Promise<QueueMessage[]>;
  /**
   * SendMessageBatch, as many requests as SQS's limits need (10 entries, 256 KiB a request);
   * returns the ids (the `messageId`s passed in) that were accepted.
   */
  sendBatch(queueArn: string, messages: QueueMessage[], opts?: CallOptions): Promise<Set<string>>;
  /** DeleteMessageBatch; returns the receipt handles that were deleted. */
  deleteBatch(queueArn: string, receiptHandles: string[], opts?: CallOptions): Promise<Set<string>>;
}

export interface ControlPorts {
  lambda: LambdaControlPort;
  deploys: DeployControlPort;
  queues: QueueControlPort;
  /** The profiling flag and bucket (`gofn profile`); absent where there is nothing to profile (the simulator). */
  profiles?: ProfilePorts | undefined;
}
