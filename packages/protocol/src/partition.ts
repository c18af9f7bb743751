/**
 * The partition of a station: FNV-1a (32 bit) of its serial modulo the partition count, the very
 * function of NATS's subject mapping `{{partition(n,1)}}`, so a server that applies the mapping
 * itself (a 2.10+ stream subject transform, or an account mapping) assigns every station to the
 * same partition as this. The pinned server (2.9) has no stream transforms, so the bridge puts the
 * partition in the subject it publishes to.
 */
export function stationPartition(sn: string, partitions: number): number {
  if (partitions <= 1) return 0;
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(sn)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
