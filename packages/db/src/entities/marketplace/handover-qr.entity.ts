import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { SCHEDULE_TYPES } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { RentalOrder } from './rental-order.entity.ts';

const HandoverQrSchema = defineEntity({
  name: 'HandoverQr',
  properties: {
    id: uuidKey(),
    order: () => p.manyToOne(RentalOrder).deleteRule('cascade').index(),
    type: p.enum(SCHEDULE_TYPES),
    /** Random token encoded in the QR code; single use. */
    qrToken: p.string().length(64).unique(),
    verifiedBy: () => p.manyToOne(User).nullable().deleteRule('set null').index(),
    verifiedAt: p.datetime().nullable(),
    expiresAt: p.datetime(),
    createdAt: createdAt(),
  },
});

/** Contactless pickup/return: the counterpart scans the token to confirm the handover. */
export class HandoverQr extends HandoverQrSchema.class {}
HandoverQrSchema.setClass(HandoverQr);
