import { EJECT_TIMEOUT_MS, startCoreHarness } from '../../../station-core/src/testing/core-harness.ts';
import { createTestApi } from './test-app.ts';

/**
 * What rental tests run on: station-core's harness (bridge, core, simulator,
 * database) and an api over its database and NATS prefix, waiting on the
 * dispense a little longer than the core's eject timeout.
 */
export async function startRentalStack(apiEnv: Record<string, string> = {}) {
  const h = await startCoreHarness();
  const api = await createTestApi({
    databaseUrl: h.db.db.url,
    env: { ...apiEnv, NATS_PREFIX: h.prefix, RENTAL_DISPENSE_TIMEOUT_MS: String(EJECT_TIMEOUT_MS + 3000) },
  });
  return {
    h,
    api,
    async close() {
      await api.close();
      await h.close();
    },
  };
}
