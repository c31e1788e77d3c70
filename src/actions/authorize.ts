import { OWNERS_TAG, parseIdList } from '../owners';
import type { ActionDeps, Actor } from './types';

export interface Decision {
  allowed: boolean;
  /** Why, as a sentence fragment, for the audit record. */
  because: string;
}

/**
 * Who may change production from Slack: the configured admins (users or user groups), and the
 * owners named in the function's `gofn:owners` tag. From a terminal, the person's own AWS
 * credentials are the authority (IAM decides), so the CLI is always allowed here.
 */
export async function authorize(
  actor: Actor,
  functionTags: Record<string, string>,
  deps: Pick<ActionDeps, 'settings' | 'isInGroup'>,
): Promise<Decision> {
  if (actor.via === 'cli') return { allowed: true, because: 'run from a terminal with the caller’s AWS credentials' };
  const owners = parseIdList(functionTags[OWNERS_TAG]);
  const lists: [string, string[]][] = [
    ['admins', deps.settings.admins],
    [`the ${OWNERS_TAG} tag`, owners],
  ];
  for (const [source, ids] of lists) {
    if (ids.includes(actor.id)) return { allowed: true, because: `listed in ${source}` };
    for (const group of ids.filter((id) => id.startsWith('S'))) {
      if (deps.isInGroup && (await deps.isInGroup(group, actor.id).catch(() => false))) {
        return { allowed: true, because: `member of ${group} in ${source}` };
      }
    }
  }
  return { allowed: false, because: `not in the admins or the ${OWNERS_TAG} tag of the function` };
}
