import { z } from 'zod';
import { AdminReason } from './users.schemas.ts';

/** Whom a broadcast reaches: every active user, those of one city (their profile's), or those out with a power bank (active or overdue). */
export const BROADCAST_SEGMENTS = ['all', 'city', 'active_renters'] as const;

export const BroadcastInput = z
  .object({
    segment: z.enum(BROADCAST_SEGMENTS),
    /** Required for the `city` segment, compared case-insensitively; refused for the others. */
    city: z.string().trim().min(1).max(80).optional(),
    title: z.string().trim().min(1).max(120),
    body: z.string().trim().min(1).max(1000),
    reason: AdminReason,
    /** A retry with the same key (same admin) sends nothing more and answers the first count. */
    idempotencyKey: z.string().trim().min(8).max(128),
  })
  .strict()
  .refine((input) => (input.segment === 'city') === (input.city !== undefined), {
    message: 'city is given for the city segment, and only for it',
    path: ['city'],
  });
export type BroadcastInput = z.infer<typeof BroadcastInput>;

export const BroadcastOutput = z.object({
  /** How many users were notified (the first request's count on a replay). */
  recipients: z.number().int(),
  replayed: z.boolean(),
});
export type BroadcastOutput = z.infer<typeof BroadcastOutput>;
