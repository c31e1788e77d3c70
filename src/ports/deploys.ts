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
}

/**
 * The Lambda function a deployment moves, as CodeDeploy reports it (BatchGetDeploymentTargets,
 * `lambdaTarget.lambdaFunctionInfo`): the versions come from here, not from the AppSpec, which a
 * deployment from S3 does not even carry.
 */
export interface DeploymentTarget {
  deploymentId: string;
  functionName: string | undefined;
  alias: string | undefined;
  /** The version the alias pointed to when the deployment started: where a rollback returns. */
  currentVersion: string | undefined;
  /** The version the deployment moves the alias to. */
  targetVersion: string | undefined;
  /** `targetVersionWeight` as CodeDeploy reports it; the alias's own weights are authoritative. */
  targetVersionWeight: number | undefined;
  /** The target's status: Pending, InProgress, Succeeded, Failed, Skipped, Unknown, Ready. */
  status: string | undefined;
  lastUpdatedAt: Date | undefined;
}

export interface DeploymentGroupRef {
  application: string;
  group: string;
}

export interface DeploysPort {
  /** Deployments of the group created since `since`, newest first. */
  listRecentDeployments(group: DeploymentGroupRef, since: Date, opts?: CallOptions): Promise<DeploymentInfo[]>;
  /**
   * The Lambda function a deployment moves, with its versions and weight; undefined when the
   * deployment has no Lambda target (yet). `functionName` is the function the caller expects
   * there, which saves listing the targets when CodeDeploy names the target after it.
   */
  getLambdaTarget(
    deploymentId: string,
    functionName: string,
    opts?: CallOptions,
  ): Promise<DeploymentTarget | undefined>;
}
