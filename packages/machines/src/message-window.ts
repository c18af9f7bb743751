/** Appends an id to a bounded most-recent-first window: old ids fall out so snapshots stay small. */
export function remember<T>(window: readonly T[], item: T, size: number): T[] {
  return [item, ...window].slice(0, size);
}
