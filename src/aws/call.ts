import { ErrorCode, GofnError } from '../errors';
import type { CallOptions } from '../ports';
import { toGofnAwsError, type AwsCall } from './errors';

export type { AwsCall } from './errors';

/**
 * Runs one SDK call under a deadline: the caller's `opts.signal` (the diagnosis deadline) combined
 * with a per-call timeout, handed to `client.send` as `abortSignal` so the SDK stops retrying and
 * closes the socket. Whatever it throws comes out as a GofnError naming the call.
 *
 *   await callAws({ service: 'Lambda', operation: 'GetAlias' }, opts, timeoutMs,
 *     (abortSignal) => clients.lambda.send(new GetAliasCommand(input), { abortSignal }));
 */
export async function callAws<T>(
  call: AwsCall,
  opts: CallOptions | undefined,
  timeoutMs: number,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const callerSignal = opts?.signal;
  if (callerSignal?.aborted) throw cancelled(call, callerSignal.reason);
  const timeout = AbortSignal.timeout(timeoutMs);
  const abortSignal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
  try {
    return await send(abortSignal);
  } catch (error) {
    if (callerSignal?.aborted) throw cancelled(call, error);
    if (timeout.aborted) {
      throw new GofnError(ErrorCode.Timeout, `${describe(call)} did not answer within ${timeoutMs} ms.`, {
        cause: error,
      });
    }
    throw toGofnAwsError(error, call);
  }
}

/** The GofnError for a call the caller's deadline stopped (or kept from starting). */
export function cancelled(call: AwsCall, cause: unknown): GofnError {
  return new GofnError(ErrorCode.Timeout, `${describe(call)} was stopped: the deadline passed.`, { cause });
}

/** Rejects as soon as `signal` aborts; resolves after `ms` otherwise. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(call: AwsCall): string {
  return `${call.service} ${call.operation}${call.subject ? ` for ${call.subject}` : ''}`;
}

/**
 * Settles like `work`, or rejects with the signal's reason as soon as `signal` aborts: for work
 * that takes no signal of its own (a library wrapping an SDK call), so `callAws`'s deadline still
 * holds. The abandoned work runs on until its own timeouts end it.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
