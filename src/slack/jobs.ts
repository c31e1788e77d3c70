import * as z from 'zod';

/**
 * Work the ingress hands to the worker. Validated again on the worker side: the worker's input
 * is an edge too (async invoke payloads can be replayed by hand).
 */
const slackIds = {
  team: z.string().max(32).optional(),
  channel: z.string().min(1).max(32),
  user: z.string().min(1).max(32),
};

export const statusJobSchema = z.strictObject({
  kind: z.literal('status'),
  /** trigger_id of the command: Slack's retries and duplicate deliveries share it. */
  id: z.string().min(1).max(200),
  functionName: z.string().min(1).max(200).optional(),
  window: z.string().min(2).max(8),
  alias: z.string().min(1).max(128),
  /** `service=…` of the command: one service, a row per account and region. */
  service: z.string().min(1).max(256).optional(),
  responseUrl: z.url().max(500),
  ...slackIds,
});

export const costJobSchema = z.strictObject({
  kind: z.literal('cost'),
  /** trigger_id of the command. */
  id: z.string().min(1).max(200),
  /** A function, `service=<value>`, or absent for every managed function. */
  target: z.string().min(1).max(300).optional(),
  responseUrl: z.url().max(500),
  ...slackIds,
});

export const actionJobSchema = z.strictObject({
  kind: z.literal('action'),
  /** The view submission's id: a double submit of the same modal shares it. */
  id: z.string().min(1).max(200),
  token: z.string().min(1).max(2000),
  /** The report message carrying the buttons, to replace them once the action ran. */
  messageTs: z.string().max(32).optional(),
  threadTs: z.string().max(32).optional(),
  ...slackIds,
});

export const refusalJobSchema = z.strictObject({
  kind: z.literal('refusal'),
  /** trigger_id of the click: Slack's retries of the same click share it. */
  id: z.string().min(1).max(200),
  /** The button's token: what the person tried to do, to audit it. */
  token: z.string().min(1).max(2000),
  ...slackIds,
});

export const mentionJobSchema = z.strictObject({
  kind: z.literal('mention'),
  /** event_id of the Events API delivery. */
  id: z.string().min(1).max(200),
  ...slackIds,
});

/**
 * A click whose modal could not open before the ack (Slack hung, failed or rate limited
 * views.open): the worker sends the person, as an ephemeral message, the plan with a button to
 * confirm it (`token`), or the refusal the modal would have shown (`problem`).
 */
export const fallbackJobSchema = z.strictObject({
  kind: z.literal('fallback'),
  /** trigger_id of the click. */
  id: z.string().min(1).max(200),
  token: z.string().min(1).max(2000).optional(),
  problem: z.string().min(1).max(1000).optional(),
  messageTs: z.string().max(32).optional(),
  threadTs: z.string().max(32).optional(),
  ...slackIds,
});

export const jobSchema = z.discriminatedUnion('kind', [
  statusJobSchema,
  costJobSchema,
  actionJobSchema,
  refusalJobSchema,
  mentionJobSchema,
  fallbackJobSchema,
]);

export type StatusJob = z.output<typeof statusJobSchema>;
export type CostJob = z.output<typeof costJobSchema>;
export type ActionJob = z.output<typeof actionJobSchema>;
export type RefusalJob = z.output<typeof refusalJobSchema>;
export type MentionJob = z.output<typeof mentionJobSchema>;
export type FallbackJob = z.output<typeof fallbackJobSchema>;
export type Job = z.output<typeof jobSchema>;
