import { Notification, PointsTransaction, PowerBank, Rental, Station, UserPoints } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPowerBankReturn } from './dispense-outcome.ts';
import { aPrepaidRental, aRenter } from './rental.testing.ts';
import { applyEventTo, applyEventUnlocked } from './rental-events.ts';

let db: TestOrm;
let station: Station;
beforeAll(async () => {
  db = await createTestOrm();
  const em = db.orm.em.fork();
  station = anyRow(em, Station, {});
  await em.flush();
});
afterAll(() => db.close());

/** An active prepaid rental of an hour (nothing held, nothing owed), started `minutesAgo` ago, and its bank's serial. */
async function anActiveRental(minutesAgo = 10): Promise<{ rental: Rental; serial: string }> {
  const em = db.orm.em.fork();
  const user = aRenter(em);
  const rental = aPrepaidRental(em, { user, station, startedAt: new Date(Date.now() - minutesAgo * 60_000) });
  await em.flush();
  const bank = await em.findOneOrFail(PowerBank, rental.powerBank!.id);
  return { rental, serial: bank.serialNumber };
}

const returnOf = (serial: string) => ({
  target: { openWithBank: serial },
  event: { type: 'RETURNED' as const, stationSn: station.serialNumber, slot: 2, at: Date.now() },
});

/** What a settlement leaves of a rental: its row, notices, points entries and balance. */
async function stored(rentalId: string) {
  const em = db.orm.em.fork();
  const rental = await em.findOneOrFail(Rental, rentalId);
  const notices = await em.find(Notification, { dedupeKey: { $like: `rental:${rentalId}:%` } });
  const points = await em.find(PointsTransaction, { idempotencyKey: { $like: `rental:${rentalId}:%` } });
  const balance = await em.findOneOrFail(UserPoints, { user: rental.user });
  return { rental, notices, points, balance: balance.balance };
}

/** The parts of `stored` two settlements of different rentals share. */
const shapeOf = (s: Awaited<ReturnType<typeof stored>>) => ({
  rental: {
    status: s.rental.status,
    returnStation: s.rental.returnStation?.id,
    returnSlotIndex: s.rental.returnSlotIndex,
    settled: s.rental.settledAt !== null && s.rental.settledAt !== undefined,
    returned: s.rental.returnedAt !== null && s.rental.returnedAt !== undefined,
    settledAmount: s.rental.settledAmount,
    dueAmount: s.rental.dueAmount,
    overageAmount: s.rental.overageAmount,
    lateFeeAmount: s.rental.lateFeeAmount,
  },
  notices: s.notices.map((n) => [n.type, n.title, n.body]).sort(),
  points: s.points.map((p) => [p.type, p.points]).sort(),
  balance: s.balance,
});

describe('a return applied without the row lock (applyEventUnlocked)', () => {
  it('writes what the locked path writes: settled, the return station and slot, notices, points', async () => {
    const fast = await anActiveRental();
    const locked = await anActiveRental();
    const a = returnOf(fast.serial);
    const b = returnOf(locked.serial);
    const applied = await applyEventUnlocked(db.orm.em.fork(), a.target, a.event);
    await applyEventTo(db.orm.em.fork(), b.target, b.event);

    expect(applied?.applied).toBe(true);
    expect(applied?.rental.status).toBe('settled');
    const fastRows = shapeOf(await stored(fast.rental.id));
    expect(fastRows).toEqual(shapeOf(await stored(locked.rental.id)));
    expect(fastRows.rental).toMatchObject({
      status: 'settled',
      returnStation: station.id,
      returnSlotIndex: 2,
    });
    expect(fastRows.notices.map(([type]) => type)).toContain('rental_returned');
  });

  it('a rental changed between its read and its write (an extension committed meanwhile): nothing written, undefined', async () => {
    const { rental, serial } = await anActiveRental();
    const { target, event } = returnOf(serial);
    let fast: Promise<Awaited<ReturnType<typeof applyEventUnlocked>>> | undefined;
    await db.orm.em.fork().transactional(async (tem) => {
      // Holding the row: the unlocked read goes through, its guarded write waits, then re-checks.
      await tem.nativeUpdate(Rental, { id: rental.id }, { extensionCount: 1 });
      fast = applyEventUnlocked(db.orm.em.fork(), target, event);
      await new Promise((resolve) => setTimeout(resolve, 150));
    });
    expect(await fast).toBeUndefined();
    const after = await stored(rental.id);
    expect(after.rental.status).toBe('active');
    expect(after.notices).toEqual([]);
    expect(after.points).toEqual([]);
    // The locked path then decides afresh, from the row as it is.
    expect(
      (
        await applyPowerBankReturn(db.orm.em.fork(), {
          ...event,
          sn: station.serialNumber,
          powerBankSerial: serial,
        })
      )?.applied,
    ).toBe(true);
    expect((await stored(rental.id)).rental.status).toBe('settled');
  });

  it('a return that moves money (a held deposit to release) is left to the locked path: undefined, nothing written', async () => {
    const { rental, serial } = await anActiveRental();
    await db.orm.em.fork().nativeUpdate(Rental, { id: rental.id }, { heldAmount: 50 });
    const { target, event } = returnOf(serial);
    expect(await applyEventUnlocked(db.orm.em.fork(), target, event)).toBeUndefined();
    const after = await stored(rental.id);
    expect(after.rental.status).toBe('active');
    expect(after.notices).toEqual([]);
  });

  it('10 concurrent returns of one bank: one applied, settled once, points and notices once', async () => {
    const { rental, serial } = await anActiveRental();
    const report = { sn: station.serialNumber, slot: 2, powerBankSerial: serial, at: Date.now() };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => applyPowerBankReturn(db.orm.em.fork(), report)),
    );
    expect(results.filter((r) => r?.applied)).toHaveLength(1);
    const after = await stored(rental.id);
    expect(after.rental.status).toBe('settled');
    const single = await anActiveRental();
    await applyPowerBankReturn(db.orm.em.fork(), { ...report, powerBankSerial: single.serial });
    expect(shapeOf(after)).toEqual(shapeOf(await stored(single.rental.id)));
  });
});
