import type { CallOptions, QueueDepth, QueuesPort, RedriveTarget } from '../../ports';
import type { SimulatedFleet, SimulatedQueue } from '../fleet';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

export class SimulatedQueues implements QueuesPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async getRedriveTarget(queueArn: string, opts?: CallOptions): Promise<RedriveTarget | undefined> {
    const queue = await this.getQueueAttributes(queueArn, opts);
    return queue.redrive ? { ...queue.redrive, fifo: isFifo(queue.name) } : undefined;
  }

  async getDepth(queueArn: string, opts?: CallOptions): Promise<QueueDepth> {
    const queue = await this.getQueueAttributes(queueArn, opts);
    return {
      arn: queue.arn,
      name: queue.name,
      visible: queue.visible,
      inFlight: queue.inFlight,
      fifo: isFifo(queue.name),
    };
  }

  /** The queue URL follows from the ARN, so one GetQueueAttributes is all either answer costs. */
  private async getQueueAttributes(queueArn: string, opts?: CallOptions): Promise<SimulatedQueue> {
    const known = this.fleet.findQueue(queueArn);
    const owner = known ? this.fleet.findFunction(known.declaredBy) : undefined;
    await this.requests.send(
      'SQS',
      'GetQueueAttributes',
      opts,
      faultOf(owner, 'queues', `queue ${known?.name ?? queueArn}`),
    );
    return this.fleet.requireQueue(queueArn);
  }
}

/** SQS: a FIFO queue's name ends in `.fifo`, and a standard queue's name cannot hold a dot. */
function isFifo(queueName: string): boolean {
  return queueName.endsWith('.fifo');
}
