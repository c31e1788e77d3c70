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
    const inMinute: SimulatedTrace[] = [];
    for (let i = 0; i < minute.errors; i++) inMinute.push(traceOf(functionName, minute, i, before));
    inMinute.sort((a, b) => b.at.getTime() - a.at.getTime());
    traces.push(...inMinute.slice(0, limit - traces.length));
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
  // Within the minute, but never after `now` for the minute that is still running.
  const span = Math.max(1, Math.min(MINUTE_MS, before.getTime() - minute.at.getTime()));
  const at = new Date(minute.at.getTime() + Math.floor(random() * span));
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
