/**
 * The adapter interfaces the runbook engine, checks and actions are written against, and the
 * evidence types they return. `src/aws/` implements them over the AWS SDK, `src/sim/` over a
 * scenario file; the engine cannot tell the two apart.
 *
 * Conventions for every port method:
 * - `opts.signal` aborts the call (the diagnosis deadline); an aborted call rejects with a
 *   GofnError of code Timeout.
 * - Failures reject with a GofnError whose code says why (NotFound, AccessDenied, Throttled,
 *   Timeout, Unsupported, Upstream) and whose message is a sentence naming what failed.
 * - Times are Date objects; durations are milliseconds unless the name says otherwise.
 */

export interface CallOptions {
  signal?: AbortSignal;
}

export interface TimeWindow {
  start: Date;
  end: Date;
}
