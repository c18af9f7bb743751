import type { Kysely } from 'kysely';
import type { DB } from '../typed-db.ts';

/** The periods analytics_station_period sums each station's figures over. */
export const STATION_PERIODS = ['day', 'week', 'month'] as const;
export type StationPeriod = (typeof STATION_PERIODS)[number];

/**
 * The analytics materialised views as Kysely sees them. They are SQL in the migrations, not
 * entities, so `DB` does not infer them: their columns are written here, next to the job that
 * refreshes them, and a typed query adds them with `analyticsDb`. `int8` sums are `number` here
 * and arrive as text (`Wire`).
 */
export type AnalyticsViews = {
  /** Migration20261205011928_analytics_station_periods: a station's figures per day, week and month. */
  analytics_station_period: {
    period: StationPeriod;
    /** The period's first day (a week's Monday, a month's 1st), `YYYY-MM-DD`. */
    first_day: string;
    station_id: string;
    currency: string;
    /** Rentals started at the station in the period. */
    rentals: number;
    /** Their time out (open ones up to the refresh), seconds. */
    rental_seconds: number;
    /** Revenue payments of the rentals started there, and their sum in minor units. */
    payments: number;
    amount: number;
  };
  /**
   * Migration20261205213500_analytics_station_cumulative: a station's figures per currency from
   * its first day up to and including `day`, one row per day it had any (its `day` periods).
   */
  analytics_station_cumulative: {
    station_id: string;
    currency: string;
    /** `YYYY-MM-DD`. */
    day: string;
    rentals: number;
    rental_seconds: number;
    payments: number;
    amount: number;
  };
};

/** The typed builder with the analytics views beside the entities' tables. */
export const analyticsDb = (db: Kysely<DB>) => db.withTables<AnalyticsViews>();
