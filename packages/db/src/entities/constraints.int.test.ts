import type { EntityManager } from '@mikro-orm/postgresql';
import { anyRow, createTestOrm, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Coupon,
  PaymentWebhook,
  PowerBank,
  Referral,
  Rental,
  Station,
  StationSlot,
  User,
  UserPoints,
  Wallet,
  WalletTransaction,
} from './index.ts';

/**
 * Each constraint the data model promises, shown rejecting a bad row in
 * Postgres itself (not in application code), and accepting the good one.
 */
describe('database constraints', () => {
  let db: TestOrm;
  beforeAll(async () => {
    db = await createTestOrm();
  });
  afterAll(() => db.close());

  /** Flushes `build`'s rows in a fresh unit of work and returns the error Postgres raised, if any. */
  async function attempt(
    build: (em: EntityManager) => unknown | Promise<unknown>,
  ): Promise<string | undefined> {
    const em = db.orm.em.fork();
    try {
      await build(em);
      await em.flush();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }
  const sql = (query: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute(query, params);

  it('a wallet balance can never go negative, nor hold more than it has', async () => {
    const em = db.orm.em.fork();
    const wallet = anyRow(em, Wallet);
    await em.flush();
    await expect(sql('update wallet set balance = -1 where id = ?', [wallet.id])).rejects.toThrow(
      /wallet_balance_non_negative/,
    );
    await expect(sql('update wallet set balance = 10, held = 11 where id = ?', [wallet.id])).rejects.toThrow(
      /wallet_held_within_balance/,
    );
    await sql('update wallet set balance = 10, held = 10 where id = ?', [wallet.id]);
  });

  it('a points balance can never go negative', async () => {
    expect(await attempt((em) => anyRow(em, UserPoints, { balance: -5 }))).toMatch(
      /user_points_balance_non_negative/,
    );
    expect(await attempt((em) => anyRow(em, UserPoints, { balance: 5 }))).toBeUndefined();
  });

  it('ledger rows need a non-zero amount, a non-negative balance after, and a unique idempotency key', async () => {
    expect(await attempt((em) => anyRow(em, WalletTransaction, { amount: 0 }))).toMatch(
      /wallet_tx_amount_non_zero/,
    );
    expect(await attempt((em) => anyRow(em, WalletTransaction, { balanceAfter: -1 }))).toMatch(
      /balance_after_non_negative/,
    );
    expect(
      await attempt((em) => anyRow(em, WalletTransaction, { idempotencyKey: 'same-key' })),
    ).toBeUndefined();
    expect(await attempt((em) => anyRow(em, WalletTransaction, { idempotencyKey: 'same-key' }))).toMatch(
      /idempotency_key_unique/,
    );
  });

  it('phone, email and referral code are unique per user', async () => {
    expect(
      await attempt((em) =>
        anyRow(em, User, { phone: '+15550001', email: 'a@example.com', referralCode: 'REF1' }),
      ),
    ).toBeUndefined();
    expect(await attempt((em) => anyRow(em, User, { phone: '+15550001' }))).toMatch(/users_phone_unique/);
    expect(await attempt((em) => anyRow(em, User, { email: 'a@example.com' }))).toMatch(/users_email_unique/);
    expect(await attempt((em) => anyRow(em, User, { referralCode: 'REF1' }))).toMatch(
      /users_referral_code_unique/,
    );
  });

  it('station and power bank serials are unique, and so is (station, slot index)', async () => {
    expect(await attempt((em) => anyRow(em, Station, { serialNumber: 'SN-DUP' }))).toBeUndefined();
    expect(await attempt((em) => anyRow(em, Station, { serialNumber: 'SN-DUP' }))).toMatch(
      /station_serial_number_unique/,
    );
    expect(await attempt((em) => anyRow(em, PowerBank, { serialNumber: 'PB-DUP' }))).toBeUndefined();
    expect(await attempt((em) => anyRow(em, PowerBank, { serialNumber: 'PB-DUP' }))).toMatch(
      /power_bank_serial_number_unique/,
    );

    const em = db.orm.em.fork();
    const station = anyRow(em, Station);
    anyRow(em, StationSlot, { station, slotIndex: 1 });
    await em.flush();
    expect(
      await attempt((e) =>
        anyRow(e, StationSlot, { station: e.getReference(Station, station.id), slotIndex: 1 }),
      ),
    ).toMatch(/station_slot_station_id_slot_index_unique/);
  });

  it('coupon codes are unique and stored upper-case', async () => {
    expect(await attempt((em) => anyRow(em, Coupon, { code: 'SPRING' }))).toBeUndefined();
    expect(await attempt((em) => anyRow(em, Coupon, { code: 'SPRING' }))).toMatch(/coupon_code_unique/);
    expect(await attempt((em) => anyRow(em, Coupon, { code: 'spring2' }))).toMatch(/coupon_code_upper/);
  });

  it('a gateway event id is recorded once per gateway', async () => {
    const event = { gateway: 'sandbox', gatewayEventId: 'evt_1' };
    expect(await attempt((em) => anyRow(em, PaymentWebhook, event))).toBeUndefined();
    expect(await attempt((em) => anyRow(em, PaymentWebhook, event))).toMatch(
      /payment_webhook_gateway_gateway_event_id_unique/,
    );
    expect(
      await attempt((em) => anyRow(em, PaymentWebhook, { ...event, gateway: 'stripe' })),
    ).toBeUndefined();
  });

  it('at most one open rental per power bank; closed ones do not count', async () => {
    const em = db.orm.em.fork();
    const powerBank = anyRow(em, PowerBank);
    anyRow(em, Rental, { powerBank, status: 'active' });
    anyRow(em, Rental, { powerBank, status: 'settled' });
    await em.flush();
    for (const status of ['pending', 'dispensing', 'active', 'overdue']) {
      const error = await attempt((e) =>
        anyRow(e, Rental, { powerBank: e.getReference(PowerBank, powerBank.id), status }),
      );
      expect(error, status).toMatch(/rental_one_open_per_power_bank/);
    }
    expect(
      await attempt((e) =>
        anyRow(e, Rental, { powerBank: e.getReference(PowerBank, powerBank.id), status: 'failed' }),
      ),
    ).toBeUndefined();
  });

  it('a retried rental start (same user, same key) cannot create a second rental', async () => {
    const em = db.orm.em.fork();
    const user = anyRow(em, User);
    anyRow(em, Rental, { user, idempotencyKey: 'start-1' });
    await em.flush();
    expect(
      await attempt((e) =>
        anyRow(e, Rental, { user: e.getReference(User, user.id), idempotencyKey: 'start-1' }),
      ),
    ).toMatch(/rental_user_id_idempotency_key_unique/);
  });

  it('status columns accept only their enum values, in the database too', async () => {
    // The ORM refuses unknown values before SQL; raw SQL shows the CHECK behind it.
    expect(await attempt((em) => anyRow(em, Rental, { status: 'teleported' }))).toMatch(/Rental\.status/);
    const em = db.orm.em.fork();
    const station = anyRow(em, Station);
    await em.flush();
    await expect(sql(`update station set status = 'on_fire' where id = ?`, [station.id])).rejects.toThrow(
      /station_status_check/,
    );
  });

  it('no self-referral, one referrer per user', async () => {
    const em = db.orm.em.fork();
    const [a, b, c] = [anyRow(em, User), anyRow(em, User), anyRow(em, User)];
    await em.flush();
    const ref = (e: EntityManager, id: string) => e.getReference(User, id);
    expect(
      await attempt((e) => anyRow(e, Referral, { inviter: ref(e, a.id), invitee: ref(e, a.id) })),
    ).toMatch(/referral_no_self_referral/);
    expect(
      await attempt((e) => anyRow(e, Referral, { inviter: ref(e, a.id), invitee: ref(e, b.id) })),
    ).toBeUndefined();
    expect(
      await attempt((e) => anyRow(e, Referral, { inviter: ref(e, c.id), invitee: ref(e, b.id) })),
    ).toMatch(/referral_invitee_id_unique/);
  });

  it('ledger and money rows keep their user: deleting a user with a wallet is refused', async () => {
    const em = db.orm.em.fork();
    const wallet = anyRow(em, Wallet);
    await em.flush();
    await expect(sql('delete from users where id = ?', [wallet.user.id])).rejects.toThrow(
      /wallet_user_id_foreign/,
    );
  });

  it('owned detail rows go with their parent: deleting a station removes its slots', async () => {
    const em = db.orm.em.fork();
    const slot = anyRow(em, StationSlot);
    await em.flush();
    await sql('delete from station where id = ?', [slot.station.id]);
    expect(await sql('select count(*)::int as n from station_slot where id = ?', [slot.id])).toEqual([
      { n: 0 },
    ]);
  });
});
