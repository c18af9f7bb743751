/** Every status a rental can be in: the rental machine's states and the `rental.status` column alike. */
export const RENTAL_STATUSES = [
  'pending',
  'dispensing',
  'active',
  'overdue',
  'returned',
  'settled',
  'failed',
  'cancelled',
  'lost',
] as const;
export type RentalStatus = (typeof RENTAL_STATUSES)[number];

/** Statuses in which a rental holds (or is about to hold) a power bank. */
export const OPEN_RENTAL_STATUSES = ['pending', 'dispensing', 'active', 'overdue'] as const;
