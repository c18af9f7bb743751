import { defineEntity, p } from '@mikro-orm/core';
import { timestamps } from '../columns.ts';

export const STATION_COMMAND_STATUSES = ['pending', 'sent', 'succeeded', 'failed', 'timed_out'] as const;

const StationCommandSchema = defineEntity({
  name: 'StationCommand',
  properties: {
    /** The command id the station echoes back in its result. */
    id: p.string().length(64).primary(),
    serialNumber: p.string().length(64),
    kind: p.string().length(32),
    slotIndex: p.integer().nullable(),
    rentalId: p.uuid().nullable().index(),
    /** The exact down message, so an unsent command can be sent again after a crash (outbox). */
    payload: p.json<Record<string, unknown>>(),
    /** pending: committed, not yet handed to NATS; sent: handed over; then the station's answer or a timeout. */
    status: p.enum(STATION_COMMAND_STATUSES).default('pending'),
    result: p.json<Record<string, unknown>>().nullable(),
    sentAt: p.datetime().nullable(),
    resolvedAt: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [{ properties: ['serialNumber', 'createdAt'] }, { properties: ['status', 'createdAt'] }],
});

/**
 * The command log: every command sent to a station, written in the same
 * transaction as the actor state that decided it, and its outcome. A command
 * is done when the station says so, never when the broker accepted it.
 */
export class StationCommand extends StationCommandSchema.class {}
StationCommandSchema.setClass(StationCommand);
