import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entities } from './index.ts';

describe('every entity persists and reloads', () => {
  let db: TestOrm;
  beforeAll(async () => {
    db = await createTestOrm();
  });
  afterAll(() => db.close());

  it('covers all 77 entities', () => {
    expect(entities).toHaveLength(77);
  });

  it.each(entities.map((entity) => [entity.name, entity] as const))('%s', async (_name, entity) => {
    const em = db.orm.em.fork();
    const row = anyRow(em, entity as never);
    await em.flush();
    const meta = em.getMetadata().get(entity as never);
    const pk = Object.fromEntries(
      meta.primaryKeys.map((key) => [key, (row as Record<string, unknown>)[key]]),
    );

    const fresh = db.orm.em.fork();
    const loaded = await fresh.findOneOrFail(entity as never, pk as never);
    for (const key of meta.primaryKeys) {
      expect(String((loaded as Record<string, unknown>)[key])).toBe(
        String((row as Record<string, unknown>)[key]),
      );
    }
    // Every persisted scalar comes back equal (dates and bigint-as-number included).
    for (const prop of meta.props) {
      if (prop.kind !== 'scalar' || prop.hidden) continue;
      const before = (row as Record<string, unknown>)[prop.name];
      const after = (loaded as Record<string, unknown>)[prop.name];
      if (before === undefined) continue;
      expect(JSON.stringify(after), `${entity.name}.${prop.name}`).toBe(JSON.stringify(before));
    }
  });
});
