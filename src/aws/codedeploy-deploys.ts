import {
  BatchGetDeploymentsCommand,
  BatchGetDeploymentTargetsCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
  type DeploymentInfo as SdkDeployment,
  type DeploymentTarget as SdkDeploymentTarget,
} from '@aws-sdk/client-codedeploy';
import type { CallOptions, DeploymentGroupRef, DeploymentInfo, DeploymentTarget, DeploysPort } from '../ports';
import { mapBounded } from '../map-bounded';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { awsErrorName } from './errors';

/** BatchGetDeployments takes at most 25 deployment IDs per call, BatchGetDeploymentTargets 25 target IDs. */
export const deploymentIdsPerBatch = 25;
/** CodeDeploy's answers to target IDs that are not the deployment's: list the targets instead. */
const unknownTargetErrors = new Set(['DeploymentTargetDoesNotExistException', 'InvalidDeploymentTargetIdException']);
/** ListDeployments pages read at most: recent deployments of one group fit in the first. */
const listPages = 4;

/**
 * DeploysPort over CodeDeploy: ListDeployments since a time, then BatchGetDeployments for details;
 * a deployment's versions from BatchGetDeploymentTargets.
 */
export class CodeDeployDeploys implements DeploysPort {
  constructor(private readonly clients: AwsClients) {}

  async listRecentDeployments(group: DeploymentGroupRef, since: Date, opts?: CallOptions): Promise<DeploymentInfo[]> {
    const subject = `deployment group ${group.application}/${group.group}`;
    const ids: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < listPages; page++) {
      const out = await this.call(
        { service: 'CodeDeploy', operation: 'ListDeployments', subject },
        opts,
        (abortSignal) =>
          this.clients.codeDeploy.send(
            new ListDeploymentsCommand({
              applicationName: group.application,
              deploymentGroupName: group.group,
              createTimeRange: { start: since },
              nextToken,
            }),
            { abortSignal },
          ),
      );
      ids.push(...(out.deployments ?? []));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    if (ids.length === 0) return [];

    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += deploymentIdsPerBatch) batches.push(ids.slice(i, i + deploymentIdsPerBatch));
    const answers = await mapBounded(batches, 2, (deploymentIds) =>
      this.call({ service: 'CodeDeploy', operation: 'BatchGetDeployments', subject }, opts, (abortSignal) =>
        this.clients.codeDeploy.send(new BatchGetDeploymentsCommand({ deploymentIds }), { abortSignal }),
      ),
    );
    return answers
      .flatMap((answer) => answer.deploymentsInfo ?? [])
      .map((deployment) => toDeployment(deployment, group))
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  }

  /**
   * The API reference says a Lambda deployment's target IDs are the names of its functions, so
   * the function is asked for directly: one request. Should CodeDeploy not know that ID, the
   * targets are listed and read (two more).
   */
  async getLambdaTarget(
    deploymentId: string,
    functionName: string,
    opts?: CallOptions,
  ): Promise<DeploymentTarget | undefined> {
    try {
      return await this.readLambdaTarget(deploymentId, functionName, opts);
    } catch (error) {
      // A deployment that has not started has no targets yet: nothing has moved.
      if (awsErrorName(error) === 'DeploymentNotStartedException') return undefined;
      throw error;
    }
  }

  private async readLambdaTarget(
    deploymentId: string,
    functionName: string,
    opts: CallOptions | undefined,
  ): Promise<DeploymentTarget | undefined> {
    try {
      const direct = await this.batchGetTargets(deploymentId, [functionName], opts);
      if (direct) return direct;
    } catch (error) {
      if (!unknownTargetErrors.has(awsErrorName(error) ?? '')) throw error;
    }
    const subject = `deployment ${deploymentId}`;
    const listed = await this.call(
      { service: 'CodeDeploy', operation: 'ListDeploymentTargets', subject },
      opts,
      (abortSignal) =>
        this.clients.codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId }), { abortSignal }),
    );
    const targetIds = (listed.targetIds ?? []).slice(0, deploymentIdsPerBatch);
    if (targetIds.length === 0) return undefined;
    return this.batchGetTargets(deploymentId, targetIds, opts, functionName);
  }

  private async batchGetTargets(
    deploymentId: string,
    targetIds: string[],
    opts: CallOptions | undefined,
    preferFunction?: string,
  ): Promise<DeploymentTarget | undefined> {
    const out = await this.call(
      { service: 'CodeDeploy', operation: 'BatchGetDeploymentTargets', subject: `deployment ${deploymentId}` },
      opts,
      (abortSignal) =>
        this.clients.codeDeploy.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds }), {
          abortSignal,
        }),
    );
    const targets = (out.deploymentTargets ?? []).flatMap((t) => toLambdaTarget(deploymentId, t) ?? []);
    return targets.find((t) => t.functionName === preferFunction) ?? targets[0];
  }

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}

/** The Lambda part of a deployment target; undefined for targets of other compute platforms. */
function toLambdaTarget(deploymentId: string, target: SdkDeploymentTarget): DeploymentTarget | undefined {
  const lambda = target.lambdaTarget;
  if (!lambda) return undefined;
  const info = lambda.lambdaFunctionInfo;
  return {
    deploymentId: lambda.deploymentId ?? deploymentId,
    functionName: info?.functionName,
    alias: info?.functionAlias,
    currentVersion: info?.currentVersion || undefined,
    targetVersion: info?.targetVersion || undefined,
    targetVersionWeight: info?.targetVersionWeight,
    status: lambda.status,
    lastUpdatedAt: lambda.lastUpdatedAt,
  };
}

/** A deployment as the ports describe it; `group` fills in names the answer leaves out. */
export function toDeployment(deployment: SdkDeployment, group?: DeploymentGroupRef): DeploymentInfo {
  return {
    id: deployment.deploymentId ?? '',
    application: deployment.applicationName ?? group?.application ?? '',
    group: deployment.deploymentGroupName ?? group?.group ?? '',
    status: deployment.status ?? 'Unknown',
    createdAt: deployment.createTime,
    completedAt: deployment.completeTime,
    configName: deployment.deploymentConfigName,
  };
}
