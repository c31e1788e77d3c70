import { recordCall } from '../../calls';
import { ErrorCode, GofnError } from '../../errors';
import type { CallOptions } from '../../ports';
import type { SimulatedFunction } from '../fleet';
import type { FaultCode, FaultSource } from '../schema';

/**
 * One simulated AWS request: counted under the name the real adapter sends, delayed like a
 * network round trip when the caller asked for latency, abortable by the diagnosis deadline, and
 * failing when the scenario injected a fault for the function it concerns.
 */

export interface LatencyOptions {
  /**
   * Milliseconds per request, by `Service:Operation` (`XRay:GetServiceGraph`), by service (`XRay`)
   * or for everything (`*`), the most specific first. Default 0.
   */
  latencyMs?: Partial<Record<string, number>>;
}

export interface Fault {
  source: FaultSource;
  code: FaultCode;
  /** What the request was about, for the message: "the traces of orders-api". */
  subject: string;
  /** The scenario file that injected it. */
  file: string;
}

/** The fault a function's scenario injected into one data source, if any. */
export function faultOf(fn: SimulatedFunction | undefined, source: FaultSource, subject: string): Fault | undefined {
  const code = fn?.faults[source];
  return fn && code ? { source, code, subject, file: fn.sourceFile } : undefined;
}

const SERVICE_NAMES: Record<string, string> = {
  XRay: 'X-Ray',
  CloudWatchLogs: 'CloudWatch Logs',
  ResourceGroupsTaggingAPI: 'the tagging API',
};

export class RequestSimulator {
  constructor(private readonly latencyMs: Partial<Record<string, number>> = {}) {}

  async send(service: string, operation: string, opts: CallOptions | undefined, fault?: Fault): Promise<void> {
    const signal = opts?.signal;
    // An SDK client does not send a request whose signal has already fired.
    if (signal?.aborted) throw aborted(service, operation, signal);
    recordCall(service, operation);
    const delay = this.latencyMs[`${service}:${operation}`] ?? this.latencyMs[service] ?? this.latencyMs['*'] ?? 0;
    if (delay > 0) await sleep(delay, signal, () => aborted(service, operation, signal));
    if (!fault) return;
    if (fault.code === 'Timeout') {
      // A source that never answers: it holds the caller until its deadline fires, as AWS would.
      if (signal) await sleep(Infinity, signal, () => aborted(service, operation, signal));
      throw new GofnError(
        ErrorCode.Timeout,
        `${serviceName(service)} ${operation} for ${fault.subject} did not answer in time.`,
      );
    }
    throw new GofnError(ErrorCode[fault.code], faultMessage(service, operation, fault));
  }
}

function faultMessage(service: string, operation: string, fault: Fault): string {
  const injected = `(a fault injected by scenario ${fault.file})`;
  const name = serviceName(service);
  switch (fault.code) {
    case 'AccessDenied':
      return `${name} denied ${operation} on ${fault.subject} ${injected}.`;
    case 'Throttled':
      return `${name} throttled ${operation} on ${fault.subject} after retries ${injected}.`;
    case 'NotFound':
      return `${name} found nothing for ${operation} on ${fault.subject} ${injected}.`;
    case 'Unsupported':
      return `${name} does not support ${operation} on ${fault.subject} ${injected}.`;
    default:
      return `${name} failed ${operation} on ${fault.subject} with an internal error ${injected}.`;
  }
}

function serviceName(service: string): string {
  return SERVICE_NAMES[service] ?? service;
}

function aborted(service: string, operation: string, signal: AbortSignal | undefined): GofnError {
  return new GofnError(ErrorCode.Timeout, `${serviceName(service)} ${operation} was cut off by the deadline.`, {
    cause: signal?.reason,
  });
}

/** Waits `ms` (forever for Infinity) unless the signal fires first, then rejects with `onAbort()`. */
function sleep(ms: number, signal: AbortSignal | undefined, onAbort: () => GofnError): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      if (timer !== undefined) clearTimeout(timer);
      reject(onAbort());
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
