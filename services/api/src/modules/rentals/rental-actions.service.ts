import type { EntityManager } from '@mikro-orm/postgresql';
import {
  MediaUpload,
  PowerBank,
  RentalExtension,
  RentalIssue,
  RentalPackage,
  Transaction,
} from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { applyRentalEvent, type UserPayment } from '@powerbank/rentals';
import { uuidv7 } from 'uuidv7';
import { clientKey } from '../../platform/client-key.ts';
import { loadOwnRental, ownRentalAnswer } from './rental-output.ts';
import type {
  ExtendRentalInput,
  IssueOutput,
  LocationInput,
  PayDueInput,
  RentalOutput,
  ReportIssueInput,
} from './rentals.schemas.ts';

const paymentOf = (input: PayDueInput | ExtendRentalInput, idempotencyKey: string): UserPayment => ({
  mode: input.payment_mode,
  split: input.split ? { walletAmount: input.split.wallet_amount, points: input.split.points } : undefined,
  idempotencyKey,
});

/** The machine refused the event in the rental's status: say what the rule is. */
const refused = (message: string, status: string) => new DomainError('BUSINESS_RULE', message, { status });

/** Cancel (RULES.md): while pending, or active with the power bank back in a slot; the fee rule lives in the effect. */
export async function cancelRental(em: EntityManager, userId: string, id: string): Promise<RentalOutput> {
  const rental = await loadOwnRental(em, userId, id);
  const powerBank = rental.power_bank_id ? await em.findOne(PowerBank, { id: rental.power_bank_id }) : null;
  const { applied } = await applyRentalEvent(em.fork(), id, {
    type: 'CANCEL',
    powerBankBack: powerBank?.status === 'in_slot',
  });
  if (!applied) {
    throw refused(
      'a rental can be cancelled while pending, or once its power bank is back in a slot',
      rental.status,
    );
  }
  return ownRentalAnswer(em.fork(), userId, id);
}

/** Extend (RULES.md): active, before due, at most 3 times, charged the chosen prepaid package's price once per key. */
export async function extendRental(
  em: EntityManager,
  userId: string,
  input: ExtendRentalInput,
): Promise<RentalOutput> {
  const rental = await loadOwnRental(em, userId, input.id);
  const key = clientKey(userId, 'extend', rental.id, input.idempotency_key);
  // The extension made under this key, if any: a retry answers the rental as it is now.
  const earlier = async () => {
    const found = await em.fork().findOne(RentalExtension, { idempotencyKey: key });
    if (found && found.package.id !== input.package_id) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'this idempotency key was used for a different extension',
      );
    }
    return found ? ownRentalAnswer(em.fork(), userId, rental.id) : null;
  };
  const retried = await earlier();
  if (retried) return retried;
  const pkg = await em.findOne(RentalPackage, {
    id: input.package_id,
    isActive: true,
    paymentModel: 'prepaid',
  });
  if (!pkg) throw new DomainError('NOT_FOUND', 'no active prepaid package with this id');
  let applied: boolean;
  try {
    ({ applied } = await applyRentalEvent(
      em.fork(),
      rental.id,
      { type: 'EXTEND', now: Date.now(), minutes: pkg.durationMinutes },
      { payment: paymentOf(input, key), extensionPackageId: pkg.id },
    ));
  } catch (error) {
    // A concurrent request with this key extended first (read above before it committed): its
    // payment is found under the rental's lock, and the answer is that extension's.
    if (error instanceof DomainError && error.code === 'IDEMPOTENCY_KEY_REUSED') {
      const winner = await earlier();
      if (winner) return winner;
    }
    throw error;
  }
  if (!applied) {
    const winner = await earlier();
    if (winner) return winner;
    throw refused(
      'a rental can be extended while active, before its due time, at most 3 times',
      rental.status,
    );
  }
  return ownRentalAnswer(em.fork(), userId, rental.id);
}

/** Pays what a rental owes, whatever its status (a late eject success can leave a due on an active one). */
export async function payDue(em: EntityManager, userId: string, input: PayDueInput): Promise<RentalOutput> {
  const rental = await loadOwnRental(em, userId, input.id);
  const key = clientKey(userId, 'pay-due', rental.id, input.idempotency_key);
  const { applied } = await applyRentalEvent(
    em.fork(),
    rental.id,
    { type: 'PAY_DUE' },
    { payment: paymentOf(input, key) },
  );
  // Nothing due when the rental's lock was held: a retry of the payment that cleared it (its
  // payment is under the key) answers as that payment did.
  if (!applied && !(await em.fork().findOne(Transaction, { idempotencyKey: key, rental: rental.id }))) {
    throw new DomainError('BUSINESS_RULE', 'nothing is due on this rental', { status: rental.status });
  }
  return ownRentalAnswer(em.fork(), userId, rental.id);
}

/**
 * GPS points sent by the app, batched into the partitioned table in one
 * statement. Only during the rental (active or overdue): location is recorded
 * only while renting (privacy policy).
 */
export async function recordLocations(
  em: EntityManager,
  userId: string,
  input: LocationInput,
): Promise<{ recorded: number }> {
  const rental = await loadOwnRental(em, userId, input.id);
  if (rental.status !== 'active' && rental.status !== 'overdue') {
    throw refused('locations are recorded only during an active rental', rental.status);
  }
  const values = input.points.map(() => '(?, ?, ?, ?, ?, ?)').join(', ');
  const params = input.points.flatMap((point) => [
    uuidv7(),
    point.recorded_at,
    rental.id,
    point.latitude,
    point.longitude,
    point.accuracy_m ?? null,
  ]);
  await em.execute(
    `insert into rental_location (id, recorded_at, rental_id, latitude, longitude, accuracy_m) values ${values}`,
    params,
  );
  return { recorded: input.points.length };
}

export async function reportIssue(
  em: EntityManager,
  userId: string,
  input: ReportIssueInput,
): Promise<IssueOutput> {
  const rental = await loadOwnRental(em, userId, input.id);
  const media = input.media_ids.length
    ? await em.find(MediaUpload, { id: { $in: input.media_ids }, user: userId })
    : [];
  if (media.length !== new Set(input.media_ids).size) {
    throw new DomainError('VALIDATION_FAILED', 'media_ids must be your own uploads', { field: 'media_ids' });
  }
  const issue = em.create(RentalIssue, {
    rental: rental.id,
    user: userId,
    issueType: input.issue_type,
    description: input.description,
    status: 'open',
  });
  for (const upload of media) issue.media.add(upload);
  await em.flush();
  return {
    id: issue.id,
    rental_id: rental.id,
    issue_type: issue.issueType,
    status: issue.status,
    media_ids: media.map((m) => m.id),
    created_at: issue.createdAt,
  };
}
