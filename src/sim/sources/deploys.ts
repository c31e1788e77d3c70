import { ErrorCode, GofnError } from '../../errors';
import type { CallOptions, DeploymentGroupRef, DeploymentInfo, DeploysPort } from '../../ports';
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
    currentVersion: d.currentVersion,
    targetVersion: d.targetVersion,
  };
}
