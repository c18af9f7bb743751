import { defineEntity, p } from '@mikro-orm/core';
import { updatedAt } from '../columns.ts';

const StationActorStateSchema = defineEntity({
  name: 'StationActorState',
  properties: {
    /** The station's serial number: actors are keyed by it, and may exist before the Station row has a location. */
    serialNumber: p.string().length(64).primary(),
    /** The machine version the snapshot was written by; an older shape is migrated or rebuilt on load. */
    machineVersion: p.integer(),
    /** `{ value, context }` of the XState station machine. */
    snapshot: p.json<{ value: unknown; context: unknown }>(),
    /** Optimistic lock: a writer that lost ownership of the station cannot overwrite a newer state. */
    version: p.integer(),
    updatedAt: updatedAt(),
  },
  checks: [{ name: 'station_actor_state_version_positive', expression: 'version >= 1' }],
});

/** The persisted state of one station actor; station-core resumes from it after a restart. */
export class StationActorState extends StationActorStateSchema.class {}
StationActorStateSchema.setClass(StationActorState);
