import type { QueueMessage } from '../ports';
import { randomHex, randomUuid, seededRandom } from './random';

/**
 * Message-level state of a simulated queue. The scenario gives counts and a few sample bodies;
 * messages come into being when received, carrying the sample bodies in turn, and are held
 * (in flight) until deleted or until their visibility timeout passes on the wall clock, as SQS
 * would: a replay that crashes halfway leaves nothing lost.
 */

export interface HeldMessage extends QueueMessage {
  visibleAgainAtMs: number;
}

export interface MessageState {
  name: string;
  /** ApproximateNumberOfMessages. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible. */
  inFlight: number;
  /** Representative bodies of the queue's messages. */
  samples: string[];
  /** Received and not yet deleted, by receipt handle. */
  held: Map<string, HeldMessage>;
  /** How many messages were ever received, for stable IDs. */
  served: number;
}

/** Samples a queue keeps: enough to show what its messages look like. */
const MAX_SAMPLES = 20;
/** SQS returns at most 10 messages per receive. */
const MAX_PER_RECEIVE = 10;

export function receiveMessages(
  queue: MessageState,
  max: number,
  visibilitySeconds: number,
  clockMs: number,
): QueueMessage[] {
  releaseExpired(queue, clockMs);
  const count = Math.max(0, Math.min(MAX_PER_RECEIVE, Math.floor(max), queue.visible));
  const received: QueueMessage[] = [];
  for (let i = 0; i < count; i++) {
    const serial = queue.served++;
    const random = seededRandom(queue.name, 'message', serial);
    const message: HeldMessage = {
      messageId: randomUuid(random),
      receiptHandle: `${randomHex(random, 32)}-${serial}`,
      body:
        queue.samples.length > 0 ? (queue.samples[serial % queue.samples.length] as string) : `{"message":${serial}}`,
      attributes: {},
      visibleAgainAtMs: clockMs + Math.max(0, visibilitySeconds) * 1000,
    };
    queue.held.set(message.receiptHandle, message);
    received.push({ ...message, attributes: { ...message.attributes } });
  }
  queue.visible -= count;
  queue.inFlight += count;
  return received;
}

/** Deletes held messages; returns the receipt handles that were held (the others are not deleted). */
export function deleteMessages(queue: MessageState, receiptHandles: readonly string[], clockMs: number): Set<string> {
  releaseExpired(queue, clockMs);
  const deleted = new Set<string>();
  for (const handle of receiptHandles) {
    if (!queue.held.delete(handle)) continue;
    deleted.add(handle);
    queue.inFlight -= 1;
  }
  forgetSamplesIfEmpty(queue);
  return deleted;
}

export function addMessages(queue: MessageState, bodies: readonly string[]): void {
  queue.visible += bodies.length;
  addSamples(queue, bodies);
}

/** Moves visible messages (with what they look like) from one queue to another. */
export function transferMessages(from: MessageState, to: MessageState, limit: number): number {
  const moved = Math.max(0, Math.min(from.visible, Math.floor(limit)));
  from.visible -= moved;
  to.visible += moved;
  if (moved > 0) addSamples(to, from.samples);
  forgetSamplesIfEmpty(from);
  return moved;
}

/** Messages whose visibility timeout passed are visible again, as if never received. */
function releaseExpired(queue: MessageState, clockMs: number): void {
  for (const [handle, message] of queue.held) {
    if (message.visibleAgainAtMs > clockMs) continue;
    queue.held.delete(handle);
    queue.inFlight -= 1;
    queue.visible += 1;
  }
}

function addSamples(queue: MessageState, bodies: readonly string[]): void {
  for (const body of bodies) {
    if (queue.samples.length >= MAX_SAMPLES) break;
    if (!queue.samples.includes(body)) queue.samples.push(body);
  }
}

function forgetSamplesIfEmpty(queue: MessageState): void {
  if (queue.visible === 0 && queue.inFlight === 0) queue.samples.length = 0;
}
