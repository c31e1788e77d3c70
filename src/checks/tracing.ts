import type { FunctionInfo } from '../ports';

/**
 * Whether X-Ray can hold the function's own segments. With TracingConfig Mode PassThrough Lambda
 * records none (only a caller that sampled the request could), so the service graph and the trace
 * summaries say nothing about its downstream calls or its failures: the steps that read them are
 * unknown, never ok, and name the fix.
 */
export function untracedReason(fn: FunctionInfo): string | undefined {
  if (fn.tracingMode !== 'PassThrough') return undefined;
  return (
    `tracing of ${fn.name} is PassThrough, so X-Ray holds no segments of its own; ` +
    'enable active tracing (TracingConfig Mode=Active)'
  );
}
