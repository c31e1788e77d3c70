import { describeError } from '../errors';
import { formatAgo, formatClock, formatMs, formatPercent, formatRatio, formatVersion } from '../format';
import {
  ACTIVE_DEPLOYMENT_STATUSES,
  type DeploymentInfo,
  type DeploymentTarget,
  type FunctionMetrics,
  type MetricPoint,
} from '../ports';
import { aliasOwner, type AliasOwner } from './alias-owner';
import { compareAround, completeUntil, rateBetween, type Causation, type ErrorRate } from './deploy-causation';
import { gradeAbove, gradeBelow, round, worst } from './grade';
import { deploymentLink, lambdaAliasLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult, EvidenceValue, StepStatus } from './types';

/** Below this a change of the error rate is noise, not worth a mention. */
const NOTABLE_RATIO = 2;
/** Deployments whose targets are read while looking for the one that brought a version. */
const TARGET_LOOKUPS = 2;

interface Canary {
  version: string;
  weight: number;
}

/** The deployment that moved the alias to a version, with what CodeDeploy says it moved. */
interface Via {
  deployment: DeploymentInfo;
  target: DeploymentTarget;
}

/**
 * Did a new version start taking traffic shortly before the trouble, and did errors rise because
 * of it? During a canary (weighted alias) the canary's own error rate is compared with the
 * stable version's over the same minutes (ExecutedVersion); otherwise the alias's error rate
 * before the version took traffic with the rate after. Both read the one GetMetricData of the
 * diagnosis.
 */
export async function recentDeployCheck(ctx: CheckContext, params: CheckParams<'recent-deploy'>): Promise<CheckResult> {
  const { fn, now } = ctx;
  const canary = canaryOf(fn.routing);
  const liveVersion = canary?.version ?? fn.version;

  let deploymentsProblem: string | undefined;
  const deployments = await ctx.evidence.deployments().catch((error: unknown) => {
    deploymentsProblem = describeError(error);
    return null;
  });
  const owner = await aliasOwner({
    fn,
    alias: fn.alias,
    activeDeployment: async () => {
      const listed = await ctx.evidence.deployments();
      return listed?.find((d) => ACTIVE_DEPLOYMENT_STATUSES.has(d.status));
    },
    target: (id) => ctx.evidence.deploymentTarget(id),
  });
  const via = await deploymentThatBrought(liveVersion, owner, deployments ?? [], ctx);
  // The earliest moment the version can have taken traffic: a rise that begins before it is not its
  // doing. Metrics are waited for only when they can say something: a canary, or a moment with
  // data on both sides of it in the two windows.
  const known = canary ? via?.deployment.createdAt : (via?.deployment.createdAt ?? fn.versionModifiedAt);
  const compares = canary !== undefined || (known !== undefined && known >= ctx.previous.start);
  const metrics = compares ? await ctx.evidence.metrics().catch(() => undefined) : undefined;
  const firstSeen =
    canary && metrics ? firstInvocation(metrics.byVersion[canary.version]?.invocations ?? []) : undefined;
  const moment = canary ? (firstSeen ?? known) : known;
  const links = [
    lambdaAliasLink(fn.region, fn.name, fn.alias),
    ...(via ? [deploymentLink(fn.region, via.deployment.id)] : []),
    ...(owner.kind === 'codedeploy' && owner.deployment.id !== via?.deployment.id
      ? [deploymentLink(fn.region, owner.deployment.id)]
      : []),
  ];
  if (!moment && !canary) {
    return {
      status: 'unknown',
      summary: `cannot tell when ${formatVersion(fn.version)} went live`,
      reason: 'the version has no publication time and no deployment names it',
      evidence: { version: fn.version },
      links,
    };
  }

  const until = completeUntil(now, fn.timeoutSeconds);
  const judged = canary
    ? judgeCanary(canary, fn.version, moment, metrics, until, params)
    : compares
      ? judgeDeploy(fn.version, moment!, metrics, ctx.previous.start, until, params)
      : notCompared;
  const minutesSince = moment ? (now.getTime() - moment.getTime()) / 60_000 : undefined;
  // A canary still shifting traffic is worth a look however long it has run.
  const recency = minutesSince === undefined ? 'warn' : gradeBelow(minutesSince, params.thresholds.minutesSinceDeploy);
  const status: StepStatus = worst(recency, judged.status);

  const active = deployments?.find((d) => ACTIVE_DEPLOYMENT_STATUSES.has(d.status));
  const parts = [
    canary
      ? `canary: ${formatVersion(canary.version)} takes ${weightText(canary.weight)}${moment ? ` since ${formatClock(moment)}` : ''} (${ownerText(owner)})`
      : `${formatVersion(fn.version)} went live ${formatAgo(moment!, now)}${via ? ` (${describeDeployment(via.deployment)})` : ''}`,
    ...judged.parts,
  ];
  if (active && active.id !== via?.deployment.id && !(owner.kind === 'codedeploy' && canary)) {
    parts.push(`deployment ${active.id} is ${active.status}`);
  }
  if (owner.kind === 'unknown' && !canary) parts.push(`CodeDeploy ownership unknown: ${owner.reason}`);
  if (fn.routingUnavailable) parts.push(`alias weights unknown: ${fn.routingUnavailable}`);
  if (deploymentsProblem) parts.push(`deployments unavailable: ${deploymentsProblem}`);

  const stopDeployment = owner.kind === 'codedeploy' ? owner.deployment.id : undefined;
  return {
    status,
    summary: parts.join(' · '),
    headline:
      judged.headline ??
      (canary
        ? `canary ${formatVersion(canary.version)} takes ${weightText(canary.weight)} of ${fn.alias}`
        : `${formatVersion(fn.version)} went live ${formatAgo(moment!, now)}`),
    evidence: {
      version: fn.version,
      wentLiveAt: moment?.toISOString() ?? null,
      minutesSinceDeploy: minutesSince === undefined ? null : Math.round(minutesSince),
      deploymentId: via?.deployment.id ?? null,
      deploymentStatus: via?.deployment.status ?? null,
      deploymentConfig: via?.deployment.configName ?? null,
      previousVersion: via?.target.currentVersion ?? null,
      activeDeploymentId: active?.id ?? null,
      canaryVersion: canary?.version ?? null,
      canaryWeight: canary?.weight ?? null,
      aliasOwner: owner.kind,
      aliasOwnerReason: owner.kind === 'codedeploy' ? null : owner.reason,
      deploymentsUnavailable: deploymentsProblem ?? null,
      ...judged.evidence,
    },
    links,
    hints: {
      rollback: canary
        ? {
            fromVersion: canary.version,
            toVersion: fn.version,
            deploymentId: stopDeployment,
            canary: { version: canary.version, weight: canary.weight },
          }
        : {
            fromVersion: fn.version,
            toVersion: via?.target.currentVersion,
            deploymentId: stopDeployment ?? active?.id,
          },
    },
  };
}

interface Judged {
  status: StepStatus;
  parts: string[];
  headline: string | undefined;
  evidence: Record<string, EvidenceValue>;
}

/** A version live since before both windows: nothing in them is "before" it. */
const notCompared: Judged = {
  status: 'ok',
  parts: [],
  headline: undefined,
  evidence: { errorRateBefore: null, errorRateAfter: null, errorRateRatio: null, errorsBeganAt: null },
};

/** The canary's errors and p99 against the stable version's, over the minutes both took traffic. */
function judgeCanary(
  canary: Canary,
  stableVersion: string,
  since: Date | undefined,
  metrics: FunctionMetrics | undefined,
  until: Date,
  params: CheckParams<'recent-deploy'>,
): Judged {
  const none = (part: string): Judged => ({
    status: 'ok',
    parts: [part],
    headline: undefined,
    evidence: { canaryErrorPercent: null, stableErrorPercent: null, errorRateRatio: null },
  });
  if (!metrics) return none('per-version metrics unavailable');
  const canarySeries = metrics.byVersion[canary.version];
  const stableSeries = metrics.byVersion[stableVersion];
  if (!canarySeries || !stableSeries || !since) return none(`no traffic on ${formatVersion(canary.version)} yet`);
  const period = metrics.periodSeconds;
  const rateOf = (s: typeof canarySeries) =>
    rateBetween({ invocations: s.invocations, errors: s.errors, periodSeconds: period }, since, until);
  const canaryRate = rateOf(canarySeries);
  const stableRate = rateOf(stableSeries);
  if (canaryRate.invocations === 0 || stableRate.invocations === 0) {
    return none(`no complete minutes on both ${formatVersion(canary.version)} and ${formatVersion(stableVersion)} yet`);
  }

  const ratio = blameRatio(stableRate, canaryRate, params);
  const parts = [
    `errors ${formatVersion(canary.version)} ${formatPercent(canaryRate.percent)} vs ${formatVersion(stableVersion)} ${formatPercent(stableRate.percent)}`,
  ];
  const canaryP99 = canarySeries.durationP99Ms;
  const stableP99 = stableSeries.durationP99Ms;
  if (canaryP99 !== undefined && stableP99 !== undefined) {
    parts.push(
      `p99 ${formatVersion(canary.version)} ${formatMs(canaryP99)} vs ${formatVersion(stableVersion)} ${formatMs(stableP99)}`,
    );
  }
  let onset: Date | undefined;
  if (ratio !== undefined && ratio >= NOTABLE_RATIO) {
    const threshold = (stableRate.percent + canaryRate.percent) / 2;
    onset = firstAtOrAbove(canarySeries.invocations, canarySeries.errors, since, until, threshold);
    if (onset) parts.push(`errors began ${formatClock(onset)}, after ${formatVersion(canary.version)} took traffic`);
  }
  const blamed = ratio !== undefined && ratio >= NOTABLE_RATIO;
  return {
    status: gradeAbove(ratio, params.thresholds.errorRateRatio),
    parts,
    headline: blamed
      ? `canary ${formatVersion(canary.version)} fails ${formatPercent(canaryRate.percent)} of its invocations against ${formatPercent(stableRate.percent)} on ${formatVersion(stableVersion)}`
      : undefined,
    evidence: {
      canaryErrorPercent: round(canaryRate.percent, 3),
      stableErrorPercent: round(stableRate.percent, 3),
      canaryP99Ms: canaryP99 ?? null,
      stableP99Ms: stableP99 ?? null,
      errorRateRatio: ratio === undefined || !Number.isFinite(ratio) ? null : round(ratio),
      errorsBeganAt: onset?.toISOString() ?? null,
    },
  };
}

/** The alias's error rate before the version took traffic against the rate after. */
function judgeDeploy(
  version: string,
  moment: Date,
  metrics: FunctionMetrics | undefined,
  from: Date,
  until: Date,
  params: CheckParams<'recent-deploy'>,
): Judged {
  const v = formatVersion(version);
  const empty = { errorRateBefore: null, errorRateAfter: null, errorRateRatio: null, errorsBeganAt: null };
  if (!metrics) return { status: 'ok', parts: ['error rates unavailable'], headline: undefined, evidence: empty };
  const causation: Causation = compareAround(
    { ...metrics.timeline, periodSeconds: metrics.periodSeconds },
    from,
    moment,
    until,
  );
  if (causation.kind === 'no-data') {
    // Too old to have a "before" in range is the usual case and says nothing; too new is worth saying.
    const parts = causation.missing === 'after' ? [`no complete minutes since ${v} took traffic yet`] : [];
    return { status: 'ok', parts, headline: undefined, evidence: { ...empty, errorsBeganAt: null } };
  }
  const { before, after, onset, beganBefore } = causation;
  const evidence = {
    errorRateBefore: round(before.percent, 3),
    errorRateAfter: round(after.percent, 3),
    errorRateRatio: before.percent > 0 ? round(after.percent / before.percent) : null,
    errorsBeganAt: onset?.toISOString() ?? null,
    errorsBeganBeforeDeploy: beganBefore,
  };
  if (beganBefore && onset) {
    return {
      status: 'ok',
      parts: [`errors began ${formatClock(onset)}, before ${v} took traffic (${formatClock(moment)})`],
      headline: undefined,
      evidence,
    };
  }
  const ratio = blameRatio(before, after, params);
  if (ratio === undefined || ratio < NOTABLE_RATIO) return { status: 'ok', parts: [], headline: undefined, evidence };
  const parts = [`errors ${rise(before, after)} since`];
  if (onset) parts.push(`errors began ${formatClock(onset)}, after ${v} took traffic`);
  return {
    status: gradeAbove(ratio, params.thresholds.errorRateRatio),
    parts,
    headline: `errors rose ${rise(before, after)} after ${v} took traffic`,
    evidence,
  };
}

/**
 * How many times the baseline the new rate is, for grading: infinite from a zero baseline, and
 * undefined while the new rate stays below the runbook's floor (3 errors in 10,000 are not a bad deploy).
 */
function blameRatio(
  baseline: ErrorRate,
  observed: ErrorRate,
  params: CheckParams<'recent-deploy'>,
): number | undefined {
  if (observed.percent < params.minErrorPercent) return undefined;
  return baseline.percent > 0 ? observed.percent / baseline.percent : Number.POSITIVE_INFINITY;
}

/** "0 → 4.6%" from a zero baseline (a ratio against zero means nothing); "0.1% → 6.0% (×60)" otherwise. */
function rise(before: ErrorRate, after: ErrorRate): string {
  if (before.percent === 0) return `0 → ${formatPercent(after.percent)}`;
  const ratio = after.percent / before.percent;
  return `${formatPercent(before.percent)} → ${formatPercent(after.percent)}${ratio >= NOTABLE_RATIO ? ` (${formatRatio(ratio)})` : ''}`;
}

/**
 * The deployment that moved the alias to `version`: the active one when CodeDeploy is moving it
 * now, else the newest of the group's deployments whose target says so.
 */
async function deploymentThatBrought(
  version: string,
  owner: AliasOwner,
  deployments: DeploymentInfo[],
  ctx: CheckContext,
): Promise<Via | undefined> {
  if (owner.kind === 'codedeploy' && owner.target?.targetVersion === version) {
    return { deployment: owner.deployment, target: owner.target };
  }
  for (const deployment of deployments.slice(0, TARGET_LOOKUPS)) {
    if (deployment.status === 'Failed' || deployment.status === 'Stopped') continue;
    const target = await ctx.evidence.deploymentTarget(deployment.id).catch(() => undefined);
    if (target?.targetVersion === version) return { deployment, target };
  }
  return undefined;
}

/** The additional version of a weighted alias and its share; Lambda allows one. */
function canaryOf(routing: Record<string, number>): Canary | undefined {
  const [entry] = Object.entries(routing).filter(([, weight]) => weight > 0);
  return entry ? { version: entry[0], weight: entry[1] } : undefined;
}

function firstInvocation(points: MetricPoint[]): Date | undefined {
  return points.find((p) => p.value > 0)?.at;
}

function firstAtOrAbove(
  invocations: MetricPoint[],
  errors: MetricPoint[],
  from: Date,
  until: Date,
  thresholdPercent: number,
): Date | undefined {
  const errorsAt = new Map(errors.map((p) => [p.at.getTime(), p.value]));
  return invocations.find((p) => {
    const e = errorsAt.get(p.at.getTime()) ?? 0;
    return (
      p.at.getTime() >= from.getTime() &&
      p.at.getTime() < until.getTime() &&
      p.value > 0 &&
      e > 0 &&
      (e / p.value) * 100 >= thresholdPercent
    );
  })?.at;
}

function weightText(weight: number): string {
  return formatPercent(weight * 100);
}

function ownerText(owner: AliasOwner): string {
  switch (owner.kind) {
    case 'codedeploy':
      return describeDeployment(owner.deployment);
    case 'manual':
      return 'manual';
    case 'unknown':
      return `owner unknown: ${owner.reason}`;
  }
}

function describeDeployment(d: DeploymentInfo): string {
  return [
    'CodeDeploy',
    d.id + (d.configName ? `, ${d.configName.replace(/^CodeDeployDefault\.(Lambda)?/, '')}` : ''),
  ].join(' ');
}
