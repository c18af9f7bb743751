import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { AppConfigSeeder } from './app-config.seeder.ts';
import { AppVersionSeeder } from './app-version.seeder.ts';
import { ContentSeeder } from './content.seeder.ts';
import { EngagementSeeder } from './engagement.seeder.ts';
import { MarketplaceSeeder } from './marketplace.seeder.ts';
import { PaymentsSeeder } from './payments.seeder.ts';
import { StationsSeeder } from './stations.seeder.ts';
import { UsersSeeder } from './users.seeder.ts';

/**
 * The small demo data set the quick start loads. Every seeder in it is
 * idempotent (missing rows are added, present ones kept), so it can run on
 * every start. Order matters only for MarketplaceSeeder, which needs the demo
 * seller from UsersSeeder.
 */
export class DemoSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    return this.call(em, [
      AppConfigSeeder,
      ContentSeeder,
      AppVersionSeeder,
      PaymentsSeeder,
      EngagementSeeder,
      StationsSeeder,
      UsersSeeder,
      MarketplaceSeeder,
    ]);
  }
}
