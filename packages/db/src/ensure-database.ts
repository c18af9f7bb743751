import { MikroORM } from '@mikro-orm/postgresql';

/** Creates the database named in `url` when it does not exist yet (a fresh clone's first `up`). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const orm = await MikroORM.init({
    clientUrl: admin.toString(),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 1 },
  });
  try {
    const rows = await orm.em.getConnection().execute('select 1 from pg_database where datname = ?', [name]);
    if (rows.length === 0)
      await orm.em.getConnection().execute(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await orm.close(true);
  }
}
