import { Notification, PowerBank, Rental, RentalPackage } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateStarted, applyDispenseOutcome, type StartedRental } from './dispense-outcome.ts';
import { rentalConfigOf } from './rental-config.ts';
import { lockRentalForEvent, readPackage } from './rental-record.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

/** A pending rental of a 90-minute package, as the start's insert leaves it, and a power bank to hand out. */
async function aStart(): Promise<{ started: StartedRental; bank: PowerBank }> {
  const em = db.orm.em.fork();
  const pkg = anyRow(em, RentalPackage, { paymentModel: 'prepaid', durationMinutes: 90, price: 800 });
  const rental = anyRow(em, Rental, { status: 'pending', package: pkg, prepaidAmount: 800, walletPaid: 800 });
  const bank = anyRow(em, PowerBank, {});
  await em.flush();
  const locked = await db.orm.em
    .fork()
    .transactional((tem) => lockRentalForEvent(tem, rental.id, { configKeys: [] }));
  const read = await readPackage(db.orm.em.fork(), pkg.id);
  if (!locked || !read) throw new Error('the rental was not written');
  return { started: { rental: locked.rental, pkg: read, config: rentalConfigOf(new Map()) }, bank };
}

const dispensed = (bank: PowerBank) => ({ ok: true as const, slot: 3, powerBankSerial: bank.serialNumber });

/** The rental's row and its notices, read fresh. */
async function stored(rentalId: string) {
  const em = db.orm.em.fork();
  const rental = await em.findOneOrFail(Rental, rentalId);
  const notices = await em.find(Notification, { dedupeKey: { $like: `rental:${rentalId}:%` } });
  return { rental, notices };
}

describe("the api's own dispense answer in one statement (activateStarted)", () => {
  it('writes what the locked path writes: active, the bank, slot, start and due time, one started notice', async () => {
    const fast = await aStart();
    const locked = await aStart();
    const applied = await activateStarted(db.orm.em.fork(), fast.started, dispensed(fast.bank));
    await applyDispenseOutcome(db.orm.em.fork(), locked.started.rental.id, dispensed(locked.bank));

    expect(applied?.applied).toBe(true);
    const a = await stored(fast.started.rental.id);
    const b = await stored(locked.started.rental.id);
    for (const [row, bank] of [
      [a, fast.bank],
      [b, locked.bank],
    ] as const) {
      expect(row.rental).toMatchObject({ status: 'active', startSlotIndex: 3 });
      expect(row.rental.failureReason ?? null).toBeNull();
      expect(row.rental.powerBank?.id).toBe(bank.id);
      expect(row.rental.dueAt!.getTime() - row.rental.startedAt!.getTime()).toBe(90 * 60_000);
      expect(row.notices.map((n) => [n.type, n.title, n.body, n.channel, n.status])).toEqual([
        [
          'rental_started',
          'Rental started',
          'Take your power bank. Return it to any station.',
          'in_app',
          'sent',
        ],
      ]);
      expect(row.notices[0]!.payload).toEqual({
        rentalId: row.rental.id,
        dueAt: row.rental.dueAt!.toISOString(),
        powerBankSerial: bank.serialNumber,
      });
    }
    // The answer is the row as written.
    expect(applied?.rental).toMatchObject({
      id: fast.started.rental.id,
      status: 'active',
      powerBankId: fast.bank.id,
      startSlotIndex: 3,
      startedAt: a.rental.startedAt,
      dueAt: a.rental.dueAt,
    });
  });

  it('a rental that left its status meanwhile is not touched: null, no notice, the locked path decides', async () => {
    const { started, bank } = await aStart();
    await db.orm.em.fork().nativeUpdate(Rental, { id: started.rental.id }, { status: 'cancelled' });

    expect(await activateStarted(db.orm.em.fork(), started, dispensed(bank))).toBeNull();
    const after = await stored(started.rental.id);
    expect(after.rental.status).toBe('cancelled');
    expect(after.rental.powerBank ?? null).toBeNull();
    expect(after.notices).toEqual([]);
  });

  it('anything but the plain start (a failed eject) is left to the locked path', async () => {
    const { started } = await aStart();
    expect(await activateStarted(db.orm.em.fork(), started, { ok: false, reason: 'jammed' })).toBeNull();
    expect((await stored(started.rental.id)).rental.status).toBe('pending');
  });

  it('waiting on the row lock of the runner applying the same outcome: matches nothing once that commits', async () => {
    const { started, bank } = await aStart();
    let fast: Promise<Awaited<ReturnType<typeof activateStarted>>> | undefined;
    await db.orm.em.fork().transactional(async (tem) => {
      expect((await applyDispenseOutcome(tem, started.rental.id, dispensed(bank))).applied).toBe(true);
      // The row is locked by this transaction: the statement waits for it, then re-checks the status.
      fast = activateStarted(db.orm.em.fork(), started, dispensed(bank));
      await new Promise((resolve) => setTimeout(resolve, 150));
    });
    expect(await fast).toBeNull();
    expect((await stored(started.rental.id)).notices).toHaveLength(1);
  });

  it('raced by the runner applying the same outcome: applied once, one notice', async () => {
    for (let round = 0; round < 10; round += 1) {
      const { started, bank } = await aStart();
      const [fast, locked] = await Promise.all([
        activateStarted(db.orm.em.fork(), started, dispensed(bank)),
        applyDispenseOutcome(db.orm.em.fork(), started.rental.id, dispensed(bank)),
      ]);
      expect([fast?.applied ?? false, locked.applied].filter(Boolean)).toHaveLength(1);
      const after = await stored(started.rental.id);
      expect(after.rental.status).toBe('active');
      expect(after.notices).toHaveLength(1);
    }
  });
});
