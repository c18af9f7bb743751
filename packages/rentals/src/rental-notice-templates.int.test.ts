import { EngagementSeeder, Notification, NotificationTemplate, PowerBank, Station } from '@powerbank/db';
import { renderNotice, type TemplateText, templateKey } from '@powerbank/notify';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPrepaidRental, aRenter } from './rental.testing.ts';
import { applyRentalEvent } from './rental-events.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
  await new EngagementSeeder().run(db.orm.em.fork());
});
afterAll(() => db.close());

const FALLBACK = { title: 'FALLBACK', body: 'FALLBACK' };

describe('rental notices against the seeded templates', () => {
  it('started, due soon, overdue and returned each carry every variable their templates use', async () => {
    const em = db.orm.em.fork();
    const station = anyRow(em, Station, { name: 'Central Library' });
    const user = aRenter(em, { balance: 10_000 });
    const rental = aPrepaidRental(em, {
      user,
      station,
      status: 'dispensing',
      paid: 'wallet',
      startedAt: new Date(Date.now() - 3 * 3_600_000),
    });
    const bank = anyRow(em, PowerBank, { serialNumber: 'PB-TPL-1', price: 5_000 });
    await em.flush();
    for (const event of [
      { type: 'DISPENSED', slot: 1, powerBankSerial: bank.serialNumber },
      { type: 'DUE_SOON' },
      { type: 'OVERDUE' },
      { type: 'RETURNED', stationSn: station.serialNumber, slot: 2, at: Date.now() },
    ] as const) {
      expect((await applyRentalEvent(db.orm.em.fork(), rental.id, event)).applied, event.type).toBe(true);
    }

    const read = db.orm.em.fork();
    const templates = new Map<string, TemplateText>(
      (await read.find(NotificationTemplate, {})).map((t) => [templateKey(t.code, t.channel, t.locale), t]),
    );
    const notices = await read.find(Notification, { user }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    expect(notices.map((n) => n.type)).toEqual(
      expect.arrayContaining(['rental_started', 'rental_due_soon', 'rental_overdue', 'rental_returned']),
    );
    const rendered = notices
      .filter((n) => [...templates.values()].some((t) => t.code === n.type))
      .flatMap((n) =>
        ['in_app', 'push', 'sms'].map((channel) => ({
          type: n.type,
          channel,
          ...renderNotice(
            templates,
            { code: n.type, channel, locale: 'en', vars: n.payload ?? {} },
            FALLBACK,
          ),
        })),
      );
    expect(rendered.filter((r) => r.body === FALLBACK.body)).toEqual([]);
    expect(rendered.find((r) => r.type === 'rental_started')?.body).toContain('PB-TPL-1');
    expect(rendered.find((r) => r.type === 'rental_returned')?.body).toContain('Central Library');
    expect(rendered.find((r) => r.type === 'rental_overdue')?.body).toMatch(/due at \d{4}-\d\d-\d\dT/);
  });
});
