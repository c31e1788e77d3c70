import { describeError } from '../errors';
import { formatAgo, formatPercent, formatRatio, formatVersion } from '../format';
import { ACTIVE_DEPLOYMENT_STATUSES, type DeploymentInfo } from '../ports';
import { gradeAbove, gradeBelow, percentOf, round, worst } from './grade';
import { deploymentLink, lambdaAliasLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult } from './types';

/** Below this a change of the error rate is noise, not worth a mention. */
const NOTABLE_RATIO = 2;

/** The error rate of a window with no errors, so a ratio against it stays finite (0.01%). */
const RATE_FLOOR_PERCENT = 0.01;

export async function recentDeployCheck(ctx: CheckContext, params: CheckParams<'recent-deploy'>): Promise<CheckResult> {
  const { fn, now, previous } = ctx;
  let deployments: DeploymentInfo[] | null = null;
  let deploymentsProblem: string | undefined;
  try {
    deployments = await ctx.evidence.deployments();
  } catch (error) {
    deploymentsProblem = describeError(error);
  }

  const deployment = deployments?.find((d) => d.targetVersion === fn.version) ?? deployments?.[0];
  const active = deployments?.find((d) => ACTIVE_DEPLOYMENT_STATUSES.has(d.status));
  const wentLiveAt =
    (deployment?.targetVersion === fn.version ? (deployment.completedAt ?? deployment.createdAt) : undefined) ??
    fn.versionModifiedAt;
  if (!wentLiveAt) {
    return {
      status: 'unknown',
      summary: `cannot tell when ${formatVersion(fn.version)} went live`,
      reason: 'the version has no publication time and no deployment names it',
      evidence: { version: fn.version },
      links: [lambdaAliasLink(fn.region, fn.name, fn.alias)],
    };
  }

  const minutesSince = (now.getTime() - wentLiveAt.getTime()) / 60000;
  let status = gradeBelow(minutesSince, params.thresholds.minutesSinceDeploy);
  // A deploy that happened after the previous window began splits "before" from "after"; only
  // then does a rise in the error rate point at it.
  let ratio: number | undefined;
  let currentRate: number | undefined;
  let previousRate: number | undefined;
  if (wentLiveAt >= previous.start) {
    const metrics = await ctx.evidence.metrics().catch(() => undefined);
    if (metrics) {
      currentRate = percentOf(metrics.current.errors, metrics.current.invocations);
      previousRate = percentOf(metrics.previous.errors, metrics.previous.invocations);
      ratio = currentRate / Math.max(previousRate, RATE_FLOOR_PERCENT);
      status = worst(status, gradeAbove(ratio, params.thresholds.errorRateRatio));
    }
  }

  const via = deployment && deployment.targetVersion === fn.version ? describeDeployment(deployment) : undefined;
  const parts = [`${formatVersion(fn.version)} went live ${formatAgo(wentLiveAt, now)}${via ? ` (${via})` : ''}`];
  const routed = Object.entries(fn.routing);
  if (routed.length > 0) {
    parts.push(
      `alias also routes ${routed.map(([v, w]) => `${Math.round(w * 100)}% to ${formatVersion(v)}`).join(', ')}`,
    );
  }
  if (active) parts.push(`deployment ${active.id} is ${active.status}`);
  if (ratio !== undefined && currentRate !== undefined && previousRate !== undefined && ratio >= NOTABLE_RATIO) {
    parts.push(`errors ${formatRatio(ratio)} since (${formatPercent(currentRate)} vs ${formatPercent(previousRate)})`);
  }
  if (deploymentsProblem) parts.push(`deployments unavailable: ${deploymentsProblem}`);

  const toVersion = deployment?.targetVersion === fn.version ? deployment.currentVersion : undefined;
  return {
    status,
    summary: parts.join(' · '),
    headline:
      ratio !== undefined && ratio >= NOTABLE_RATIO
        ? `${formatVersion(fn.version)} went live ${formatAgo(wentLiveAt, now)} and errors rose ${formatRatio(ratio)}`
        : `${formatVersion(fn.version)} went live ${formatAgo(wentLiveAt, now)}`,
    evidence: {
      version: fn.version,
      wentLiveAt: wentLiveAt.toISOString(),
      minutesSinceDeploy: Math.round(minutesSince),
      deploymentId: deployment?.id ?? null,
      deploymentStatus: deployment?.status ?? null,
      deploymentConfig: deployment?.configName ?? null,
      previousVersion: toVersion ?? null,
      activeDeploymentId: active?.id ?? null,
      errorRateRatio: ratio === undefined ? null : round(ratio),
      deploymentsUnavailable: deploymentsProblem ?? null,
    },
    links: [
      lambdaAliasLink(fn.region, fn.name, fn.alias),
      ...(deployment ? [deploymentLink(fn.region, deployment.id)] : []),
    ],
    hints: { rollback: { fromVersion: fn.version, toVersion, deploymentId: active?.id } },
  };
}

function describeDeployment(d: DeploymentInfo): string {
  return [
    'CodeDeploy',
    d.id + (d.configName ? `, ${d.configName.replace(/^CodeDeployDefault\.(Lambda)?/, '')}` : ''),
  ].join(' ');
}
