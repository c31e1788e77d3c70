import { Validations } from 'aws-cdk-lib';
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
