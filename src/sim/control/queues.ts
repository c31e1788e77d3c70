import type { CallOptions, MessageMoveTask, QueueControlPort, QueueMessage } from '../../ports';
import type { SimulatedFleet } from '../fleet';
import { faultOf } from '../sources/requests';
import type { Fault, RequestSimulator } from '../sources/requests';

/** SQS takes at most 10 entries per batch request. */
const BATCH_LIMIT = 10;

/** QueueControlPort over the simulated fleet: message-move tasks and the batch replay primitives. */
export class SimulatedQueueControl implements QueueControlPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async startMessageMoveTask(sourceArn: string, destinationArn: string, _maxPerSecond: number, opts?: CallOptions) {
    await this.requests.send('SQS', 'StartMessageMoveTask', opts, this.faultOf(sourceArn));
    return this.fleet.startMoveTask(sourceArn, destinationArn).taskHandle;
  }

  async listMessageMoveTasks(sourceArn: string, opts?: CallOptions): Promise<MessageMoveTask[]> {
    await this.requests.send('SQS', 'ListMessageMoveTasks', opts, this.faultOf(sourceArn));
    this.fleet.requireQueue(sourceArn);
    return this.fleet.moveTasksOf(sourceArn).map((task) => ({
      taskHandle: task.taskHandle,
      status: task.status,
      moved: task.moved,
      toMove: task.toMove,
      failureReason: undefined,
    }));
  }

  async receive(queueArn: string, max: number, visibilitySeconds: number, opts?: CallOptions): Promise<QueueMessage[]> {
    await this.requests.send('SQS', 'ReceiveMessage', opts, this.faultOf(queueArn));
    return this.fleet.receiveMessages(queueArn, max, visibilitySeconds);
  }

  async sendBatch(queueArn: string, messages: QueueMessage[], opts?: CallOptions): Promise<Set<string>> {
    const accepted = new Set<string>();
    for (let i = 0; i < messages.length; i += BATCH_LIMIT) {
      const batch = messages.slice(i, i + BATCH_LIMIT);
      await this.requests.send('SQS', 'SendMessageBatch', opts, this.faultOf(queueArn));
      this.fleet.sendMessages(
        queueArn,
        batch.map((m) => m.body),
      );
      for (const message of batch) accepted.add(message.messageId);
    }
    return accepted;
  }

  async deleteBatch(queueArn: string, receiptHandles: string[], opts?: CallOptions): Promise<Set<string>> {
    const deleted = new Set<string>();
    for (let i = 0; i < receiptHandles.length; i += BATCH_LIMIT) {
      await this.requests.send('SQS', 'DeleteMessageBatch', opts, this.faultOf(queueArn));
      for (const handle of this.fleet.deleteMessages(queueArn, receiptHandles.slice(i, i + BATCH_LIMIT))) {
        deleted.add(handle);
      }
    }
    return deleted;
  }

  private faultOf(queueArn: string): Fault | undefined {
    const queue = this.fleet.findQueue(queueArn);
    const owner = queue ? this.fleet.findFunction(queue.declaredBy) : undefined;
    return faultOf(owner, 'queues', `queue ${queue?.name ?? queueArn}`);
  }
}
