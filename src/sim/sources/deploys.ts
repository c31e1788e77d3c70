import { ErrorCode, GofnError } from '../../errors';
import type { CallOptions, DeploymentGroupRef, DeploymentInfo, DeploymentTarget, DeploysPort } from '../../ports';
import type { SimulatedDeployment, SimulatedFleet } from '../fleet';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

/** BatchGetDeployments takes at most 25 IDs a request. */
const DEPLOYMENTS_PER_BATCH = 25;

export class SimulatedDeploys implements DeploysPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async listRecentDeployments(group: DeploymentGroupRef, since: Date, opts?: CallOptions): Promise<DeploymentInfo[]> {
    const owner = this.fleet.functionOfDeploymentGroup(group);
    const subject = `deployment group ${group.application}/${group.group}`;
    await this.requests.send('CodeDeploy', 'ListDeployments', opts, faultOf(owner, 'deploys', subject));
    const all = this.fleet.deploymentsOf(group);
    if (!all) {
      throw new GofnError(
        ErrorCode.NotFound,
        `CodeDeploy has no deployment group "${group.group}" in application "${group.application}".`,
      );
    }
    const now = this.fleet.now.getTime();
    const recent = all.filter((d) => d.createdAt.getTime() >= since.getTime() && d.createdAt.getTime() <= now);
    for (let i = 0; i < recent.length; i += DEPLOYMENTS_PER_BATCH) {
      await this.requests.send('CodeDeploy', 'BatchGetDeployments', opts);
    }
    return recent.map(toDeploymentInfo);
  }

  /** As the AWS adapter asks when CodeDeploy names the target after the function: one BatchGetDeploymentTargets. */
  async getLambdaTarget(
    deploymentId: string,
    _functionName: string,
    opts?: CallOptions,
  ): Promise<DeploymentTarget | undefined> {
    const deployment = this.fleet.findDeployment(deploymentId);
    const owner = deployment ? this.fleet.functionOfDeploymentGroup(deployment) : undefined;
    const subject = `deployment ${deploymentId}`;
    await this.requests.send('CodeDeploy', 'BatchGetDeploymentTargets', opts, faultOf(owner, 'deploys', subject));
    if (!deployment) throw new GofnError(ErrorCode.NotFound, `CodeDeploy has no deployment ${deploymentId}.`);
    const alias = owner?.codeDeploy ? owner.aliases.get(owner.codeDeploy.alias) : undefined;
    return {
      deploymentId,
      functionName: owner?.name,
      alias: owner?.codeDeploy?.alias,
      currentVersion: deployment.currentVersion,
      targetVersion: deployment.targetVersion,
      // While it shifts traffic, the share the alias gives the target; all of it once done.
      targetVersionWeight: deployment.status === 'Succeeded' ? 1 : (alias?.routing[deployment.targetVersion] ?? 0),
      status: targetStatus(deployment.status),
      lastUpdatedAt: new Date((deployment.completedAt ?? deployment.createdAt).getTime()),
    };
  }
}

/** A Lambda target's status for its deployment's (TargetStatus has no Baking or Stopped). */
function targetStatus(deploymentStatus: string): string {
  if (deploymentStatus === 'Stopped') return 'Failed';
  if (deploymentStatus === 'Created' || deploymentStatus === 'Queued') return 'Pending';
  if (deploymentStatus === 'Baking') return 'InProgress';
  return deploymentStatus;
}

export function toDeploymentInfo(d: SimulatedDeployment): DeploymentInfo {
  return {
    id: d.id,
    application: d.application,
    group: d.group,
    status: d.status,
    createdAt: new Date(d.createdAt.getTime()),
    completedAt: d.completedAt ? new Date(d.completedAt.getTime()) : undefined,
    configName: d.configName,
  };
}
