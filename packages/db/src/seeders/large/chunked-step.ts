/**
 * One phase of the large generator: rows numbered 1..total, written in chunks
 * of `chunkSize` by plain INSERT … SELECT generate_series statements (the data
 * is made inside Postgres, nothing crosses the wire).
 */
export interface ChunkedStep {
  name: string;
  /** What the chunk numbers count (stations, users), for progress lines. */
  unit: string;
  /** The statements writing rows first..last (inclusive), run in order. */
  statements(first: number, last: number): string[];
  /** A query returning `{ done }`: whether the chunk ending at `last` is already written (resume). */
  doneCheck(last: number): string;
}
