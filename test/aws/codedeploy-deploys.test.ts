import {
  ApplicationDoesNotExistException,
  BatchGetDeploymentsCommand,
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  type BatchGetDeploymentsCommandInput,
  type DeploymentInfo,
} from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CodeDeployDeploys } from '../../src/aws/codedeploy-deploys';
import type { GofnError } from '../../src/errors';
import { ErrorCode } from '../../src/errors';
import { canaryDeployment, canaryDeploymentId, canaryTargets } from '../fixtures/aws/codedeploy-deployments';
import { notStarted, targetDoesNotExist } from '../fixtures/aws/codedeploy-errors';
import { mockedClients, rejectionOf } from './helpers';

const codeDeploy = mockClient(CodeDeployClient);

const group = { application: 'orders', group: 'orders-api-live' };
const since = new Date('2024-05-01T10:00:00Z');

function deployment(id: string, createdMinute: number, status: DeploymentInfo['status']): DeploymentInfo {
  return {
    ...canaryDeployment,
    deploymentId: id,
    status,
    createTime: new Date(since.getTime() + createdMinute * 60_000),
    completeTime: status === 'Succeeded' ? new Date(since.getTime() + (createdMinute + 6) * 60_000) : undefined,
    computePlatform: 'Lambda',
  };
}

describe('CodeDeployDeploys', () => {
  beforeEach(() => codeDeploy.reset());

  it('lists deployments created since a time, newest first', async () => {
    // Prepare
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OLD', 'd-NEW'] });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [deployment('d-OLD', 5, 'Succeeded'), deployment('d-NEW', 50, 'InProgress')],
    });
    const deploys = new CodeDeployDeploys(mockedClients());

    // Act
    const list = await deploys.listRecentDeployments(group, since);

    // Assess
    expect(codeDeploy).toHaveReceivedCommandWith(ListDeploymentsCommand, {
      applicationName: 'orders',
      deploymentGroupName: 'orders-api-live',
      createTimeRange: { start: since },
    });
    expect(codeDeploy).toHaveReceivedCommandTimes(BatchGetDeploymentsCommand, 1);
    expect(list).toEqual([
      {
        id: 'd-NEW',
        application: 'orders',
        group: 'orders-api-live',
        status: 'InProgress',
        createdAt: new Date('2024-05-01T10:50:00Z'),
        completedAt: undefined,
        configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      },
      expect.objectContaining({ id: 'd-OLD', status: 'Succeeded' }),
    ]);
  });

  it('asks for details 25 deployment IDs at a time', async () => {
    // Prepare
    const ids = Array.from({ length: 60 }, (_, i) => `d-${i}`);
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ids });
    codeDeploy.on(BatchGetDeploymentsCommand).callsFake(async (input: BatchGetDeploymentsCommandInput) => ({
      deploymentsInfo: (input.deploymentIds ?? []).map((id) => deployment(id, 1, 'Succeeded')),
    }));
    const deploys = new CodeDeployDeploys(mockedClients());

    // Act
    const list = await deploys.listRecentDeployments(group, since);

    // Assess
    const sizes = codeDeploy.commandCalls(BatchGetDeploymentsCommand).map((c) => c.args[0].input.deploymentIds?.length);
    expect(sizes).toEqual([25, 25, 10]);
    expect(list).toHaveLength(60);
  });

  it('sends no BatchGetDeployments when nothing was deployed', async () => {
    // Prepare
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
    const deploys = new CodeDeployDeploys(mockedClients());

    // Act
    const list = await deploys.listRecentDeployments(group, since);

    // Assess
    expect(list).toEqual([]);
    expect(codeDeploy).toHaveReceivedCommandTimes(BatchGetDeploymentsCommand, 0);
  });

  it('maps a missing application to NotFound', async () => {
    // Prepare
    codeDeploy
      .on(ListDeploymentsCommand)
      .rejects(
        new ApplicationDoesNotExistException({ message: 'No application found for name: orders', $metadata: {} }),
      );
    const deploys = new CodeDeployDeploys(mockedClients());

    // Act
    const error = await rejectionOf(deploys.listRecentDeployments(group, since));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toContain('deployment group orders/orders-api-live');
  });
});

describe('CodeDeployDeploys.getLambdaTarget', () => {
  beforeEach(() => codeDeploy.reset());

  it('reads the versions and weight from the Lambda target, asked for by the function name', async () => {
    // Prepare
    codeDeploy.on(BatchGetDeploymentTargetsCommand).resolves(canaryTargets);
    const deploys = new CodeDeployDeploys(mockedClients());

    // Act
    const target = await deploys.getLambdaTarget(canaryDeploymentId, 'orders-api');

    // Assess
    expect(codeDeploy).toHaveReceivedCommandWith(BatchGetDeploymentTargetsCommand, {
      deploymentId: canaryDeploymentId,
      targetIds: ['orders-api'],
    });
    expect(codeDeploy).toHaveReceivedCommandTimes(ListDeploymentTargetsCommand, 0);
    expect(target).toEqual({
      deploymentId: canaryDeploymentId,
      functionName: 'orders-api',
      alias: 'live',
      currentVersion: '42',
      targetVersion: '43',
      targetVersionWeight: 0.1,
      status: 'InProgress',
      lastUpdatedAt: new Date('2026-11-26T14:51:40.000Z'),
    });
  });

  it('lists the targets when CodeDeploy does not know the function name as a target ID', async () => {
    // Prepare
    codeDeploy
      .on(BatchGetDeploymentTargetsCommand, { targetIds: ['orders-api'] })
      .rejects(targetDoesNotExist())
      .on(BatchGetDeploymentTargetsCommand, { targetIds: ['orders-api:live'] })
      .resolves(canaryTargets);
    codeDeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['orders-api:live'] });
    const deploys = new CodeDeployDeploys(mockedClients());

    // Act
    const target = await deploys.getLambdaTarget(canaryDeploymentId, 'orders-api');

    // Assess
    expect(codeDeploy).toHaveReceivedCommandWith(ListDeploymentTargetsCommand, { deploymentId: canaryDeploymentId });
    expect(target?.targetVersion).toBe('43');
  });

  it('answers undefined for a deployment that has not started', async () => {
    // Prepare
    codeDeploy.on(BatchGetDeploymentTargetsCommand).rejects(notStarted());
    const deploys = new CodeDeployDeploys(mockedClients());

    // Act
    const target = await deploys.getLambdaTarget(canaryDeploymentId, 'orders-api');

    // Assess
    expect(target).toBeUndefined();
  });

  it('reads nothing from the revision: a deployment from S3 lists without versions', async () => {
    // Prepare
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [canaryDeploymentId] });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({ deploymentsInfo: [canaryDeployment] });
    const deploys = new CodeDeployDeploys(mockedClients());

    // Act
    const [listed] = await deploys.listRecentDeployments(group, since);

    // Assess
    expect(listed).toEqual({
      id: canaryDeploymentId,
      application: 'orders',
      group: 'orders-api-live',
      status: 'InProgress',
      createdAt: canaryDeployment.createTime,
      completedAt: undefined,
      configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    });
  });
});
