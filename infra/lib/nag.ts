import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on a construct and everything under it, with the reason it does
 * not apply. Rules that report several findings (IAM5 reports one per wildcard) are acknowledged
 * one finding at a time, so a wildcard added later still fails the check.
 */
export function suppress(construct: IConstruct, rule: string, reason: string, findings?: readonly string[]): void {
  const ids = findings ? findings.map((finding) => `${rule}[${finding}]`) : [rule];
  for (const id of ids) Validations.of(construct).acknowledge({ id, reason });
}

/**
 * Tells checkov (run over the synthesized templates by infra/test.sh) that a check does not apply
 * to a resource, and why: written into the resource's Metadata, where checkov reads its skips,
 * so the reason travels with the template. `construct` is an L2 construct or a CfnResource.
 */
export function checkovSkip(construct: IConstruct, check: string, reason: string): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`checkovSkip: ${construct.node.path} has no CloudFormation resource`);
  }
  const current = (resource.getMetadata('checkov') as { skip?: { id: string; comment: string }[] } | undefined) ?? {};
  resource.addMetadata('checkov', { skip: [...(current.skip ?? []), { id: check, comment: reason }] });
}

/** Why no gofn function runs in a VPC or encrypts its environment with a key of its own. */
export const FUNCTION_CHECKOV_SKIPS: readonly [check: string, reason: string][] = [
  [
    'CKV_AWS_117',
    'Not in a VPC: the function reaches only AWS APIs and Slack over TLS, and has no private resource to reach; a VPC would add NAT cost and cold-start time',
  ],
  [
    'CKV_AWS_173',
    'The environment holds names and ARNs, no secret (Slack credentials live in Secrets Manager); Lambda encrypts it at rest with its own key',
  ],
];
