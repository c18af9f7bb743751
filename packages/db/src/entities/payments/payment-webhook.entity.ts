import { defineEntity, p } from '@mikro-orm/core';
import { uuidKey } from '../columns.ts';
import { GATEWAYS, WEBHOOK_STATUSES } from '../enums.ts';
import { PaymentIntent } from './payment-intent.entity.ts';

const PaymentWebhookSchema = defineEntity({
  name: 'PaymentWebhook',
  properties: {
    id: uuidKey(),
    gateway: p.enum(GATEWAYS),
    /** The gateway's own event id: a replay hits the unique index and is recorded as a duplicate. */
    gatewayEventId: p.string().length(128),
    eventType: p.string().length(80),
    payload: p.json<unknown>(),
    signature: p.string().length(512).nullable(),
    signatureValid: p.boolean(),
    status: p.enum(WEBHOOK_STATUSES).default('received'),
    intent: () => p.manyToOne(PaymentIntent).nullable().deleteRule('set null').index(),
    error: p.string().length(512).nullable(),
    receivedAt: p
      .datetime()
      .onCreate(() => new Date())
      .index(),
    processedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['gateway', 'gatewayEventId'] }],
});

export class PaymentWebhook extends PaymentWebhookSchema.class {}
PaymentWebhookSchema.setClass(PaymentWebhook);
