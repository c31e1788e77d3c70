import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ErrorCode, GofnError } from '../errors';
import type { CallOptions, JobQueuePort } from '../ports';
import { callAws } from './call';
import type { AwsClients } from './clients';

/**
 * The most an enqueue may take. It runs between Slack's request and the ack, which Slack wants
 * within 3 s; verification and a cold secret read share that budget.
 */
export const enqueueTimeoutMs = 1500;

/**
 * JobQueuePort over an asynchronous Lambda invoke of the worker: one Invoke request with
 * InvocationType Event, which Lambda queues and retries on its own. No lookups before it, so the
 * ingress pays for exactly one request.
 */
export class LambdaJobQueue implements JobQueuePort {
  constructor(
    private readonly clients: Pick<AwsClients, 'lambda' | 'settings'>,
    private readonly workerFunctionName: string,
  ) {}

  async enqueue(job: unknown, opts?: CallOptions): Promise<void> {
    // Checked here, not in the constructor: the ingress builds the queue at init, and a missing
    // setting should fail the request that needs it with a sentence, not the whole cold start.
    if (!this.workerFunctionName) {
      throw new GofnError(ErrorCode.InvalidInput, 'No worker function is configured to hand the job to.', {
        hint: 'Set WORKER_FUNCTION_NAME to the name or ARN of the gofn worker.',
      });
    }
    const payload = JSON.stringify(job);
    if (payload === undefined) {
      throw new GofnError(ErrorCode.InvalidInput, 'The job cannot be sent to the worker: it is not JSON data.');
    }
    const subject = `function ${this.workerFunctionName}`;
    const out = await callAws(
      { service: 'Lambda', operation: 'Invoke', subject },
      opts,
      Math.min(this.clients.settings.callTimeoutMs, enqueueTimeoutMs),
      (abortSignal) =>
        this.clients.lambda.send(
          new InvokeCommand({
            FunctionName: this.workerFunctionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(payload),
          }),
          { abortSignal },
        ),
    );
    if (out.StatusCode !== 202) {
      throw new GofnError(
        ErrorCode.Upstream,
        `Lambda Invoke for ${subject} did not queue the job (status ${out.StatusCode ?? 'missing'}, expected 202).`,
      );
    }
  }
}
