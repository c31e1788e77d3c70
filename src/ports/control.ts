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

export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** String message attributes, carried over on replay. */
  attributes: Record<string, string>;
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
  /** SendMessageBatch; returns the ids (the `messageId`s passed in) that were accepted. */
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
