import { readFileSync } from 'node:fs';
import { MikroORM } from '@mikro-orm/postgresql';
import { commonEnv } from '@powerbank/config';
import { describe, expect, it } from 'vitest';
import { entities } from './entities/index.ts';
import { createOrmConfig } from './orm-config.ts';

/** Every table the two seed documents name, in their own spelling (000: 14 static + 35 dynamic; 002: 16). */
const SEED_TABLES = {
  '000 static': [
    'AppConfig',
    'Country',
    'PaymentMethod',
    'StationAmenity',
    'RentalPackage',
    'ContentPage',
    'NotificationTemplate',
    'NotificationRule',
    'Achievement',
    'AppVersion',
    'Banner',
    'FAQ',
    'ContactInfo',
    'AppUpdate',
  ],
  '000 dynamic': [
    'User',
    'UserProfile',
    'UserKYC',
    'UserDevice',
    'Wallet',
    'WalletTransaction',
    'UserPoints',
    'PointsTransaction',
    'Station',
    'StationSlot',
    'PowerBank',
    'StationMedia',
    'StationAmenityMapping',
    'UserStationFavorite',
    'StationIssue',
    'Rental',
    'RentalExtension',
    'RentalLocation',
    'RentalIssue',
    'Transaction',
    'PaymentIntent',
    'PaymentWebhook',
    'Refund',
    'Notification',
    'SMS_FCMLog',
    'Referral',
    'UserLeaderboard',
    'UserAchievement',
    'Coupon',
    'CouponUsage',
    'MediaUpload',
    'UserAuditLog',
    'AdminProfile',
    'AdminActionLog',
    'SystemLog',
  ],
  '002': [
    'users',
    'products',
    'rental_orders',
    'inventory_items',
    'categories',
    'user_roles',
    'subscription_plans',
    'loyalty_accounts',
    'schedules',
    'events',
    'notifications',
    'payments',
    'invoices',
    'product_assets',
    'handover_qr',
    'promotions',
  ],
} as const;

const doc = readFileSync(new URL('../../../docs/data-model.md', import.meta.url), 'utf8');
/** Rows of the coverage table: `| \`seed table\` | seed | \`Entity\` | \`table\` | … |`. */
const rows = [...doc.matchAll(/^\|\s*`([^`]+)`\s*\|[^|]*\|\s*`([^`]+)`\s*\|\s*`([^`]+)`[^|]*\|/gm)].map(
  (m) => ({
    seedTable: m[1]!,
    entity: m[2]!,
    table: m[3]!,
  }),
);

describe('docs/data-model.md coverage table', () => {
  it('counts 65 seed tables', () => {
    expect(Object.values(SEED_TABLES).flat()).toHaveLength(65);
  });

  it('lists every seed table exactly once', () => {
    const listed = rows.map((r) => r.seedTable).sort();
    expect(listed).toEqual([...Object.values(SEED_TABLES).flat()].sort());
  });

  it('maps each to an entity that exists, with its real table name', async () => {
    // The synchronous constructor discovers metadata without opening a connection.
    const orm = new MikroORM(createOrmConfig({ ...commonEnv.parse({}), DB_POOL_MAX: 1 }));
    try {
      for (const row of rows) {
        const entity = entities.find((e) => e.name === row.entity);
        expect(entity, `${row.seedTable} → ${row.entity}`).toBeDefined();
        expect(row.table, row.seedTable).toBe(orm.getMetadata().get(entity as never).tableName);
      }
    } finally {
      await orm.close();
    }
  });
});
