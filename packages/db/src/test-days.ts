/** Days relative to today's midnight (UTC), for the free-window tests: windows are compared in whole days. */
const DAY = 86_400_000;

/** Midnight `n` days from today. */
export const day = (n: number) => new Date(Math.floor(Date.now() / DAY) * DAY + n * DAY);

/** A timestamp as whole days from today (null: unbounded). */
export const dayOf = (value: Date | string | null) =>
  value === null ? null : Math.round((new Date(value).getTime() - day(0).getTime()) / DAY);
