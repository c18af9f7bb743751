import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { AppVersion } from '../entities/index.ts';

/** Current releases per platform. Upserts by (platform, version), so seeding twice changes nothing. */
export class AppVersionSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    const releases = [
      {
        platform: 'ios',
        version: '2.4.0',
        minSupportedVersion: '2.0.0',
        storeUrl: 'https://apps.example.com/powerbank/ios',
      },
      {
        platform: 'android',
        version: '2.4.1',
        minSupportedVersion: '2.0.0',
        storeUrl: 'https://apps.example.com/powerbank/android',
      },
      { platform: 'web', version: '2.4.0', minSupportedVersion: '2.4.0', storeUrl: null },
    ] as const;
    for (const release of releases) {
      await em.upsert(
        AppVersion,
        {
          ...release,
          forceUpdate: false,
          releaseNotes: 'Faster station map and hybrid wallet + points payments.',
          releasedAt: new Date('2026-11-01T00:00:00Z'),
          createdAt: new Date(),
          updatedAt: new Date(),
        },
        { onConflictFields: ['platform', 'version'], onConflictAction: 'ignore' },
      );
    }
  }
}
