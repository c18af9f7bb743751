import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import type { SetSettingInput, SettingOutput, SettingsInput, SettingsOutput } from './settings.schemas.ts';
import { SETTINGS, type Setting } from './settings-registry.ts';

function settingOutput(setting: Setting, row: AppConfig | undefined): SettingOutput {
  const stored = setting.schema.safeParse(row?.value);
  return {
    key: setting.key,
    group: setting.group,
    description: setting.description,
    // A stored value the registry would refuse (written before it existed) shows as the default the readers fall back to.
    value: stored.success ? stored.data : setting.defaultValue,
    defaultValue: setting.defaultValue,
    updatedAt: row?.updatedAt ?? null,
  };
}

/** The known settings (of one group, e.g. late_fee), with their stored values. */
export async function listSettings(em: EntityManager, input: SettingsInput): Promise<SettingsOutput> {
  const settings = [...SETTINGS.values()].filter((s) => !input.group || s.group === input.group);
  const rows = await em.find(AppConfig, { key: { $in: settings.map((s) => s.key) } });
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return { results: settings.map((s) => settingOutput(s, byKey.get(s.key))) };
}

/**
 * Sets one known setting, its value checked against the key's schema first (an
 * unknown key or a wrong value: 400, nothing written). Written through the unit of
 * work, so every api instance drops its cached AppConfig once this commits.
 */
export function setSetting(
  ctx: Context & { admin: AdminCaller },
  input: SetSettingInput,
): Promise<SettingOutput> {
  const setting = SETTINGS.get(input.key);
  if (!setting) throw new DomainError('VALIDATION_FAILED', `no setting named ${input.key}`);
  const parsed = setting.schema.safeParse(input.value);
  if (!parsed.success) {
    throw new DomainError('VALIDATION_FAILED', `not a valid value for ${input.key}`, {
      issues: parsed.error.issues.map((issue) => issue.message),
    });
  }
  return adminMutation(ctx, 'settings.set', async (tx) => {
    const row = await tx.findOne(AppConfig, { key: input.key }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const before = row ? { value: row.value } : null;
    const saved =
      row ?? tx.create(AppConfig, { key: input.key, value: parsed.data, description: setting.description });
    saved.value = parsed.data;
    await tx.flush();
    return {
      result: settingOutput(setting, saved),
      targetType: 'app_config',
      targetId: input.key,
      before,
      after: { value: parsed.data },
      reason: input.reason,
    };
  });
}
