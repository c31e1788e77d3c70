import type { ErrorRootCause, FaultRootCause, Trace, TraceSummary } from '@aws-sdk/client-xray';

/**
 * Reading X-Ray answers: root-cause messages of trace summaries and the segment documents
 * (JSON strings) of full traces.
 */

/** What a summary says went wrong, first exception message first; empty when it names nothing. */
export function rootCauseMessages(summary: TraceSummary): string[] {
  const causes: (ErrorRootCause | FaultRootCause)[] = [
    ...(summary.FaultRootCauses ?? []),
    ...(summary.ErrorRootCauses ?? []),
  ];
  const messages: string[] = [];
  for (const cause of causes) {
    for (const service of cause.Services ?? []) {
      for (const entity of service.EntityPath ?? []) {
        for (const exception of entity.Exceptions ?? []) {
          const message = exception.Message?.trim() || exception.Name?.trim();
          if (message) messages.push(message);
        }
      }
    }
  }
  return messages;
}

/** Messages ranked by how many traces named them (a trace counts once per message). */
export function rankMessages(summaries: TraceSummary[], limit = 5): { message: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const summary of summaries) {
    for (const message of new Set(rootCauseMessages(summary))) counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([message, count]) => ({ message, count }))
    .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message))
    .slice(0, limit);
}

/** The parts of a segment document gofn reads. */
interface SegmentDocument {
  name?: string;
  origin?: string;
  start_time?: number;
  end_time?: number;
  error?: boolean;
  fault?: boolean;
  aws?: { request_id?: string };
  /** Attributes of an OpenTelemetry span that X-Ray keeps unindexed, under `default`. */
  metadata?: { default?: Record<string, unknown> };
  cause?: { exceptions?: { message?: string; type?: string }[] } | string;
  subsegments?: SegmentDocument[];
}

function parseDocument(document: string | undefined): SegmentDocument | undefined {
  if (!document) return undefined;
  try {
    const parsed: unknown = JSON.parse(document);
    return typeof parsed === 'object' && parsed !== null ? (parsed as SegmentDocument) : undefined;
  } catch {
    return undefined;
  }
}

export interface TraceDetails {
  /** `aws.request_id` of the Lambda service segment: the invocation's request ID. */
  requestId: string | undefined;
  /** The first exception message, searched in the function's segment first. */
  message: string | undefined;
  /** Start of the earliest segment. */
  at: Date | undefined;
}

export function readTrace(trace: Trace): TraceDetails {
  const documents = (trace.Segments ?? [])
    .map((segment) => parseDocument(segment.Document))
    .filter((d): d is SegmentDocument => d !== undefined);
  const lambda = documents.find((d) => d.origin === 'AWS::Lambda');
  const requestId =
    lambda?.aws?.request_id ??
    documents.map(invocationIdOf).find((id) => id !== undefined) ??
    documents.find((d) => d.aws?.request_id)?.aws?.request_id;
  const ordered = [
    ...documents.filter((d) => d.origin === 'AWS::Lambda::Function'),
    ...documents.filter((d) => d.origin !== 'AWS::Lambda::Function'),
  ];
  let message: string | undefined;
  for (const document of ordered) {
    message = firstExceptionMessage(document);
    if (message) break;
  }
  const starts = documents.map((d) => d.start_time).filter((t): t is number => typeof t === 'number');
  return {
    requestId,
    message,
    at: starts.length > 0 ? new Date(Math.min(...starts) * 1000) : undefined,
  };
}

/**
 * The invocation's request ID on a span sent over OTLP: OpenTelemetry's FaaS conventions name it
 * `faas.invocation_id` (`faas.execution` before semantic conventions 1.9), and X-Ray keeps such an
 * attribute in the segment's `metadata.default`. (A segment's own `aws.request_id` on that path is
 * the ID of an AWS SDK call the span made, so it comes last.)
 */
function invocationIdOf(document: SegmentDocument): string | undefined {
  const attributes = document.metadata?.default;
  const id = attributes?.['faas.invocation_id'] ?? attributes?.['faas.execution'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function firstExceptionMessage(document: SegmentDocument): string | undefined {
  const cause = document.cause;
  if (typeof cause === 'object' && cause !== null) {
    for (const exception of cause.exceptions ?? []) {
      const message = exception.message?.trim() || exception.type?.trim();
      if (message) return message;
    }
  }
  for (const sub of document.subsegments ?? []) {
    const message = firstExceptionMessage(sub);
    if (message) return message;
  }
  return undefined;
}
