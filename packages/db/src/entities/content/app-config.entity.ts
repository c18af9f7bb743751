import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const AppConfigSchema = defineEntity({
  name: 'AppConfig',
  properties: {
    id: serialKey(),
    /** e.g. points_per_currency_unit, topup_points_rate_pct, late_fee_multiplier. */
    key: p.string().length(80).unique(),
    value: p.json<unknown>(),
    description: p.string().length(255).nullable(),
    ...timestamps(),
  },
});

/** Business defaults admins can change (RULES.md figures live here, never as constants in code). */
export class AppConfig extends AppConfigSchema.class {}
AppConfigSchema.setClass(AppConfig);
