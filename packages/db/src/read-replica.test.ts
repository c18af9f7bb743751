import { describe, expect, it } from 'vitest';
import { splitPool } from './read-replica.ts';

describe('splitPool', () => {
  it('gives the primary the whole ceiling without a replica', () => {
    expect(splitPool(18, false)).toEqual({ primary: 18, replica: 0 });
  });

  it('takes the replica’s pool out of the same ceiling', () => {
    for (const max of [2, 3, 7, 18, 36]) {
      const { primary, replica } = splitPool(max, true);
      expect(primary + replica).toBe(max);
      expect(replica).toBeGreaterThanOrEqual(1);
      expect(primary).toBeGreaterThanOrEqual(replica);
    }
    expect(splitPool(18, true)).toEqual({ primary: 12, replica: 6 });
  });

  it('keeps one connection each at a ceiling of one', () => {
    expect(splitPool(1, true)).toEqual({ primary: 1, replica: 1 });
  });
});
