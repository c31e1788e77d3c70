import { checkParams } from '../../src/checks/params';
import { recentDeployCheck } from '../../src/checks/recent-deploy';
import type { CheckContext } from '../../src/checks/types';
import { ErrorCode, GofnError } from '../../src/errors';
import type { DeploymentInfo, DeploymentTarget, MetricPoint } from '../../src/ports';
import { checkContext } from '../support/check-context';
import { fakeSources, NOW, type FakeData } from '../support/fake-sources';

const params = checkParams['recent-deploy'].parse({
  thresholds: { minutesSinceDeploy: { warn: 120 }, errorRateRatio: { critical: 3 } },
});

/** The minute the windows end at (NOW rounded down): 15:05. */
const END = Math.floor(NOW.getTime() / 60_000) * 60_000;
const ago = (minutes: number) => new Date(END - minutes * 60_000);

/** Per-minute points for the minutes from `from` to `to` minutes ago. */
function perMinute(from: number, to: number, value: number): MetricPoint[] {
  return Array.from({ length: from - to }, (_, i) => ({ at: ago(from - i), value }));
}

/** The alias's timeline: `invocations` a minute, `errors` a minute in each stretch. */
function timeline(...stretches: [from: number, to: number, invocations: number, errors: number][]) {
  return {
    invocations: stretches.flatMap(([from, to, invocations]) => perMinute(from, to, invocations)),
    errors: stretches.flatMap(([from, to, , errors]) => perMinute(from, to, errors)),
  };
}

function context(data: Partial<FakeData> = {}): CheckContext {
  return checkContext(fakeSources(data), data.fn);
}

function deployment(overrides: Partial<DeploymentInfo>): DeploymentInfo {
  return {
    id: 'd-7QX2ABCDE',
    application: 'payments',
    group: 'payments-live',
    status: 'Succeeded',
    createdAt: ago(23),
    completedAt: ago(22),
    configName: 'CodeDeployDefault.LambdaAllAtOnce',
    ...overrides,
  };
}

function target(overrides: Partial<DeploymentTarget>): DeploymentTarget {
  return {
    deploymentId: 'd-7QX2ABCDE',
    functionName: 'orders-api',
    alias: 'live',
    currentVersion: '16',
    targetVersion: '17',
    targetVersionWeight: 1,
    status: 'Succeeded',
    lastUpdatedAt: ago(22),
    ...overrides,
  };
}

const deployGroupTag = { 'gofn:deployment-group': 'payments/payments-live' };

describe('recent deploy: before and after the moment a version took traffic', () => {
  it('blames a deploy when errors rose after it, with the versions CodeDeploy reports', async () => {
    // Prepare: 0.1% errors until the deployment started 23 minutes before 15:05, 6% since.
    const ctx = context({
      fn: { version: '17', tags: deployGroupTag },
      deployments: [deployment({})],
      deploymentTargets: [target({})],
      timeline: timeline([120, 23, 1000, 1], [23, 0, 1000, 60]),
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe(
      'v17 went live 24 min ago (CodeDeploy d-7QX2ABCDE, AllAtOnce) · errors 0.1% → 6.0% (×60) since · errors began 14:42, after v17 took traffic',
    );
    expect(result.headline).toBe('errors rose 0.1% → 6.0% (×60) after v17 took traffic');
    expect(result.evidence).toMatchObject({ errorRateBefore: 0.1, errorRateAfter: 6, errorRateRatio: 60 });
    expect(result.hints?.rollback).toEqual({ fromVersion: '17', toVersion: '16', deploymentId: undefined });
  });

  it('reads a rise from no errors at all as "0 → 4.6%", never as a ratio', async () => {
    // Prepare
    const ctx = context({
      fn: { version: '17', tags: deployGroupTag },
      deployments: [deployment({})],
      deploymentTargets: [target({})],
      timeline: timeline([120, 23, 1000, 0], [23, 0, 1000, 46]),
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toContain('errors 0 → 4.6% since');
    expect(result.summary).not.toContain('×');
    expect(result.evidence.errorRateRatio).toBeNull();
  });

  it('does not blame a deploy for errors that began before it', async () => {
    // Prepare: errors from 40 minutes ago; v18 published and live 15 minutes ago.
    const ctx = context({
      fn: { version: '18', versionModifiedAt: ago(15) },
      timeline: timeline([120, 40, 1000, 1], [40, 0, 1000, 50]),
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess: a recent deploy is still worth a look, but not the cause.
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('v18 went live 16 min ago · errors began 14:25, before v18 took traffic (14:50)');
    expect(result.evidence).toMatchObject({ errorsBeganBeforeDeploy: true, errorsBeganAt: ago(40).toISOString() });
  });

  it('says nothing about a rise when the version has no complete minute after it yet', async () => {
    // Prepare: errors all hour; v18 published a minute ago.
    const ctx = context({
      fn: { version: '18', versionModifiedAt: ago(1) },
      timeline: timeline([120, 60, 1000, 0], [60, 0, 1000, 455]),
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('v18 went live 2 min ago · no complete minutes since v18 took traffic yet');
  });

  it('leaves the newest minutes out: CloudWatch is still filling them in', async () => {
    // Prepare: a clean 10 minutes since the deploy, then two half-filled minutes that look bad.
    const ctx = context({
      fn: { version: '18', versionModifiedAt: ago(12) },
      timeline: timeline([120, 2, 1000, 1], [2, 0, 3, 2]),
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('v18 went live 13 min ago');
  });

  it('does not blame a deploy for a rise too small to matter', async () => {
    // Prepare: 0 → 0.3%, below the runbook's 0.5% floor.
    const ctx = context({
      fn: { version: '18', versionModifiedAt: ago(30) },
      timeline: timeline([120, 30, 1000, 0], [30, 0, 1000, 3]),
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('v18 went live 31 min ago');
  });

  it('is ok for a version that has been live for days', async () => {
    // Act
    const result = await recentDeployCheck(context(), params);

    // Assess
    expect(result.status).toBe('ok');
    expect(result.summary).toBe('v42 went live 3 d ago');
  });
});

describe('recent deploy: a canary in progress', () => {
  const canaryDeployment = deployment({
    id: 'd-8RT1EXAMPLE',
    status: 'InProgress',
    createdAt: ago(15),
    completedAt: undefined,
    configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
  });
  const canaryTarget = target({
    deploymentId: 'd-8RT1EXAMPLE',
    currentVersion: '42',
    targetVersion: '43',
    targetVersionWeight: 0.1,
    status: 'InProgress',
  });
  /** v42 takes 90 a minute with `stableErrors`; v43 10 a minute from 14 minutes ago with `canaryErrors`. */
  function byVersion(stableErrors: number, canaryErrors: number) {
    return {
      '42': {
        invocations: [...perMinute(120, 14, 100), ...perMinute(14, 0, 90)],
        errors: [...perMinute(120, 14, 0), ...perMinute(14, 0, stableErrors)],
        durationP99Ms: 310,
      },
      '43': {
        invocations: perMinute(14, 0, 10),
        errors: perMinute(14, 0, canaryErrors),
        durationP99Ms: 900,
      },
    };
  }

  it('names the canary, its owner and its errors against the stable version', async () => {
    // Prepare
    const ctx = context({
      fn: { version: '42', routing: { '43': 0.1 }, tags: deployGroupTag },
      deployments: [canaryDeployment],
      deploymentTargets: [canaryTarget],
      byVersion: byVersion(0, 1),
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess: 10% of 14 minutes' traffic on v43, failing one in ten; the stable version never fails.
    expect(result.status).toBe('critical');
    expect(result.summary).toBe(
      'canary: v43 takes 10% since 14:51 (CodeDeploy d-8RT1EXAMPLE, Canary10Percent5Minutes) · errors v43 10% vs v42 0% · p99 v43 900 ms vs v42 310 ms · errors began 14:51, after v43 took traffic',
    );
    expect(result.evidence).toMatchObject({
      canaryVersion: '43',
      canaryWeight: 0.1,
      aliasOwner: 'codedeploy',
      deploymentId: 'd-8RT1EXAMPLE',
      canaryErrorPercent: 10,
      stableErrorPercent: 0,
      errorRateRatio: null,
    });
    expect(result.hints?.rollback).toEqual({
      fromVersion: '43',
      toVersion: '42',
      deploymentId: 'd-8RT1EXAMPLE',
      canary: { version: '43', weight: 0.1 },
    });
  });

  it('does not blame a canary that fails no more than the stable version', async () => {
    // Prepare: a manual canary; both versions fail 5%.
    const ctx = context({
      fn: { version: '42', routing: { '43': 0.1 }, tags: {} },
      byVersion: {
        '42': { invocations: perMinute(30, 0, 90), errors: perMinute(30, 0, 4.5), durationP99Ms: 300 },
        '43': { invocations: perMinute(14, 0, 10), errors: perMinute(14, 0, 0.5), durationP99Ms: 320 },
      },
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe(
      'canary: v43 takes 10% since 14:51 (manual) · errors v43 5.0% vs v42 5.0% · p99 v43 320 ms vs v42 300 ms',
    );
    expect(result.evidence.aliasOwner).toBe('manual');
  });

  it('says who owns the canary is unknown when the tags cannot be read', async () => {
    // Prepare
    const ctx = context({
      fn: { version: '42', routing: { '43': 0.1 }, tags: {}, tagsUnavailable: 'Lambda ListTags was denied' },
      byVersion: byVersion(0, 0),
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess
    expect(result.summary).toMatch(
      /^canary: v43 takes 10% since 14:51 \(owner unknown: the tags of orders-api could not be read \(Lambda ListTags was denied\)/,
    );
    expect(result.evidence.aliasOwner).toBe('unknown');
    expect(result.hints?.rollback?.deploymentId).toBeUndefined();
  });

  it('says CodeDeploy could not be asked rather than calling the canary manual', async () => {
    // Prepare
    const ctx = context({
      fn: { version: '42', routing: { '43': 0.1 }, tags: deployGroupTag },
      byVersion: byVersion(0, 0),
      fail: { listRecentDeployments: new GofnError(ErrorCode.AccessDenied, 'CodeDeploy ListDeployments was denied.') },
    });

    // Act
    const result = await recentDeployCheck(ctx, params);

    // Assess
    expect(result.evidence.aliasOwner).toBe('unknown');
    expect(result.summary).toContain(
      'owner unknown: CodeDeploy could not say whether payments/payments-live is deploying',
    );
    expect(result.summary).toContain('deployments unavailable: CodeDeploy ListDeployments was denied.');
  });
});
