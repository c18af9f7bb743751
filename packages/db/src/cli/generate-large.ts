// `generate:large [--stations N] [--users N] [--rentals N] [--database-url URL]`: the benchmark data set, by default
// in the benchmarks' own database (pb_large on the server of DATABASE_URL), created and migrated
// first when it is not. Prints progress lines, then one JSON line with the figures for docs/benchmarks.md.
import { commonEnv, parseConfig } from '@powerbank/config';
import { generateLargeDataSet } from '../seeders/large/generate-large-data-set.ts';
import { describeDatabaseUrl, openLargeDatabase } from '../seeders/large/large-database.ts';
import { createProgress } from '../seeders/large/progress.ts';
import { parseGenerateLargeArgs } from './generate-large-args.ts';

const args = parseGenerateLargeArgs(process.argv.slice(2), parseConfig(commonEnv));
const progress = createProgress();
progress.line(`into ${describeDatabaseUrl(args.databaseUrl)}`);
try {
  const db = await openLargeDatabase(args.databaseUrl, progress);
  try {
    const result = await generateLargeDataSet(db.sql, args, progress);
    console.log(
      JSON.stringify({
        bench: 'generate',
        stations: result.stations,
        slots: result.slots,
        power_banks: result.powerBanks,
        users: result.users,
        rentals: result.rentals,
        transactions: result.transactions,
        seconds: result.seconds,
        db_size_mb: result.dbSizeMb,
      }),
    );
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
