import { USER_STATUSES } from '@powerbank/db';
import { z } from 'zod';

export const SuspendUserInput = z
  .object({ userId: z.uuid(), reason: z.string().trim().min(3).max(255) })
  .strict();
export type SuspendUserInput = z.infer<typeof SuspendUserInput>;

export const UserStatusOutput = z.object({ userId: z.string(), status: z.enum(USER_STATUSES) });
export type UserStatusOutput = z.infer<typeof UserStatusOutput>;
