import { z } from 'zod';
import { SETTING_GROUPS } from './settings-registry.ts';
import { AdminReason } from './users.schemas.ts';

const Value = z.union([z.number(), z.boolean()]);

export const SettingsInput = z.object({ group: z.enum(SETTING_GROUPS).optional() });
export type SettingsInput = z.infer<typeof SettingsInput>;

export const SettingOutput = z.object({
  key: z.string(),
  group: z.enum(SETTING_GROUPS),
  description: z.string(),
  /** The stored value, or the default while none is stored. */
  value: Value,
  defaultValue: Value,
  /** When staff last set it; null while the default applies. */
  updatedAt: z.date().nullable(),
});
export type SettingOutput = z.infer<typeof SettingOutput>;
export const SettingsOutput = z.object({ results: z.array(SettingOutput) });
export type SettingsOutput = z.infer<typeof SettingsOutput>;

export const SetSettingInput = z
  .object({ key: z.string().min(1).max(80), value: z.unknown(), reason: AdminReason })
  .strict();
export type SetSettingInput = z.infer<typeof SetSettingInput>;
