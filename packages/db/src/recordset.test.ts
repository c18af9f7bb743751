import { describe, expect, it } from 'vitest';
import { recordset } from './recordset.ts';
import { prepared } from './typed-query.ts';

describe('recordset: a batch of rows as one jsonb parameter', () => {
  it('reads the parameter as a table with the typed columns, names quoted', () => {
    const update = prepared((db, p: { rows: string }) =>
      db
        .updateTable('station_command as c')
        .from(recordset(p.rows, 'x', { id: 'text', slotIndex: 'int?' }))
        .set((eb) => ({ slot_index: eb.ref('x.slotIndex') }))
        .whereRef('c.id', '=', 'x.id'),
    );
    expect(update.text).toBe(
      'update "station_command" as "c" set "slot_index" = "x"."slotIndex" from jsonb_to_recordset($1::jsonb) as "x"("id" text, "slotIndex" int) where "c"."id" = "x"."id"',
    );
    expect(update.slots).toEqual([{ param: 'rows' }]);
  });
});
