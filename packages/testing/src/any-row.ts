import type { EntityManager, EntityMetadata, EntityProperty } from '@mikro-orm/postgresql';

let counter = 0;
/** Unique upper-case token: safe for unique columns and for CHECKs like `code = upper(code)`. */
const token = (length = 12) => {
  counter += 1;
  const raw = `T${counter.toString(36)}${Math.random().toString(36).slice(2)}`.toUpperCase();
  return raw.slice(0, Math.max(1, length));
};

function scalarValue(prop: EntityProperty): unknown {
  if (prop.enum && prop.items?.length) return prop.items[0];
  const type = String(prop.runtimeType ?? prop.type).toLowerCase();
  const column = String(prop.columnTypes?.[0] ?? '').toLowerCase();
  if (column === 'uuid' || type === 'uuid') return crypto.randomUUID();
  if (column === 'date') return '2026-01-01';
  if (type === 'date' || type === 'datetime' || column.startsWith('timestamp')) return new Date();
  if (type === 'boolean') return true;
  if (type === 'number' || type === 'bigint' || column.includes('int') || column.includes('double')) return 1;
  if (column === 'jsonb' || column === 'json' || type === 'object' || type === 'any') return {};
  return token(Math.min(prop.length ?? 12, 12));
}

/**
 * Builds (without flushing) a valid row of any entity from its metadata:
 * required scalars get type-appropriate values, required relations get rows of
 * their own, recursively. `overrides` sets fields explicitly. Lets a test touch
 * every entity without 64 hand-written builders going stale.
 */
export function anyRow<T extends object>(
  em: EntityManager,
  entity: new (...args: never[]) => T,
  overrides: Partial<Record<string, unknown>> = {},
  defaultsByEntity: RowDefaults = {},
): T {
  const meta = em.getMetadata().get(entity) as EntityMetadata<T>;
  return buildFromMeta(em, meta, overrides, { ...builtInDefaults, ...defaultsByEntity }) as T;
}

/** Field values per entity class name, applied wherever such a row is built (also as a related row). */
export type RowDefaults = Partial<Record<string, () => Record<string, unknown>>>;

/** Rows whose CHECKs tie two fields together, which the generic builder cannot guess. */
const builtInDefaults: RowDefaults = {
  Coupon: () => ({ validFrom: new Date('2026-01-01'), validTo: new Date('2026-12-31') }),
  RentalOrder: () => ({ startTs: new Date('2026-01-01'), endTs: new Date('2026-01-02') }),
  RentalOrderItem: () => ({ startTs: new Date('2026-01-01'), endTs: new Date('2026-01-02') }),
  UserSubscription: () => ({ startsAt: new Date('2026-01-01'), endsAt: new Date('2026-02-01') }),
};

function buildFromMeta(
  em: EntityManager,
  meta: EntityMetadata,
  overrides: Record<string, unknown>,
  defaults: RowDefaults,
): object {
  const data: Record<string, unknown> = { ...defaults[meta.className]?.(), ...overrides };
  for (const prop of meta.props) {
    if (prop.name in data || prop.persist === false || prop.formula) continue;
    const optional =
      prop.nullable ||
      prop.default !== undefined ||
      prop.defaultRaw !== undefined ||
      prop.onCreate ||
      prop.autoincrement;
    if (prop.kind === 'scalar') {
      if (!optional) data[prop.name] = scalarValue(prop);
    } else if ((prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner)) && !prop.nullable) {
      const target = prop.targetMeta;
      if (!target) throw new Error(`no metadata for ${meta.className}.${prop.name}`);
      data[prop.name] = buildFromMeta(em, target, {}, defaults);
    }
  }
  return em.create(meta.class, data as never);
}
