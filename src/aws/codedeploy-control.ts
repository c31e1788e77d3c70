import {
  BatchGetDeploymentsCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentStatus,
} from '@aws-sdk/client-codedeploy';
import { ErrorCode, GofnError } from '../errors';
import {
  ACTIVE_DEPLOYMENT_STATUSES,
  type CallOptions,
  type DeployControlPort,
  type DeploymentGroupRef,
  type DeploymentInfo,
} from '../ports';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { deploymentIdsPerBatch, toDeployment } from './codedeploy-deploys';
import { awsErrorName } from './errors';

/** Statuses of a deployment that has not finished moving traffic: stopping it still changes something. */
const activeDeploymentStatuses = [...ACTIVE_DEPLOYMENT_STATUSES] as DeploymentStatus[];

/** DeployControlPort over CodeDeploy: find the deployment in flight, read it, stop it with rollback. */
export class CodeDeployControl implements DeployControlPort {
  constructor(private readonly clients: AwsClients) {}

  async findActiveDeployment(group: DeploymentGroupRef, opts?: CallOptions): Promise<DeploymentInfo | undefined> {
    const subject = `deployment group ${group.application}/${group.group}`;
    // A group runs one deployment at a time, so the first page holds every active one.
    const listed = await this.call(
      { service: 'CodeDeploy', operation: 'ListDeployments', subject },
      opts,
      (abortSignal) =>
        this.clients.codeDeploy.send(
          new ListDeploymentsCommand({
            applicationName: group.application,
            deploymentGroupName: group.group,
            includeOnlyStatuses: activeDeploymentStatuses,
          }),
          { abortSignal },
        ),
    );
    const deploymentIds = (listed.deployments ?? []).slice(0, deploymentIdsPerBatch);
    if (deploymentIds.length === 0) return undefined;
    // ListDeployments does not promise an order; the details carry createTime.
    const details = await this.call(
      { service: 'CodeDeploy', operation: 'BatchGetDeployments', subject },
      opts,
      (abortSignal) => this.clients.codeDeploy.send(new BatchGetDeploymentsCommand({ deploymentIds }), { abortSignal }),
    );
    const newestFirst = (details.deploymentsInfo ?? [])
      .map((deployment) => toDeployment(deployment, group))
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
    return newestFirst[0];
  }

  async getDeployment(deploymentId: string, opts?: CallOptions): Promise<DeploymentInfo> {
    const subject = `deployment ${deploymentId}`;
    const out = await this.call({ service: 'CodeDeploy', operation: 'GetDeployment', subject }, opts, (abortSignal) =>
      this.clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId }), { abortSignal }),
    );
    if (!out.deploymentInfo) {
      throw new GofnError(ErrorCode.Upstream, `CodeDeploy GetDeployment returned nothing for ${subject}.`);
    }
    return toDeployment(out.deploymentInfo);
  }

  async stopDeployment(deploymentId: string, opts?: CallOptions): Promise<string> {
    const subject = `deployment ${deploymentId}`;
    const out = await this.call({ service: 'CodeDeploy', operation: 'StopDeployment', subject }, opts, (abortSignal) =>
      this.clients.codeDeploy.send(
        // With rollback, CodeDeploy moves the alias back to the version it pointed to before.
        new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }),
        { abortSignal },
      ),
    ).catch((error: unknown) => {
      throw stopRefused(deploymentId, error) ?? error;
    });
    if (!out.status) {
      throw new GofnError(ErrorCode.Upstream, `CodeDeploy StopDeployment returned no status for ${subject}.`);
    }
    return out.status;
  }

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}

/**
 * CodeDeploy's refusals a person can act on. A deployment that finished meanwhile is the world
 * having changed (Conflict). DeploymentLimitExceededException is about how many deployments may
 * run at once, not how fast gofn calls: the generic mapping would call it throttling and advise
 * waiting a minute, which does not help.
 */
function stopRefused(deploymentId: string, error: unknown): GofnError | undefined {
  switch (awsErrorName(error)) {
    case 'DeploymentAlreadyCompletedException':
      return new GofnError(
        ErrorCode.Conflict,
        `CodeDeploy deployment ${deploymentId} already finished, so there is nothing to stop.`,
        { cause: error, hint: 'Look at the alias again: CodeDeploy has moved it or rolled it back already.' },
      );
    case 'DeploymentLimitExceededException':
      return new GofnError(
        ErrorCode.Upstream,
        `CodeDeploy would not stop deployment ${deploymentId} with rollback: the account has reached its limit of deployments in progress, and a rollback is a deployment too.`,
        {
          cause: error,
          hint: 'Stop or wait for another deployment in the account, or stop this one in the CodeDeploy console.',
        },
      );
    default:
      return undefined;
  }
}
