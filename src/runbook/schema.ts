import * as z from 'zod';
import { checkKinds, checkParams, type CheckKind, type CheckParams } from '../checks/params';

export const actionKinds = ['rollback', 'replay-dlq', 'raise-concurrency', 'profile'] as const;

const stepBase = {
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a lowercase id like "cold-starts"'),
  title: z.string().min(1).max(40),
  advice: z.string().min(1).max(1000).optional(),
  actions: z.array(z.enum(actionKinds)).max(3).default([]),
};

function stepSchema<K extends CheckKind>(kind: K) {
  return z.strictObject({ ...stepBase, check: z.literal(kind), ...checkParams[kind].shape });
}

const stepSchemas = checkKinds.map((kind) => stepSchema(kind));

// A custom message, because the default union error would not say which checks exist.
const stepSchemaUnion = z.discriminatedUnion('check', stepSchemas as unknown as [ReturnType<typeof stepSchema>], {
  error: (issue) =>
    issue.code === 'invalid_union' ? `expected "check" to be one of ${checkKinds.join(', ')}` : undefined,
});

// The step schemas are generated per check kind, which TypeScript cannot narrow back into the
// RunbookStep union; the runtime validation is exact, so the static type is asserted once here.
export const runbookSchema = z
  .strictObject({
    apiVersion: z.literal('gofn/v1'),
    kind: z.literal('Runbook'),
    name: z.string().min(1).max(80),
    description: z.string().max(500).optional(),
    steps: z.array(stepSchemaUnion).min(1).max(20),
  })
  .superRefine((runbook, ctx) => {
    const seen = new Set<string>();
    runbook.steps.forEach((step, index) => {
      if (seen.has(step.id)) {
        ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: `step id "${step.id}" is used twice` });
      }
      seen.add(step.id);
    });
  }) as unknown as z.ZodType<Runbook>;

export type ActionKindName = (typeof actionKinds)[number];

interface StepBase {
  id: string;
  title: string;
  advice?: string | undefined;
  actions: ActionKindName[];
}

/** A step, typed by the check it runs, so each check gets exactly its own parameters. */
export type RunbookStep = { [K in CheckKind]: StepBase & { check: K } & CheckParams<K> }[CheckKind];

export interface Runbook {
  apiVersion: 'gofn/v1';
  kind: 'Runbook';
  name: string;
  description?: string | undefined;
  steps: RunbookStep[];
}
