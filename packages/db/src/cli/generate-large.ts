// `generate:large [--stations N] [--users N]`: the benchmark data set in DATABASE_URL (migrate it first).
// Prints progress lines, then one JSON line with the figures for docs/benchmarks.md.
import { parseArgs } from 'node:util';
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '../open-orm.ts';
import { generateLargeDataSet, type RunSql } from '../seeders/large/generate-large-data-set.ts';
import { createProgress } from '../seeders/large/progress.ts';

const { values } = parseArgs({
  // `pnpm … generate:large -- --stations 10` passes the `--` through; drop it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    stations: { type: 'string', default: '100000' },
    users: { type: 'string', default: '1000000' },
  },
});

const env = parseConfig(commonEnv);
// One connection: the session settings (synchronous_commit, jit) must apply to every statement.
// Bulk inserts of the large data set run for minutes: no statement deadline.
const orm = await openOrm({ ...env, DB_POOL_MIN: 0, DB_POOL_MAX: 1, DB_STATEMENT_TIMEOUT_MS: 0 });
const sql: RunSql = (text) => orm.em.getConnection().execute(text, [], 'all');
try {
  const result = await generateLargeDataSet(
    sql,
    { stations: Number(values.stations), users: Number(values.users) },
    createProgress(),
  );
  console.log(
    JSON.stringify({
      bench: 'generate',
      stations: result.stations,
      slots: result.slots,
      power_banks: result.powerBanks,
      users: result.users,
      seconds: result.seconds,
      db_size_mb: result.dbSizeMb,
    }),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await orm.close();
}
