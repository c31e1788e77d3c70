/**
 * The actions a runbook step may offer, in one list shared by the runbook schema and the signed
 * button tokens (which the ingress checks, so this file stays free of imports).
 */
export const actionKinds = [
  'rollback',
  'replay-dlq',
  'raise-concurrency',
  'lower-concurrency',
  'set-source-concurrency',
  'disable-source',
  'enable-source',
  'profile',
] as const;

export type ActionKind = (typeof actionKinds)[number];
