import { aliasOwner, type AliasOwnerInputs } from '../../src/checks/alias-owner';
import { ErrorCode, GofnError } from '../../src/errors';
import type { DeploymentInfo, DeploymentTarget } from '../../src/ports';

const active: DeploymentInfo = {
  id: 'd-8RT1EXAMPLE',
  application: 'orders',
  group: 'orders-api-live',
  status: 'InProgress',
  createdAt: new Date('2026-11-26T14:51:04Z'),
  completedAt: undefined,
  configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
};

function target(functionName: string, alias: string): DeploymentTarget {
  return {
    deploymentId: active.id,
    functionName,
    alias,
    currentVersion: '42',
    targetVersion: '43',
    targetVersionWeight: 0.1,
    status: 'InProgress',
    lastUpdatedAt: undefined,
  };
}

function inputs(overrides: Partial<AliasOwnerInputs> = {}): AliasOwnerInputs {
  return {
    fn: { name: 'orders-api', tags: { 'gofn:deployment-group': 'orders/orders-api-live' } },
    alias: 'live',
    activeDeployment: async () => active,
    target: async () => target('orders-api', 'live'),
    ...overrides,
  };
}

describe('who owns the alias', () => {
  it('is CodeDeploy while a deployment of the tagged group moves this alias', async () => {
    // Act
    const owner = await aliasOwner(inputs());

    // Assess
    expect(owner).toEqual({ kind: 'codedeploy', deployment: active, target: target('orders-api', 'live') });
  });

  it('is manual when the group deploys another alias right now', async () => {
    // Act
    const owner = await aliasOwner(inputs({ target: async () => target('orders-api', 'beta') }));

    // Assess
    expect(owner).toEqual({
      kind: 'manual',
      reason: 'deployment d-8RT1EXAMPLE of orders/orders-api-live moves orders-api:beta, not orders-api:live',
    });
  });

  it('stays CodeDeploy when the target cannot be read: the tag says the group deploys the function', async () => {
    // Act
    const owner = await aliasOwner(
      inputs({ target: () => Promise.reject(new GofnError(ErrorCode.AccessDenied, 'denied')) }),
    );

    // Assess
    expect(owner.kind).toBe('codedeploy');
  });

  it('is unknown, never manual, when CodeDeploy cannot be asked', async () => {
    // Act
    const owner = await aliasOwner(
      inputs({
        activeDeployment: () =>
          Promise.reject(new GofnError(ErrorCode.AccessDenied, 'CodeDeploy ListDeployments was denied.')),
      }),
    );

    // Assess
    expect(owner).toEqual({
      kind: 'unknown',
      reason:
        'CodeDeploy could not say whether orders/orders-api-live is deploying: CodeDeploy ListDeployments was denied.',
    });
  });

  it('is unknown when the tags could not be read, without asking CodeDeploy', async () => {
    // Prepare
    const asked: string[] = [];

    // Act
    const owner = await aliasOwner(
      inputs({
        fn: { name: 'orders-api', tags: {}, tagsUnavailable: 'Lambda ListTags was denied' },
        activeDeployment: async () => {
          asked.push('active');
          return undefined;
        },
      }),
    );

    // Assess
    expect(owner.kind).toBe('unknown');
    expect(asked).toEqual([]);
  });

  it('is manual when no tag links the function to CodeDeploy, or nothing is in progress', async () => {
    // Act
    const untagged = await aliasOwner(inputs({ fn: { name: 'orders-api', tags: {} } }));
    const idle = await aliasOwner(inputs({ activeDeployment: async () => undefined }));

    // Assess
    expect(untagged).toEqual({ kind: 'manual', reason: 'no gofn:deployment-group tag links orders-api to CodeDeploy' });
    expect(idle).toEqual({ kind: 'manual', reason: 'no deployment of orders/orders-api-live is in progress' });
  });
});
