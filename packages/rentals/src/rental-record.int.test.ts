import type { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig, PowerBank, Rental, Station } from '@powerbank/db';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockRentalForEvent, type RentalRecord, readPackage, saveRental } from './rental-record.ts';

let db: TestOrm;
beforeAll(async () => {
  db = await createTestOrm();
});
afterAll(() => db.close());

/** The rental record alone, as `lockRentalForEvent` reads it. */
const lockRental = async (em: EntityManager, id: string) =>
  (await lockRentalForEvent(em, id, { configKeys: [] }))?.rental ?? null;

async function aRental(): Promise<Rental> {
  const em = db.orm.em.fork();
  const rental = anyRow(em, Rental, {
    status: 'pending',
    prepaidAmount: 800,
    walletPaid: 500,
    pointsPaid: 300,
    dueAmount: 0,
  });
  await em.flush();
  return rental;
}

describe('rental records (the rental path without entities)', () => {
  it('reads the row as the ORM stores it: money as numbers, timestamps as dates', async () => {
    const stored = await aRental();
    const record = await db.orm.em.fork().transactional((em) => lockRental(em, stored.id));
    expect(record).toMatchObject({
      id: stored.id,
      userId: stored.user.id,
      packageId: stored.package.id,
      startStationId: stored.startStation.id,
      powerBankId: null,
      status: 'pending',
      prepaidAmount: 800,
      walletPaid: 500,
      pointsPaid: 300,
      idempotencyKey: stored.idempotencyKey,
      startedAt: null,
    });
    expect(record?.createdAt).toEqual(stored.createdAt);
    const pkg = await readPackage(db.orm.em.fork(), stored.package.id);
    expect(pkg).toMatchObject({
      id: stored.package.id,
      price: stored.package.price,
      durationMinutes: stored.package.durationMinutes,
      paymentModel: stored.package.paymentModel,
    });
  });

  it('reads with the lock what the event needs: package, settings, the power bank held, the ids the event names', async () => {
    const em = db.orm.em.fork();
    const held = anyRow(em, PowerBank, { price: 4_500 });
    const named = anyRow(em, PowerBank, {});
    const station = anyRow(em, Station, {});
    const key = `test_setting_${held.id.slice(0, 8)}`;
    em.create(AppConfig, { key, value: 7, description: 'lockRentalForEvent test' });
    await em.flush();
    const stored = await aRental();
    await db.orm.em.fork().nativeUpdate(Rental, { id: stored.id }, { powerBank: held.id });
    const locked = await db.orm.em.fork().transactional((tem) =>
      lockRentalForEvent(tem, stored.id, {
        configKeys: [key, 'no_such_setting'],
        stationSn: station.serialNumber,
        powerBankSerial: named.serialNumber,
      }),
    );
    expect(locked?.rental).toMatchObject({ id: stored.id, powerBankId: held.id });
    expect(locked?.pkg).toEqual(await readPackage(db.orm.em.fork(), stored.package.id));
    expect([...(locked?.config ?? [])]).toEqual([[key, 7]]);
    expect(locked).toMatchObject({ powerBankPrice: 4_500, stationId: station.id, powerBankId: named.id });

    const plain = await aRental();
    const bare = await db.orm.em
      .fork()
      .transactional((tem) => lockRentalForEvent(tem, plain.id, { configKeys: [], stationSn: 'NO-SUCH-SN' }));
    expect(bare).toMatchObject({ powerBankPrice: null, stationId: null, powerBankId: null });
    expect(bare?.config.size).toBe(0);
    await expect(
      db.orm.em
        .fork()
        .transactional((tem) =>
          lockRentalForEvent(tem, '00000000-0000-7000-8000-000000000000', { configKeys: [] }),
        ),
    ).resolves.toBeNull();
  });

  it("finds a return's rental by the bank it holds, locked: only an open one, and not once closed while waiting", async () => {
    const em = db.orm.em.fork();
    const bank = anyRow(em, PowerBank, {});
    await em.flush();
    const stored = await aRental();
    const byBank = (tem: EntityManager) =>
      lockRentalForEvent(tem, { openWithBank: bank.serialNumber }, { configKeys: [] });
    // Pending (not yet holding it in the user's hand) is not returned by a bank put back.
    await db.orm.em.fork().nativeUpdate(Rental, { id: stored.id }, { powerBank: bank.id });
    await expect(db.orm.em.fork().transactional(byBank)).resolves.toBeNull();
    await db.orm.em.fork().nativeUpdate(Rental, { id: stored.id }, { status: 'active' });
    const found = await db.orm.em.fork().transactional(byBank);
    expect(found?.rental).toMatchObject({ id: stored.id, status: 'active', powerBankId: bank.id });

    // A second return waits for the first one's lock; the first closes the rental, the second finds none.
    let closeFirst = () => {};
    const firstHolds = new Promise<void>((resolve) => {
      closeFirst = resolve;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const first = db.orm.em.fork().transactional(async (tem) => {
      const mine = await byBank(tem);
      locked();
      await firstHolds;
      await tem.nativeUpdate(Rental, { id: mine!.rental.id }, { status: 'settled' });
    });
    await isLocked;
    const second = db.orm.em.fork().transactional(byBank);
    await new Promise((r) => setTimeout(r, 100));
    closeFirst();
    await first;
    await expect(second).resolves.toBeNull();
  });

  it('writes back every field a rental event may change, in one update', async () => {
    const stored = await aRental();
    const em = db.orm.em.fork();
    const powerBank = anyRow(em, PowerBank, {});
    const returnStation = anyRow(em, Station, {});
    await em.flush();
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute, 0, 123));
    const changed: Partial<RentalRecord> = {
      status: 'settled',
      powerBankId: powerBank.id,
      startSlotIndex: 3,
      returnStationId: returnStation.id,
      returnSlotIndex: 5,
      prepaidAmount: 1_600,
      heldAmount: 2_000,
      overageAmount: 70,
      lateFeeAmount: 90,
      settledAmount: 160,
      dueAmount: 40,
      extensionCount: 1,
      failureReason: 'jammed',
      startedAt: at(1),
      dueAt: at(2),
      returnedAt: at(3),
      settledAt: at(4),
      cancelledAt: at(5),
    };
    await db.orm.em.fork().transactional(async (tem) => {
      const record = await lockRental(tem, stored.id);
      await saveRental(tem, { ...record!, ...changed });
    });
    const reread = await db.orm.em.fork().transactional((tem) => lockRental(tem, stored.id));
    expect(reread).toMatchObject(changed);
    // What an event never changes stays as it was.
    expect(reread).toMatchObject({ walletPaid: 500, pointsPaid: 300, userId: stored.user.id });
  });

  it('locks the row: a second event on the same rental waits for the first to commit', async () => {
    const stored = await aRental();
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let locked!: () => void;
    const firstLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const first = db.orm.em.fork().transactional(async (tem) => {
      await lockRental(tem, stored.id);
      locked();
      await firstHolds;
    });
    await firstLocked;
    const second = db.orm.em.fork().transactional(async (tem) => {
      await tem.execute(`set local lock_timeout = '200ms'`);
      return lockRental(tem, stored.id);
    });
    await expect(second).rejects.toThrow(/lock timeout/);
    releaseFirst();
    await first;
    await expect(db.orm.em.fork().transactional((tem) => lockRental(tem, stored.id))).resolves.toMatchObject({
      id: stored.id,
    });
  });
});
