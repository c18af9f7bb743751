import { APP_CONFIG_DEFAULTS } from '@powerbank/db';
import { PAYMENT_CONFIG_DEFAULTS } from '@powerbank/ledger';
import { RENTAL_CONFIG_DEFAULTS } from '@powerbank/rentals';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_CONFIG_DEFAULTS } from '../auth/account-config.ts';
import { SETTINGS } from './settings-registry.ts';

describe('the settings registry', () => {
  it('knows every key the code reads and the seed writes', () => {
    const read = [
      ...Object.keys(RENTAL_CONFIG_DEFAULTS),
      ...Object.keys(ACCOUNT_CONFIG_DEFAULTS),
      ...Object.keys(PAYMENT_CONFIG_DEFAULTS),
      ...APP_CONFIG_DEFAULTS.map((row) => row.key),
    ];
    for (const key of read) expect(SETTINGS.has(key), key).toBe(true);
  });

  it('accepts each default and each seeded value under its own schema', () => {
    for (const setting of SETTINGS.values()) {
      expect(setting.schema.safeParse(setting.defaultValue).success, setting.key).toBe(true);
    }
    for (const row of APP_CONFIG_DEFAULTS) {
      expect(SETTINGS.get(row.key)?.schema.safeParse(row.value).success, row.key).toBe(true);
    }
  });

  it('groups the late-fee figures together', () => {
    const lateFee = [...SETTINGS.values()].filter((s) => s.group === 'late_fee').map((s) => s.key);
    expect(lateFee.sort()).toEqual(
      Object.keys(RENTAL_CONFIG_DEFAULTS)
        .filter((key) => key.startsWith('late_fee_'))
        .sort(),
    );
  });
});
