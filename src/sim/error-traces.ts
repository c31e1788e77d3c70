import { pickWeighted, randomUuid, seededRandom, traceIdAt } from './random';
import type { MinuteSample } from './signals';
import { MINUTE_MS } from './time';

/**
 * The X-Ray traces of failed invocations: one per Errors count of a minute, each with a trace
 * ID, a request ID, a root-cause message drawn from the minute's message mix, and a duration.
 * Seeded by function, minute and position, so a trace keeps its ID whichever window lists it.
 */

export interface SimulatedTrace {
  traceId: string;
  requestId: string;
  message: string | undefined;
  kind: 'fault' | 'error';
  at: Date;
  durationMs: number;
}

/**
 * Failed-invocation traces of the minutes, newest first, stopping after `limit`: listing pages
 * of trace summaries is what X-Ray makes expensive, so the caller decides how far to go.
 */
export function failedTraces(
  functionName: string,
  minutes: readonly MinuteSample[],
  limit: number,
  before: Date,
): SimulatedTrace[] {
  const traces: SimulatedTrace[] = [];
  for (let m = minutes.length - 1; m >= 0 && traces.length < limit; m--) {
    const minute = minutes[m] as MinuteSample;
    // Positions run newest first, so a busy minute yields only the traces the listing reaches.
    const wanted = Math.min(minute.errors, limit - traces.length);
    for (let position = 0; position < wanted; position++) traces.push(traceOf(functionName, minute, position, before));
  }
  return traces;
}

function traceOf(functionName: string, minute: MinuteSample, position: number, before: Date): SimulatedTrace {
  const random = seededRandom(functionName, minute.index, 'trace', position);
  const mix = minute.errorMessages;
  const cause =
    mix.length > 0
      ? mix[
          pickWeighted(
            random,
            mix.map((m) => m.weight),
          )
        ]
      : undefined;
  // Spread over the minute (or the part of it before `now`), position 0 the newest.
  const span = Math.max(1, Math.min(MINUTE_MS, before.getTime() - minute.at.getTime()));
  const fromEnd = (position + random()) / minute.errors;
  const at = new Date(minute.at.getTime() + Math.floor(span * (1 - fromEnd)));
  const typicalMs = cause?.durationMs ?? minute.duration.p99;
  return {
    traceId: traceIdAt(at, random),
    requestId: randomUuid(random),
    message: cause?.message,
    kind: cause?.kind ?? 'fault',
    at,
    durationMs: Math.round(typicalMs * (0.85 + 0.3 * random())),
  };
}
