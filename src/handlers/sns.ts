import * as z from 'zod';

const snsEventSchema = z.object({
  Records: z
    .array(
      z
        .object({
          EventSource: z.literal('aws:sns'),
          Sns: z.object({ MessageId: z.string().min(1).max(200), Message: z.string().max(262_144) }).loose(),
        })
        .loose(),
    )
    .min(1),
});

export type SnsEvent = z.output<typeof snsEventSchema>;

export function isSnsEvent(event: unknown): event is SnsEvent {
  return snsEventSchema.safeParse(event).success;
}
