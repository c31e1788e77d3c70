/** The tag on a function that lists who may act on it: Slack user and user-group IDs. */
export const OWNERS_TAG = 'gofn:owners';

/** Slack user (U…, W…) and user-group (S…) IDs in a tag or setting; anything else is ignored. */
export function parseIdList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,;+]+/)
    .map((id) => id.trim())
    .filter((id) => /^[UWS][A-Z0-9]{2,}$/.test(id));
}
