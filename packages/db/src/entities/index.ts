import { AppVersion } from './content/app-version.entity.ts';

export { AppVersion, PLATFORMS, type Platform } from './content/app-version.entity.ts';

/** Every entity the ORM knows; the migration-drift test compares these with the migrations. */
export const entities = [AppVersion] as const;
