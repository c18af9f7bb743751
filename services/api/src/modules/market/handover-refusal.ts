import type { EntityManager } from '@mikro-orm/postgresql';
import { runPrepared } from '@powerbank/db';
import { DomainError, type ErrorCode } from '@powerbank/domain';
import { type HandoverClaims, tokenDigest } from '@powerbank/market';
import { type ClaimParams, QR_STATE } from './handover-queries.ts';

export type Refusal =
  | 'malformed'
  | 'tampered'
  | 'expired'
  | 'wrong_order'
  | 'not_staff'
  | 'replayed'
  | 'wrong_state';
const REFUSAL_CODE: Record<Refusal, ErrorCode> = {
  malformed: 'VALIDATION_FAILED',
  tampered: 'VALIDATION_FAILED',
  expired: 'BUSINESS_RULE',
  wrong_order: 'BUSINESS_RULE',
  not_staff: 'FORBIDDEN',
  replayed: 'CONFLICT',
  wrong_state: 'BUSINESS_RULE',
};
const REFUSAL_TEXT: Record<Refusal, string> = {
  malformed: 'this is not a handover QR code',
  tampered: 'the QR code is not signed by us',
  expired: 'the QR code has expired: ask the customer to show a new one',
  wrong_order: 'the QR code is for another order',
  not_staff: "only the seller's staff can scan handover QR codes",
  replayed: 'the QR code was already used',
  wrong_state: 'the order is not ready for this handover',
};

/** A refused scan: logged (in its own transaction, as the scan's change rolls back) and answered. */
export class HandoverRefused extends DomainError {
  constructor(readonly reason: Refusal) {
    super(REFUSAL_CODE[reason], REFUSAL_TEXT[reason], { reason });
  }
}

/** A token's row as the database holds it (`QR_STATE`; timestamps as text or JSON strings). */
export interface QrRow {
  order_id: string;
  type: string;
  qr_token: string;
  verified_at?: string | Date | null;
  expires_at: string | Date;
}

/**
 * Why `CLAIM_QR` with `claim` would fail on this row, or null when it would succeed: a row that
 * is not there or is not the one this token was issued as (order, type, digest) is a tampered
 * token, unless it was used already or has expired. The claim itself decides; this names why.
 */
export function claimRefusal(
  row: QrRow | null | undefined,
  claim: ClaimParams,
  nowMs: number,
): Refusal | null {
  if (!row) return 'tampered';
  if (row.verified_at) return 'replayed';
  if (new Date(row.expires_at).getTime() <= nowMs) return 'expired';
  if (row.order_id !== claim.orderId || row.type !== claim.type || row.qr_token !== claim.digest) {
    return 'tampered';
  }
  return null;
}

/** The claim of a verified token by the scanner: its row as the claims name it, with its digest. */
export const claimOf = (claims: HandoverClaims, token: string, scannerId: string): ClaimParams => ({
  id: claims.q,
  orderId: claims.o,
  type: claims.t,
  digest: tokenDigest(token),
  by: scannerId,
});

/**
 * Why the token cannot be claimed now, read afresh (after a failed claim, or a refused step: a
 * concurrent scan may have claimed it while this one waited for the order's lock), or null.
 */
export async function qrRefusal(em: EntityManager, claim: ClaimParams): Promise<Refusal | null> {
  const [row] = await runPrepared(em, QR_STATE, { id: claim.id });
  return claimRefusal(row, claim, Date.now());
}
