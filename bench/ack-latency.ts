/**
 * Warm ack latency: a signed `/gofn status` Function URL event through gofn's ingress
 * (`createIngress`: edge checks, Bolt, the command listener, the real `LambdaJobQueue`), against a
 * bare Bolt app on the same receiver whose listener only acks.
 *
 * The job queue's Lambda client answers Invoke at once (0 ms). Measured with three stand-ins for
 * that answer, interleaved in the same rounds:
 * - `send` replaced by a plain async function: what gofn's own code costs (the headline figure);
 * - a middleware that answers at the top of the SDK's stack: adds the SDK's per-call work;
 * - aws-sdk-client-mock: adds sinon's matching and call recording, which is test apparatus.
 * A bare Bolt app without its conversation store is timed too, to size that part of Bolt's cost.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { App, AwsLambdaReceiver, LogLevel } from '@slack/bolt';
import { mockClient } from 'aws-sdk-client-mock';
import { createIngressClients, LambdaJobQueue } from '../src/aws/ingress';
import { silentLog } from '../src/log';
import type { HttpEvent, HttpResponse } from '../src/slack/edge';
import { createIngress } from '../src/slack/ingress';
import { BOT_TOKEN, SIGNING_SECRET, signedEvent, slashCommandBody } from '../test/support/slack-requests';
import { baselineOf, nowMs, result, summarize, type BenchResult } from './stats';

type Handler = (event: HttpEvent) => Promise<HttpResponse>;

export interface AckOptions {
  /** Rounds of `perRound` requests to each handler, interleaved. */
  rounds: number;
  perRound: number;
  warmup: number;
}

type Stand = 'plain' | 'sdk-stack' | 'client-mock';

export async function benchAckLatency(options: AckOptions): Promise<BenchResult[]> {
  const built = (['plain', 'sdk-stack', 'client-mock'] as const).map((stand) => gofnIngress(stand));
  try {
    const handlers: [string, Handler][] = [
      ['bare', bareBolt()],
      ['bare-no-convo-store', bareBolt({ convoStore: false })],
      ...built.map((b) => [b.stand, b.handler] as [string, Handler]),
    ];
    for (const [, handler] of handlers) await timeRequests(handler, options.warmup);
    const enqueuedBefore = built.map((b) => b.enqueued());

    const times = new Map<string, number[]>(handlers.map(([name]) => [name, []]));
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round so drift and GC debt do not always land on the same handler.
      const order = handlers.map((_, i) => handlers[(i + round) % handlers.length]!);
      for (const [name, handler] of order) times.get(name)!.push(...(await timeRequests(handler, options.perRound)));
    }
    built.forEach((b, i) => {
      const enqueued = b.enqueued() - enqueuedBefore[i]!;
      const expected = times.get(b.stand)!.length;
      if (enqueued !== expected) throw new Error(`${b.stand}: expected ${expected} jobs enqueued, saw ${enqueued}`);
    });

    const measured = summarize(times.get('plain')!);
    const bare = times.get('bare')!;
    const baseline = baselineOf('bare Bolt app that only acks', bare);
    const micro = (values: number[]) => {
      const s = summarize(values);
      return { medianUs: Math.round(s.median * 1000), p99Ms: Number(s.p99.toFixed(3)) };
    };
    return [
      result({
        name: 'ack latency, warm',
        unit: 'ms',
        measured,
        withP99: true,
        baseline,
        target: 'median ≤ 1.5 × baseline, p99 ≤ 10 ms',
        pass: measured.median <= 1.5 * baseline.median && measured.p99 <= 10,
        details: {
          requestsEach: bare.length,
          baseline: micro(bare),
          // Bolt's default conversation store rejects with a new Error on every request that has a
          // channel; an app that keeps no conversation state can turn it off (convoStore: false).
          baselineWithoutConvoStore: micro(times.get('bare-no-convo-store')!),
          gofnPlainSend: micro(times.get('plain')!),
          gofnThroughSdkStack: micro(times.get('sdk-stack')!),
          gofnWithClientMock: micro(times.get('client-mock')!),
        },
      }),
    ];
  } finally {
    for (const b of built) b.close();
  }
}

/** gofn's ingress as the handler builds it, over a Lambda client that answers Invoke at once. */
function gofnIngress(stand: Stand): { stand: Stand; handler: Handler; enqueued: () => number; close: () => void } {
  const clients = createIngressClients({ region: 'eu-west-1', callTimeoutMs: 1500, maxAttempts: 2 });
  const lambda = clients.lambda as LambdaClient;
  let count = 0;
  let restore: () => void = () => undefined;
  const output = () => ({ StatusCode: 202, $metadata: { httpStatusCode: 202 } });
  if (stand === 'plain') {
    (lambda as unknown as { send: () => Promise<unknown> }).send = async () => {
      count += 1;
      return output();
    };
  } else if (stand === 'sdk-stack') {
    lambda.middlewareStack.add(
      () => async () => {
        count += 1;
        return { output: output(), response: {} };
      },
      { step: 'initialize', priority: 'high', name: 'benchZeroLatencyInvoke' },
    );
  } else {
    const mock = mockClient(lambda);
    mock.on(InvokeCommand).callsFake(async () => {
      count += 1;
      return output();
    });
    restore = () => mock.restore();
  }
  const handler = createIngress({
    secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
    jobs: new LambdaJobQueue(clients, 'gofn-worker'),
    clientOptions: {},
    log: silentLog,
  }) as Handler;
  return {
    stand,
    handler,
    enqueued: () => count,
    close: () => {
      restore();
      clients.destroy();
    },
  };
}

function bareBolt(extra: { convoStore?: false } = {}): Handler {
  const receiver = new AwsLambdaReceiver({ signingSecret: SIGNING_SECRET, logLevel: LogLevel.ERROR });
  const app = new App({
    receiver,
    // The same static authorize gofn uses: no auth.test round trip in either.
    authorize: async () => ({ botToken: BOT_TOKEN }),
    logLevel: LogLevel.ERROR,
    ...extra,
  });
  app.command('/gofn', async ({ ack }) => {
    await ack();
  });
  const handler = receiver.toHandler() as unknown as (event: unknown, context: unknown) => Promise<HttpResponse>;
  return (event) => handler(event, {});
}

/** Signs the events first, then times each request alone. */
async function timeRequests(handler: Handler, count: number): Promise<number[]> {
  const events = Array.from({ length: count }, () => signedEvent(slashCommandBody('status orders-api 1h')));
  const times: number[] = [];
  for (const event of events) {
    const started = nowMs();
    const response = await handler(event);
    times.push(nowMs() - started);
    if (response.statusCode !== 200) throw new Error(`the handler answered ${response.statusCode}`);
  }
  return times;
}
