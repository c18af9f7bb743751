import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  LockMode,
  NotNullConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@powerbank/domain';
import { z } from 'zod';
import { queryInt } from '../../platform/query-input.ts';
import type { AdminRole } from '../../platform/session.ts';
import type { Context } from '../../trpc/context.ts';
import { adminProcedure, router } from '../../trpc/trpc.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import { adminRest } from './admin-route.ts';

/** A catalogue table's row as the ORM holds it: an integer key and the fields staff edit. */
type Row = { id: number } & Record<string, unknown>;
type RowClass = new (...args: never[]) => object;

/**
 * One table of the catalogue (packages, payment methods, FAQ…) as staff edit it.
 * `fields` are the editable columns with their validation; those marked
 * `.optional()` may be left out on create and take `defaults`. Tables with an
 * `isActive` field are deactivated on remove (rows in use elsewhere stay valid);
 * the others are deleted, and a row still in use is refused (409).
 */
export interface CatalogueResource<S extends z.ZodRawShape> {
  /** The REST path segment, e.g. `packages`. */
  path: string;
  /** What one row is called in messages, e.g. `rental package`. */
  label: string;
  entity: RowClass;
  fields: S;
  defaults: Partial<Record<keyof S, unknown>>;
  /** Listed in this order, then by id. */
  orderBy: keyof S & string;
  /** Who may change it (everyone on staff may read it). */
  editors: readonly AdminRole[];
  /** Whether a row still counts elsewhere where its foreign keys cascade (a delete would silently take those rows along). */
  inUse?: (tx: EntityManager, id: number) => Promise<boolean>;
}

const STAFF = ['operations', 'finance', 'support'] as const;
const Id = z.number().int().positive();
/** The row's id as the REST path carries it (text) or a typed client sends it. */
const PathId = queryInt(1, 2_147_483_647);

/** The database's refusals of a write, as the typed errors the api answers with (never a 500). */
async function refusalsTyped<T>(label: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new DomainError('CONFLICT', `a ${label} with this key already exists`);
    }
    if (error instanceof ForeignKeyConstraintViolationException) {
      throw new DomainError('CONFLICT', `this ${label} is still in use`);
    }
    if (
      error instanceof CheckConstraintViolationException ||
      error instanceof NotNullConstraintViolationException
    ) {
      throw new DomainError('VALIDATION_FAILED', `these values are not a valid ${label}`);
    }
    throw error;
  }
}

const pick = (row: object, keys: string[]) =>
  Object.fromEntries(['id', ...keys, 'updatedAt'].map((key) => [key, (row as Row)[key]]));

/**
 * list / create / update / remove of one catalogue table, each change in an
 * `adminMutation` (AdminActionLog row with before and after). Writes go through the
 * unit of work, so the static-table subscriber publishes the cache invalidation of a
 * watched table to every api instance once the transaction commits.
 */
export function catalogueRouter<S extends z.ZodRawShape>(resource: CatalogueResource<S>) {
  const keys = Object.keys(resource.fields);
  const deactivates = keys.includes('isActive');
  const Item = z.object(resource.fields).required().extend({ id: Id, updatedAt: z.date() });
  const CreateInput = z.object(resource.fields).strict();
  const UpdateInput = z.object(resource.fields).partial().extend({ id: PathId }).strict();
  const RemoveInput = z.object({ id: PathId }).strict();
  const action = (verb: string) => `catalogue.${resource.path}.${verb}`;
  const path = `/catalogue/${resource.path}`;
  // The generic shapes are beyond what TypeScript relates to the rows and to tRPC's resolver
  // types: the handlers work on plain records, the resolvers hand them over `as never`, and the
  // output schema (which clients see) checks every answer at run time.
  type Item = z.input<typeof Item>;
  type Fields = Record<string, unknown>;
  type AdminContext = Context & { admin: AdminCaller };

  const lockRow = async (tx: EntityManager, id: number) => {
    const row = await tx.findOne(resource.entity, { id } as never, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row) throw new DomainError('NOT_FOUND', `no such ${resource.label}`);
    return row as Row;
  };

  const list = async (em: EntityManager) => {
    const rows = await em.find(
      resource.entity,
      {},
      { orderBy: [{ [resource.orderBy]: 'asc' }, { id: 'asc' }] as never },
    );
    return { results: rows.map((row) => pick(row, keys) as Item) };
  };

  const create = (ctx: AdminContext, input: Fields): Promise<Item> =>
    refusalsTyped(resource.label, () =>
      adminMutation(ctx, action('create'), async (tx) => {
        const row = tx.create(resource.entity, { ...resource.defaults, ...input } as never) as Row;
        await tx.flush();
        const after = pick(row, keys);
        return { result: after as Item, targetType: resource.path, targetId: String(row.id), after };
      }),
    );

  const update = (ctx: AdminContext, { id, ...patch }: Fields & { id: number }): Promise<Item> =>
    refusalsTyped(resource.label, () =>
      adminMutation(ctx, action('update'), async (tx) => {
        const row = await lockRow(tx, id);
        const before = pick(row, keys);
        tx.assign(row, patch as never);
        await tx.flush();
        const after = pick(row, keys);
        return { result: after as Item, targetType: resource.path, targetId: String(id), before, after };
      }),
    );

  const remove = (ctx: AdminContext, { id }: z.infer<typeof RemoveInput>) =>
    refusalsTyped(resource.label, () =>
      adminMutation(ctx, action(deactivates ? 'deactivate' : 'delete'), async (tx) => {
        const row = await lockRow(tx, id);
        const before = pick(row, keys);
        if (!deactivates && (await resource.inUse?.(tx, id))) {
          throw new DomainError('CONFLICT', `this ${resource.label} is still in use`);
        }
        if (deactivates) tx.assign(row, { isActive: false } as never);
        else tx.remove(row);
        await tx.flush();
        return {
          result: { id, removed: deactivates ? ('deactivated' as const) : ('deleted' as const) },
          targetType: resource.path,
          targetId: String(id),
          before,
          after: deactivates ? { isActive: false } : null,
        };
      }),
    );

  return router({
    list: adminProcedure(STAFF)
      .meta(adminRest('GET', path, `Every ${resource.label}, inactive ones too`))
      .input(z.object({}).strict().optional())
      .output(z.object({ results: z.array(Item) }))
      .query(({ ctx }) => list(ctx.em)),

    create: adminProcedure(resource.editors)
      .meta(adminRest('POST', path, `Add a ${resource.label}`))
      .input(CreateInput)
      .output(Item)
      .mutation(async ({ ctx, input }) => (await create(ctx, input as Fields)) as never),

    update: adminProcedure(resource.editors)
      .meta(adminRest('PATCH', `${path}/{id}`, `Change a ${resource.label}: only the fields sent`))
      .input(UpdateInput)
      .output(Item)
      .mutation(async ({ ctx, input }) => (await update(ctx, input as Fields & { id: number })) as never),

    remove: adminProcedure(resource.editors)
      .meta(
        adminRest(
          'DELETE',
          `${path}/{id}`,
          deactivates
            ? `Deactivate a ${resource.label} (kept for the records that name it)`
            : `Delete a ${resource.label}`,
        ),
      )
      .input(RemoveInput)
      .output(z.object({ id: Id, removed: z.enum(['deactivated', 'deleted']) }))
      .mutation(({ ctx, input }) => remove(ctx, input)),
  });
}
