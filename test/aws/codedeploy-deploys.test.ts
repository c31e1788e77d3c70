import {
  ApplicationDoesNotExistException,
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  ListDeploymentsCommand,
  type BatchGetDeploymentsCommandInput,
  type DeploymentInfo,
} from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readAppSpec } from '../../src/aws/appspec';
import { CodeDeployDeploys } from '../../src/aws/codedeploy-deploys';
import type { GofnError } from '../../src/errors';
import { ErrorCode } from '../../src/errors';
import { mockedClients, rejectionOf } from './helpers';

const codeDeploy = mockClient(CodeDeployClient);

const group = { application: 'orders', group: 'orders-api-live' };
const since = new Date('2024-05-01T10:00:00Z');

const yamlAppSpec = `version: 0.0
Resources:
  - ordersApi:
      Type: AWS::Lambda::Function
      Properties:
        Name: orders-api
        Alias: live
        CurrentVersion: 41
        TargetVersion: "42"
Hooks:
  - BeforeAllowTraffic: orders-api-pre-traffic
`;

const jsonAppSpec = JSON.stringify({
  version: 0.0,
  Resources: [
    {
      ordersApi: {
        Type: 'AWS::Lambda::Function',
        Properties: { Name: 'orders-api', Alias: 'live', CurrentVersion: '40', TargetVersion: '41' },
      },
    },
  ],
});

function deployment(
  id: string,
  createdMinute: number,
  content: string,
  status: DeploymentInfo['status'],
): DeploymentInfo {
  return {
    applicationName: 'orders',
    deploymentGroupName: 'orders-api-live',
    deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    deploymentId: id,
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content, sha256: 'x' } },
    status,
    createTime: new Date(since.getTime() + createdMinute * 60_000),
    completeTime: status === 'Succeeded' ? new Date(since.getTime() + (createdMinute + 6) * 60_000) : undefined,
    computePlatform: 'Lambda',
  };
}

describe('CodeDeployDeploys', () => {
  beforeEach(() => codeDeploy.reset());

  it('lists deployments created since a time, newest first, with the versions from the AppSpec', async () => {
    // Prepare
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OLD', 'd-NEW'] });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        deployment('d-OLD', 5, jsonAppSpec, 'Succeeded'),
        deployment('d-NEW', 50, yamlAppSpec, 'InProgress'),
      ],
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
        currentVersion: '41',
        targetVersion: '42',
      },
      expect.objectContaining({ id: 'd-OLD', status: 'Succeeded', currentVersion: '40', targetVersion: '41' }),
    ]);
  });

  it('asks for details 25 deployment IDs at a time', async () => {
    // Prepare
    const ids = Array.from({ length: 60 }, (_, i) => `d-${i}`);
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ids });
    codeDeploy.on(BatchGetDeploymentsCommand).callsFake(async (input: BatchGetDeploymentsCommandInput) => ({
      deploymentsInfo: (input.deploymentIds ?? []).map((id) => deployment(id, 1, yamlAppSpec, 'Succeeded')),
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

describe('readAppSpec', () => {
  it('reads YAML and JSON AppSpecs, numbers or strings', () => {
    expect(readAppSpec(yamlAppSpec)).toEqual({
      functionName: 'orders-api',
      alias: 'live',
      currentVersion: '41',
      targetVersion: '42',
    });
    expect(readAppSpec(jsonAppSpec).targetVersion).toBe('41');
  });

  it('returns undefined versions for content it cannot read', () => {
    expect(readAppSpec(undefined).currentVersion).toBeUndefined();
    expect(readAppSpec('{not yaml: [').targetVersion).toBeUndefined();
    expect(readAppSpec('version: 0.0\nResources: []').targetVersion).toBeUndefined();
  });
});
