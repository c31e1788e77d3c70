import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  DeploymentDoesNotExistException,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
} from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CodeDeployControl } from '../../src/aws/codedeploy-control';
import { ErrorCode, type GofnError } from '../../src/errors';
import { alreadyCompleted, limitExceeded } from '../fixtures/aws/codedeploy-errors';
import { mockedClients, rejectionOf } from './helpers';

const codeDeploy = mockClient(CodeDeployClient);

const group = { application: 'orders', group: 'orders-api-live' };
function deployment(id: string, createTime: string, status: DeploymentInfo['status']): DeploymentInfo {
  return {
    applicationName: 'orders',
    deploymentGroupName: 'orders-api-live',
    deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    deploymentId: id,
    revision: { revisionType: 'S3', s3Location: { bucket: 'orders-artifacts', key: 'orders-api/appspec.yml' } },
    status,
    createTime: new Date(createTime),
  };
}

describe('CodeDeployControl', () => {
  beforeEach(() => codeDeploy.reset());

  it('finds the newest deployment of the group that is still moving traffic', async () => {
    // Prepare
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OLD', 'd-NEW'] });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        deployment('d-OLD', '2024-05-01T10:00:00Z', 'Ready'),
        deployment('d-NEW', '2024-05-01T11:00:00Z', 'InProgress'),
      ],
    });
    const control = new CodeDeployControl(mockedClients());

    // Act
    const active = await control.findActiveDeployment(group);

    // Assess
    expect(codeDeploy).toHaveReceivedCommandWith(ListDeploymentsCommand, {
      applicationName: 'orders',
      deploymentGroupName: 'orders-api-live',
      includeOnlyStatuses: ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'],
    });
    expect(codeDeploy).toHaveReceivedCommandWith(BatchGetDeploymentsCommand, { deploymentIds: ['d-OLD', 'd-NEW'] });
    expect(active).toEqual({
      id: 'd-NEW',
      application: 'orders',
      group: 'orders-api-live',
      status: 'InProgress',
      createdAt: new Date('2024-05-01T11:00:00Z'),
      completedAt: undefined,
      configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    });
  });

  it('answers undefined with one request when nothing is in flight', async () => {
    // Prepare
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
    const control = new CodeDeployControl(mockedClients());

    // Act
    const active = await control.findActiveDeployment(group);

    // Assess
    expect(active).toBeUndefined();
    expect(codeDeploy.calls()).toHaveLength(1);
  });

  it('reads one deployment with GetDeployment', async () => {
    // Prepare
    codeDeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        ...deployment('d-1', '2024-05-01T11:00:00Z', 'Stopped'),
        completeTime: new Date('2024-05-01T11:05:00Z'),
      },
    });
    const control = new CodeDeployControl(mockedClients());

    // Act
    const info = await control.getDeployment('d-1');

    // Assess
    expect(codeDeploy).toHaveReceivedCommandWith(GetDeploymentCommand, { deploymentId: 'd-1' });
    expect(info).toMatchObject({ id: 'd-1', status: 'Stopped', completedAt: new Date('2024-05-01T11:05:00Z') });
  });

  it('reports a deployment that does not exist as NotFound', async () => {
    // Prepare
    codeDeploy
      .on(GetDeploymentCommand)
      .rejects(
        new DeploymentDoesNotExistException({ message: 'The deployment d-X could not be found.', $metadata: {} }),
      );
    const control = new CodeDeployControl(mockedClients());

    // Act
    const error = await rejectionOf(control.getDeployment('d-X'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toMatch(/^CodeDeploy GetDeployment found nothing for deployment d-X/);
  });

  it('stops a deployment with automatic rollback and returns its status', async () => {
    // Prepare
    codeDeploy.on(StopDeploymentCommand).resolves({ status: 'Pending', statusMessage: 'Stopping' });
    const control = new CodeDeployControl(mockedClients());

    // Act
    const status = await control.stopDeployment('d-1');

    // Assess
    expect(codeDeploy).toHaveReceivedCommandWith(StopDeploymentCommand, {
      deploymentId: 'd-1',
      autoRollbackEnabled: true,
    });
    expect(codeDeploy.calls()).toHaveLength(1);
    expect(status).toBe('Pending');
  });

  it('reports a deployment that finished meanwhile as a conflict, not a failure', async () => {
    // Prepare
    codeDeploy.on(StopDeploymentCommand).rejects(alreadyCompleted());
    const control = new CodeDeployControl(mockedClients());

    // Act
    const error = await rejectionOf(control.stopDeployment('d-1'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Conflict);
    expect((error as GofnError).sentence).toBe(
      'CodeDeploy deployment d-1 already finished, so there is nothing to stop. Look at the alias again: CodeDeploy has moved it or rolled it back already.',
    );
  });

  it('says the deployment limit is reached instead of calling it throttling', async () => {
    // Prepare
    codeDeploy.on(StopDeploymentCommand).rejects(limitExceeded());
    const control = new CodeDeployControl(mockedClients());

    // Act
    const error = await rejectionOf(control.stopDeployment('d-1'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Upstream);
    expect((error as GofnError).message).toBe(
      'CodeDeploy would not stop deployment d-1 with rollback: the account has reached its limit of deployments in progress, and a rollback is a deployment too.',
    );
    expect((error as GofnError).sentence).not.toMatch(/throttl|in a minute/i);
  });
});
