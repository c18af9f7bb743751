import { defineEntity, p } from '@mikro-orm/core';
import { Station } from './station.entity.ts';

const StationUptimeDaySchema = defineEntity({
  name: 'StationUptimeDay',
  properties: {
    station: () => p.manyToOne(Station).primary().deleteRule('cascade'),
    /** The UTC day the observed seconds fall in. */
    day: p.date().primary(),
    /** Seconds between the analytics job's looks at this station on this day. */
    observedSeconds: p.integer().default(0),
    /** The part of them the station was seen online. */
    onlineSeconds: p.integer().default(0),
    /** The job's last look: the next one counts the seconds since. */
    lastObservedAt: p.datetime(),
  },
  checks: [
    {
      name: 'station_uptime_day_seconds_range',
      expression: 'online_seconds >= 0 and online_seconds <= observed_seconds',
    },
  ],
});

/**
 * A station's uptime per day, sampled by the analytics job (`refreshAnalytics`):
 * stations keep no history of their status, so each run adds the seconds since
 * its last look to the day's observed time, and to the online time when the
 * station is online now. Accurate to the job's interval.
 */
export class StationUptimeDay extends StationUptimeDaySchema.class {}
StationUptimeDaySchema.setClass(StationUptimeDay);
