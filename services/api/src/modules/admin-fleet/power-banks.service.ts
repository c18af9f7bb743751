import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PowerBank, Station } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { adminMutation } from '../admin-auth/admin-action.ts';
import { type AdminContext, flushNew } from '../admin-auth/admin-writes.ts';
import type {
  MarkPowerBankInput,
  MovePowerBankInput,
  PowerBankOutput,
  RegisterPowerBankInput,
} from './power-banks.schemas.ts';

async function describe(tx: EntityManager, bank: PowerBank): Promise<PowerBankOutput> {
  const station = bank.currentStation
    ? await tx.findOne(Station, bank.currentStation.id, { fields: ['serialNumber'] })
    : null;
  return {
    serial: bank.serialNumber,
    status: bank.status,
    model: bank.model,
    capacityMah: bank.capacityMah,
    price: Number(bank.price),
    stationSn: station?.serialNumber ?? null,
    slot: bank.currentSlotIndex ?? null,
    rentalId: bank.currentRentalId ?? null,
  };
}

/** The power bank locked until the transaction ends, so its status is read after any rental's write. */
async function lockPowerBank(tx: EntityManager, serial: string): Promise<PowerBank> {
  const bank = await tx.findOne(
    PowerBank,
    { serialNumber: serial },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!bank) throw new DomainError('NOT_FOUND', `no power bank ${serial}`);
  return bank;
}

/** A rented power bank is the rental's: it is closed as lost or returned through the rental, not here. */
function refuseRented(bank: PowerBank): void {
  if (bank.currentRentalId || bank.status === 'rented')
    throw new DomainError(
      'BUSINESS_RULE',
      `power bank ${bank.serialNumber} is rented: close its rental instead`,
    );
}

/** Applies an admin's change to a locked power bank: what it was and became, for the action log. */
async function change(
  tx: EntityManager,
  bank: PowerBank,
  changes: Partial<PowerBank>,
  reason: string | null,
) {
  const before = await describe(tx, bank);
  tx.assign(bank, changes);
  await tx.flush();
  const after = await describe(tx, bank);
  return {
    result: after,
    targetType: 'power_bank',
    targetId: bank.serialNumber,
    before,
    after,
    reason,
  };
}

/** Registers a new power bank: in transit until a station reports it in a slot. */
export function registerPowerBank(
  ctx: AdminContext,
  input: RegisterPowerBankInput,
): Promise<PowerBankOutput> {
  return adminMutation(ctx, 'power_bank.register', async (tx) => {
    const { serial, ...fields } = input;
    const bank = tx.create(PowerBank, { serialNumber: serial, status: 'in_transit', ...fields });
    await flushNew(tx, `power bank ${serial} is already registered`);
    const after = await describe(tx, bank);
    return { result: after, targetType: 'power_bank', targetId: serial, after };
  });
}

/** Sends a power bank to a station: in transit there until the station reports it in a slot. */
export function movePowerBank(ctx: AdminContext, input: MovePowerBankInput): Promise<PowerBankOutput> {
  return adminMutation(ctx, 'power_bank.move', async (tx) => {
    const bank = await lockPowerBank(tx, input.serial);
    refuseRented(bank);
    if (bank.status === 'retired' || bank.status === 'lost')
      throw new DomainError('BUSINESS_RULE', `power bank ${input.serial} is ${bank.status}`);
    const station = await tx.findOne(Station, {
      serialNumber: input.stationSn,
      status: { $ne: 'decommissioned' },
    });
    if (!station) throw new DomainError('NOT_FOUND', `no station ${input.stationSn}`);
    return change(
      tx,
      bank,
      { status: 'in_transit', currentStation: station, currentSlotIndex: null },
      input.reason ?? null,
    );
  });
}

/** Marks a power bank lost (gone from its place), found again (in transit until a station sees it), or retired. */
export function markPowerBank(ctx: AdminContext, input: MarkPowerBankInput): Promise<PowerBankOutput> {
  return adminMutation(ctx, `power_bank.${input.mark}`, async (tx) => {
    const bank = await lockPowerBank(tx, input.serial);
    refuseRented(bank);
    if (input.mark === 'found' && bank.status !== 'lost')
      throw new DomainError('BUSINESS_RULE', `power bank ${input.serial} is not lost`);
    if (bank.status === 'retired')
      throw new DomainError('BUSINESS_RULE', `power bank ${input.serial} is retired`);
    const changes: Partial<PowerBank> =
      input.mark === 'found' ? { status: 'in_transit' } : { status: input.mark, currentSlotIndex: null };
    return change(tx, bank, changes, input.reason);
  });
}
