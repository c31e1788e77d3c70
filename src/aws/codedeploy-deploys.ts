import {
  BatchGetDeploymentsCommand,
  ListDeploymentsCommand,
  type DeploymentInfo as SdkDeployment,
} from '@aws-sdk/client-codedeploy';
import type { CallOptions, DeploymentGroupRef, DeploymentInfo, DeploysPort } from '../ports';
import { readAppSpec } from './appspec';
import { mapBounded } from './bounded';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';

/** BatchGetDeployments takes at most 25 deployment IDs per call. */
export const deploymentIdsPerBatch = 25;
/** ListDeployments pages read at most: recent deployments of one group fit in the first. */
const listPages = 4;

/** DeploysPort over CodeDeploy: ListDeployments since a time, then BatchGetDeployments for details. */
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

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}

/** A deployment as the ports describe it; `group` fills in names the answer leaves out. */
export function toDeployment(deployment: SdkDeployment, group?: DeploymentGroupRef): DeploymentInfo {
  const revision = deployment.revision;
  const content = revision?.appSpecContent?.content ?? revision?.string?.content;
  const versions = readAppSpec(content);
  return {
    id: deployment.deploymentId ?? '',
    application: deployment.applicationName ?? group?.application ?? '',
    group: deployment.deploymentGroupName ?? group?.group ?? '',
    status: deployment.status ?? 'Unknown',
    createdAt: deployment.createTime,
    completedAt: deployment.completeTime,
    configName: deployment.deploymentConfigName,
    currentVersion: versions.currentVersion,
    targetVersion: versions.targetVersion,
  };
}
