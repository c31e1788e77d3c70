/** The tag on a function that lists who may act on it: Slack user and user-group IDs. */
export const OWNERS_TAG = 'gofn:owners';

/** A Slack user (U…, W…) or user-group (S…) ID. */
export const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;

/** Slack user and user-group IDs in a tag or setting; anything else is ignored. */
export function parseIdList(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,;+]+/)
    .map((id) => id.trim())
    .filter((id) => SLACK_ID.test(id));
}
