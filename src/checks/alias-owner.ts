import { describeError } from '../errors';
import type { DeploymentGroupRef, DeploymentInfo, DeploymentTarget, FunctionInfo } from '../ports';
import { parseDeploymentGroupTag } from './evidence';

/** The tag that links a function to the CodeDeploy deployment group that deploys it ("app/group"). */
export const DEPLOYMENT_GROUP_TAG = 'gofn:deployment-group';

/**
 * Who is moving an alias right now, decided only from what AWS answered:
 * - `codedeploy`: a deployment of the function's group is in progress (and, where CodeDeploy
 *   says which function it moves, it is this alias): only StopDeployment may change the alias;
 * - `manual`: AWS said no deployment is moving it;
 * - `unknown`: something could not be read. Unknown is never taken as "no deployment", so it
 *   never clears the way for UpdateAlias.
 */
export type AliasOwner =
  | { kind: 'codedeploy'; deployment: DeploymentInfo; target: DeploymentTarget | undefined }
  | { kind: 'manual'; reason: string }
  | { kind: 'unknown'; reason: string };

export interface AliasOwnerInputs {
  fn: Pick<FunctionInfo, 'name' | 'tags' | 'tagsUnavailable'>;
  alias: string;
  /** The group's deployment that is still moving traffic, if any; rejects when CodeDeploy cannot be asked. */
  activeDeployment: (group: DeploymentGroupRef) => Promise<DeploymentInfo | undefined>;
  /** The function a deployment moves; rejects when CodeDeploy cannot be asked. */
  target: (deploymentId: string) => Promise<DeploymentTarget | undefined>;
}

export async function aliasOwner(inputs: AliasOwnerInputs): Promise<AliasOwner> {
  const { fn, alias } = inputs;
  if (fn.tagsUnavailable) {
    return {
      kind: 'unknown',
      reason: `the tags of ${fn.name} could not be read (${fn.tagsUnavailable}), so gofn cannot tell which CodeDeploy deployment group deploys it`,
    };
  }
  const group = parseDeploymentGroupTag(fn.tags[DEPLOYMENT_GROUP_TAG]);
  if (!group) return { kind: 'manual', reason: `no ${DEPLOYMENT_GROUP_TAG} tag links ${fn.name} to CodeDeploy` };
  const name = `${group.application}/${group.group}`;
  let active: DeploymentInfo | undefined;
  try {
    active = await inputs.activeDeployment(group);
  } catch (error) {
    return {
      kind: 'unknown',
      reason: `CodeDeploy could not say whether ${name} is deploying: ${describeError(error)}`,
    };
  }
  if (!active) return { kind: 'manual', reason: `no deployment of ${name} is in progress` };
  // The tag says this group deploys the function; a target that names another function or alias
  // says this deployment does not. A target that cannot be read leaves the tag's word standing.
  const target = await inputs.target(active.id).catch(() => undefined);
  const movesOther =
    (target?.functionName !== undefined && target.functionName !== fn.name) ||
    (target?.alias !== undefined && target.alias !== alias);
  if (target && movesOther) {
    return {
      kind: 'manual',
      reason: `deployment ${active.id} of ${name} moves ${target.functionName ?? fn.name}:${target.alias ?? alias}, not ${fn.name}:${alias}`,
    };
  }
  return { kind: 'codedeploy', deployment: active, target };
}
