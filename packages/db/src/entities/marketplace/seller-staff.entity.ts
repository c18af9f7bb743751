import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { User } from '../identity/user.entity.ts';

const SellerStaffSchema = defineEntity({
  name: 'SellerStaff',
  properties: {
    id: uuidKey(),
    seller: () => p.manyToOne(User).deleteRule('cascade'),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['seller', 'user'] }],
});

/** Users who hand over a seller's items (scan QR codes, take appointments); the seller is staff too. */
export class SellerStaff extends SellerStaffSchema.class {}
SellerStaffSchema.setClass(SellerStaff);
