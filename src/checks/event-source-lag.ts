import { describeError } from '../errors';
import { formatAge, formatCount, formatPercent } from '../format';
import type { EventSourceInfo, ExtraMetricResult, FunctionMetrics } from '../ports';
import type { Reservation } from './evidence';
import { extraIds, queueNameOf, sqsSourcesOf } from './evidence';
import { gradeAbove, isAtLeastWarn, percentOf, statusRank, worst } from './grade';
import { queueLink } from './links';
import type { CheckParams } from './params';
import type { ActionHints, CheckContext, CheckResult, EvidenceValue, Link, StepStatus } from './types';

/** States in which a mapping polls nothing. */
const OFF_STATES: ReadonlySet<string> = new Set(['Disabled', 'Disabling']);

interface Finding {
  status: StepStatus;
  /** "orders-queue: oldest message 41 min, 12,408 waiting". */
  line: string;
  headline: string | undefined;
  hint: NonNullable<ActionHints['source']>;
  unknown: string | undefined;
  evidence: Record<string, EvidenceValue>;
}

/**
 * Is the function keeping up with what feeds it? SQS sources: the age of the oldest message and
 * the messages waiting in the source queue; Kinesis and DynamoDB streams: IteratorAge. A mapping
 * that is off, whose last poll failed, or that is held back by its MaximumConcurrency against the
 * function's reserved concurrency (the effective cap is the smaller of the two) is named with
 * Lambda's StateTransitionReason. The metrics ride in the one GetMetricData.
 */
export async function eventSourceLagCheck(
  ctx: CheckContext,
  params: CheckParams<'event-source-lag'>,
): Promise<CheckResult> {
  const { fn } = ctx;
  let mappings: EventSourceInfo[];
  try {
    mappings = await ctx.evidence.eventSources();
  } catch (error) {
    const why = `the event-source mappings could not be listed: ${describeError(error)}`;
    return { status: 'unknown', summary: `cannot check: ${why}`, reason: why, evidence: { sources: null }, links: [] };
  }
  const watched = mappings.filter((m) => m.service === 'sqs' || m.service === 'kinesis' || m.service === 'dynamodb');
  if (watched.length === 0) {
    return {
      status: 'ok',
      summary:
        mappings.length === 0
          ? 'no event-source mapping'
          : `${mappings.length} mapping(s), none of SQS, Kinesis or DynamoDB`,
      evidence: { sources: 0 },
      links: [],
      notApplicable: true,
    };
  }
  const [metrics, reservation] = await Promise.all([
    ctx.evidence.metrics().then(
      (m) => ({ ok: true as const, m }),
      (error: unknown) => ({ ok: false as const, why: describeError(error) }),
    ),
    ctx.evidence.reservedConcurrency(),
  ]);
  const sqs = sqsSourcesOf(watched);
  const findings = watched.map((mapping) =>
    mapping.service === 'sqs'
      ? sqsFinding(mapping, sqs.indexOf(mapping), metrics, reservation, params)
      : streamFinding(mapping, metrics, params),
  );
  findings.sort((a, b) => statusRank(b.status) - statusRank(a.status));
  const status = worst(...findings.map((f) => (f.unknown ? 'unknown' : f.status)));
  const lead = findings[0]!;
  const links: Link[] = watched
    .filter((m) => m.service === 'sqs')
    .slice(0, 2)
    .map((m) => queueLink(fn.region, m.sourceArn));
  return {
    status,
    summary: findings.map((f) => f.line).join(' · '),
    headline: lead.headline ?? lead.line,
    evidence: {
      sources: watched.length,
      ...Object.fromEntries(
        findings.flatMap((f, i) => Object.entries(f.evidence).map(([k, v]) => [`${k}${i === 0 ? '' : i}`, v])),
      ),
    },
    links,
    hints: isAtLeastWarn(lead.status) ? { source: lead.hint } : undefined,
    reason: status === 'unknown' ? findings.find((f) => f.unknown)?.unknown : undefined,
  };
}

type MetricsRead = { ok: true; m: FunctionMetrics } | { ok: false; why: string };

function sqsFinding(
  mapping: EventSourceInfo,
  index: number,
  metrics: MetricsRead,
  reservation: Reservation,
  params: CheckParams<'event-source-lag'>,
): Finding {
  const name = queueNameOf(mapping.sourceArn);
  const age = metrics.ok ? metrics.m.extra[extraIds.sqsAge(index)] : undefined;
  const visible = metrics.ok ? metrics.m.extra[extraIds.sqsVisible(index)] : undefined;
  const ageSeconds = valueOf(age);
  const waiting = valueOf(visible);
  const parts: string[] = [];
  const statuses: StepStatus[] = [];
  let headline: string | undefined;
  const unknown = !metrics.ok
    ? `the queue's metrics could not be read: ${metrics.why}`
    : age && !age.served
      ? `CloudWatch refused the metrics of ${name}`
      : undefined;

  const ageStatus = gradeAbove(ageSeconds, params.thresholds.oldestMessageAgeSeconds);
  const waitingStatus = gradeAbove(waiting, params.thresholds.visibleMessages);
  statuses.push(ageStatus, waitingStatus);
  parts.push(
    ageSeconds === undefined && waiting === undefined
      ? 'no queue metrics in the window'
      : `oldest message ${ageSeconds === undefined ? 'unknown' : formatAge(ageSeconds)}, ${formatCount(waiting ?? 0)} waiting`,
  );
  if (isAtLeastWarn(worst(ageStatus, waitingStatus))) {
    headline = `${name} is falling behind: oldest message ${formatAge(ageSeconds ?? 0)}, ${formatCount(waiting ?? 0)} waiting`;
  }

  const hint: Finding['hint'] = {
    uuid: mapping.uuid,
    name,
    state: mapping.state,
    maximumConcurrency: mapping.maximumConcurrency,
  };
  if (OFF_STATES.has(mapping.state)) {
    statuses.push(waiting && waiting > 0 ? 'critical' : 'warn');
    parts.unshift(`mapping ${mapping.state}${reasonOf(mapping)}`);
    headline = `the mapping from ${name} is ${mapping.state.toLowerCase()}${reasonOf(mapping)}${waiting ? ` with ${formatCount(waiting)} messages waiting` : ''}`;
  }

  const reserved = reservation.state === 'reserved' ? reservation.value : undefined;
  const cap = mapping.maximumConcurrency;
  if (cap !== undefined && reserved !== undefined && reserved < cap) {
    // Lambda's guidance: a MaximumConcurrency above the reserved concurrency makes the function throttle the mapping.
    statuses.push('warn');
    parts.push(
      `MaximumConcurrency ${formatCount(cap)} above reserved concurrency ${formatCount(reserved)}: the effective cap is ${formatCount(reserved)} and the extra batches are throttled`,
    );
    headline ??= `the mapping from ${name} may run ${formatCount(cap)} at once but ${formatCount(reserved)} are reserved: its extra batches are throttled`;
    if (reserved >= 2) hint.suggestedMaximumConcurrency = reserved;
  } else if (isAtLeastWarn(ageStatus) && metrics.ok) {
    const effective = Math.min(cap ?? Infinity, reserved ?? Infinity);
    const peak = metrics.m.current.peakConcurrency;
    if (Number.isFinite(effective) && peak !== undefined && peak >= effective) {
      const by =
        cap !== undefined && cap <= (reserved ?? Infinity)
          ? `its MaximumConcurrency ${formatCount(cap)}`
          : `reserved concurrency ${formatCount(effective)}`;
      parts.push(`held back by ${by} (peak ${formatCount(peak)})`);
      headline = `${name} is falling behind, held back by ${by}`;
      if (cap !== undefined && cap <= (reserved ?? Infinity)) {
        const raised = Math.min(cap * 2, reserved ?? 1000, 1000);
        if (raised > cap) hint.suggestedMaximumConcurrency = raised;
      }
    }
  }

  const failing = failingOf(mapping, metrics, params.poisonErrorPercent);
  if (failing && !OFF_STATES.has(mapping.state) && isAtLeastWarn(worst(ageStatus, waitingStatus))) {
    hint.failing = true;
    parts.push(`${failing} while messages pile up: a poison message? turning the mapping off stops the retries`);
  }

  const status = worst(...statuses);
  return {
    status,
    line: `${name}: ${parts.join(', ')}`,
    headline,
    hint,
    unknown,
    evidence: {
      source: name,
      sourceService: 'sqs',
      mappingUuid: mapping.uuid,
      mappingState: mapping.state,
      stateTransitionReason: mapping.stateTransitionReason ?? null,
      maximumConcurrency: cap ?? null,
      reservedConcurrency: reserved ?? null,
      oldestMessageAgeSeconds: ageSeconds ?? null,
      visibleMessages: waiting ?? null,
    },
  };
}

function streamFinding(
  mapping: EventSourceInfo,
  metrics: MetricsRead,
  params: CheckParams<'event-source-lag'>,
): Finding {
  const name = streamNameOf(mapping.sourceArn);
  const age = metrics.ok ? metrics.m.extra[extraIds.iteratorAge] : undefined;
  const iteratorAgeMs = age?.current;
  const statuses: StepStatus[] = [gradeAbove(iteratorAgeMs, params.thresholds.iteratorAgeMs)];
  const parts = [
    iteratorAgeMs === undefined ? 'no IteratorAge in the window' : `IteratorAge ${formatAge(iteratorAgeMs / 1000)}`,
  ];
  let headline =
    isAtLeastWarn(statuses[0]!) && iteratorAgeMs !== undefined
      ? `${name} is read ${formatAge(iteratorAgeMs / 1000)} behind its newest record`
      : undefined;
  const hint: Finding['hint'] = { uuid: mapping.uuid, name, state: mapping.state, maximumConcurrency: undefined };
  if (OFF_STATES.has(mapping.state)) {
    statuses.push('warn');
    parts.unshift(`mapping ${mapping.state}${reasonOf(mapping)}`);
    headline = `the mapping from ${name} is ${mapping.state.toLowerCase()}${reasonOf(mapping)}`;
  }
  if (mapping.lastProcessingResult?.startsWith('PROBLEM')) {
    statuses.push('warn');
    parts.push(`last poll: ${mapping.lastProcessingResult}`);
    headline ??= `the mapping from ${name} reports ${mapping.lastProcessingResult}`;
    hint.failing = true;
  }
  return {
    status: worst(...statuses),
    line: `${name} (${mapping.service}): ${parts.join(', ')}`,
    headline,
    hint,
    unknown: metrics.ok
      ? age && !age.served
        ? 'CloudWatch refused IteratorAge'
        : undefined
      : `IteratorAge could not be read: ${metrics.why}`,
    evidence: {
      source: name,
      sourceService: mapping.service,
      mappingUuid: mapping.uuid,
      mappingState: mapping.state,
      stateTransitionReason: mapping.stateTransitionReason ?? null,
      lastProcessingResult: mapping.lastProcessingResult ?? null,
      iteratorAgeMs: iteratorAgeMs ?? null,
    },
  };
}

/** A backlog whose function fails most invocations: the mapping keeps retrying the same messages. */
function failingOf(mapping: EventSourceInfo, metrics: MetricsRead, poisonErrorPercent: number): string | undefined {
  if (mapping.lastProcessingResult?.startsWith('PROBLEM')) return `last poll: ${mapping.lastProcessingResult}`;
  if (!metrics.ok) return undefined;
  const { invocations, errors } = metrics.m.current;
  const errorPercent = percentOf(errors, invocations);
  return invocations > 0 && errorPercent >= poisonErrorPercent
    ? `${formatPercent(errorPercent)} of invocations fail`
    : undefined;
}

function reasonOf(mapping: EventSourceInfo): string {
  return mapping.stateTransitionReason ? ` (${mapping.stateTransitionReason})` : '';
}

/** The newest datapoint (what waits now), else the window's statistic. */
function valueOf(result: ExtraMetricResult | undefined): number | undefined {
  return result?.latest ?? result?.current;
}

/** `…:stream/orders` → `orders`; `…:table/orders/stream/2026-…` → `orders`. */
function streamNameOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  const [kind, name] = resource.split('/');
  return (kind === 'stream' || kind === 'table') && name ? name : arn;
}
