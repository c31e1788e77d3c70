/** CodeDeploy deployments. */
import type { CallOptions } from './common';

/** CodeDeploy statuses of a deployment that is still moving (or about to move) traffic. */
export const ACTIVE_DEPLOYMENT_STATUSES: ReadonlySet<string> = new Set([
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready',
]);

export interface DeploymentInfo {
  id: string;
  application: string;
  group: string;
  /** CodeDeploy status: Created, Queued, InProgress, Baking, Succeeded, Failed, Stopped, Ready. */
  status: string;
  createdAt: Date | undefined;
  completedAt: Date | undefined;
  configName: string | undefined;
  /** From the AppSpec: the version the alias pointed to before, and the one it moves to. */
  currentVersion: string | undefined;
  targetVersion: string | undefined;
}

export interface DeploymentGroupRef {
  application: string;
  group: string;
}

export interface DeploysPort {
  /** Deployments of the group created since `since`, newest first. */
  listRecentDeployments(group: DeploymentGroupRef, since: Date, opts?: CallOptions): Promise<DeploymentInfo[]>;
}
