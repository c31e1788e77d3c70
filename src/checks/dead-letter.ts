import type { CallOptions, FunctionInfo, QueueDepth, Sources } from '../ports';

/**
 * Where a function's failed events wait, however it is wired:
 * - `sqs-source`: the redrive target of an SQS queue an event-source mapping of the function (or
 *   of its alias or versions) consumes. Messages are the queue's own, replayed to that queue.
 * - `dead-letter-config`: the async-invoke DeadLetterConfig queue. Lambda sends the event as it
 *   was, with RequestID, ErrorCode and ErrorMessage attributes; replay invokes with the body.
 * - `on-failure`: the EventInvokeConfig OnFailure destination queue. Lambda sends an invocation
 *   record (requestContext, requestPayload, responseContext, responsePayload); replay invokes
 *   with its requestPayload alone.
 */
export type DeadLetterKind = 'sqs-source' | 'dead-letter-config' | 'on-failure';

/** The function's dead-letter queue: a queue gofn can count and replay. */
export interface DeadLetterQueue {
  kind: DeadLetterKind;
  depth: QueueDepth;
  /** For `sqs-source`, the queue messages go back to on replay. */
  sourceQueueArn: string | undefined;
  /** For `sqs-source`, whether that queue is FIFO. */
  sourceQueueFifo: boolean;
  /** For `sqs-source`, the alias or version the mapping invokes; undefined for the function itself. */
  boundTo: string | undefined;
}

/** Where async failures go when it is not an SQS queue: gofn can name it, not count or replay it. */
export interface UnreadableDestination {
  kind: 'dead-letter-config' | 'on-failure';
  arn: string;
  /** What it is, for a sentence: "SNS topic orders-failures". */
  description: string;
  /** Why gofn cannot count or replay what went there. */
  reason: string;
}

export type FailureDestination =
  | { found: 'queue'; queue: DeadLetterQueue }
  | { found: 'unreadable'; destination: UnreadableDestination }
  | { found: 'none' };

/**
 * Where the function's failed events go: the redrive target of an SQS event source first (the
 * usual Go worker), then the async-invoke DeadLetterConfig, then the OnFailure destination of the
 * alias. A queue is preferred to a destination gofn cannot read, wherever it comes in that order.
 * Shared by the dlq check and the replay action, so both find the same queue.
 */
export async function findFailureDestination(
  sources: Pick<Sources, 'functions' | 'queues'>,
  fn: FunctionInfo,
  call: CallOptions,
): Promise<FailureDestination> {
  const eventSources = await sources.functions.listEventSources(
    { functionName: fn.name, functionArn: fn.arn, qualifiers: qualifiersOf(fn) },
    call,
  );
  // The mapping the alias's traffic comes through first, then those of its versions, then the function's.
  const rank = (qualifier: string | undefined) => (qualifier === fn.alias ? 0 : qualifier !== undefined ? 1 : 2);
  const sqsSources = eventSources
    .filter((s) => s.service === 'sqs')
    .sort((a, b) => rank(a.qualifier) - rank(b.qualifier));
  for (const source of sqsSources) {
    const redrive = await sources.queues.getRedriveTarget(source.sourceArn, call);
    if (redrive) {
      const depth = await sources.queues.getDepth(redrive.deadLetterArn, call);
      return {
        found: 'queue',
        queue: {
          kind: 'sqs-source',
          depth,
          sourceQueueArn: source.sourceArn,
          sourceQueueFifo: redrive.fifo === true,
          boundTo: source.qualifier,
        },
      };
    }
  }

  const queueOf = async (kind: 'dead-letter-config' | 'on-failure', arn: string): Promise<FailureDestination> => ({
    found: 'queue',
    queue: {
      kind,
      depth: await sources.queues.getDepth(arn, call),
      sourceQueueArn: undefined,
      sourceQueueFifo: false,
      boundTo: undefined,
    },
  });
  const deadLetterConfig = fn.deadLetterTargetArn;
  if (deadLetterConfig && serviceOf(deadLetterConfig) === 'sqs') return queueOf('dead-letter-config', deadLetterConfig);
  const onFailure = await sources.functions.getAsyncFailureDestination(fn.name, fn.alias, call);
  if (onFailure && serviceOf(onFailure) === 'sqs') return queueOf('on-failure', onFailure);

  const unreadable = deadLetterConfig
    ? unreadableDestination('dead-letter-config', deadLetterConfig)
    : onFailure
      ? unreadableDestination('on-failure', onFailure)
      : undefined;
  return unreadable ? { found: 'unreadable', destination: unreadable } : { found: 'none' };
}

/** The function's dead-letter queue, or null when none gofn can read is wired. */
export async function findDeadLetterQueue(
  sources: Pick<Sources, 'functions' | 'queues'>,
  fn: FunctionInfo,
  call: CallOptions,
): Promise<DeadLetterQueue | null> {
  const found = await findFailureDestination(sources, fn, call);
  return found.found === 'queue' ? found.queue : null;
}

/** The alias, the version it points to and any version it routes a share of traffic to. */
function qualifiersOf(fn: FunctionInfo): string[] {
  return [...new Set([fn.alias, fn.version, ...Object.keys(fn.routing)].filter((q) => q !== ''))];
}

function serviceOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' ? parts[2] : undefined;
}

/** The name in an ARN: `arn:aws:sns:…:orders-failures`, `…:event-bus/orders-failures`, `…:function:orders-failures[:live]`. */
function resourceName(arn: string): string {
  const parts = arn.split(':');
  if (parts[2] === 'lambda' && parts[5] === 'function' && parts[6]) return parts[6];
  return parts.slice(5).join(':').split('/').pop() || arn;
}

function unreadableDestination(kind: UnreadableDestination['kind'], arn: string): UnreadableDestination {
  const name = resourceName(arn);
  const what = kind === 'dead-letter-config' ? 'events' : 'invocation records';
  switch (serviceOf(arn)) {
    case 'sns':
      return {
        kind,
        arn,
        description: `SNS topic ${name}`,
        reason: `a topic keeps no messages: it hands the ${what} to its subscribers, so there is nothing for gofn to count or replay`,
      };
    case 'events':
      return {
        kind,
        arn,
        description: `EventBridge bus ${name}`,
        reason: `a bus keeps no events: its rules pass the ${what} on (an archive keeps them for EventBridge's own replay), so there is nothing for gofn to count or replay`,
      };
    case 's3':
      return {
        kind,
        arn,
        description: `S3 bucket ${name}`,
        reason: `the bucket holds one object per failed invocation (under aws/lambda/async/), and gofn counts and replays SQS queues only`,
      };
    case 'lambda':
      return {
        kind,
        arn,
        description: `Lambda function ${name}`,
        reason: `that function receives each record as its event and nothing is kept, so there is nothing for gofn to count or replay`,
      };
    default:
      return {
        kind,
        arn,
        description: arn,
        reason: 'gofn counts and replays SQS queues only',
      };
  }
}
