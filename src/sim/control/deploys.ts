import { ErrorCode, GofnError } from '../../errors';
import {
  ACTIVE_DEPLOYMENT_STATUSES,
  type CallOptions,
  type DeployControlPort,
  type DeploymentGroupRef,
  type DeploymentInfo,
} from '../../ports';
import type { SimulatedFleet } from '../fleet';
import { toDeploymentInfo } from '../sources/deploys';
import { faultOf } from '../sources/requests';
import type { RequestSimulator } from '../sources/requests';

/** DeployControlPort over the simulated fleet: find the deployment in flight, read it, stop it. */
export class SimulatedDeployControl implements DeployControlPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async findActiveDeployment(group: DeploymentGroupRef, opts?: CallOptions): Promise<DeploymentInfo | undefined> {
    const owner = this.fleet.functionOfDeploymentGroup(group);
    const fault = faultOf(owner, 'deploys', `deployment group ${group.application}/${group.group}`);
    await this.requests.send('CodeDeploy', 'ListDeployments', opts, fault);
    const deployments = this.fleet.deploymentsOf(group);
    if (!deployments) {
      throw new GofnError(
        ErrorCode.NotFound,
        `CodeDeploy has no deployment group "${group.group}" in application "${group.application}".`,
      );
    }
    const active = deployments.filter((d) => ACTIVE_DEPLOYMENT_STATUSES.has(d.status));
    if (active.length === 0) return undefined;
    await this.requests.send('CodeDeploy', 'BatchGetDeployments', opts, fault);
    return active[0] ? toDeploymentInfo(active[0]) : undefined;
  }

  async getDeployment(deploymentId: string, opts?: CallOptions): Promise<DeploymentInfo> {
    await this.requests.send('CodeDeploy', 'GetDeployment', opts, this.faultOf(deploymentId));
    const deployment = this.fleet.findDeployment(deploymentId);
    if (!deployment) throw new GofnError(ErrorCode.NotFound, `CodeDeploy has no deployment ${deploymentId}.`);
    return toDeploymentInfo(deployment);
  }

  async stopDeployment(deploymentId: string, opts?: CallOptions): Promise<string> {
    await this.requests.send('CodeDeploy', 'StopDeployment', opts, this.faultOf(deploymentId));
    this.fleet.stopDeployment(deploymentId);
    return 'Succeeded';
  }

  private faultOf(deploymentId: string) {
    const deployment = this.fleet.findDeployment(deploymentId);
    const owner = deployment ? this.fleet.functionOfDeploymentGroup(deployment) : undefined;
    return faultOf(owner, 'deploys', `deployment ${deploymentId}`);
  }
}
