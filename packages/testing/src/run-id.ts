/**
 * Test resources (databases, NATS prefixes) are named `pbt_<epoch seconds>_<random>`
 * so a later run can tell leftovers of a crashed run by their age and remove them.
 */
export const TEST_RESOURCE_PREFIX = 'pbt_';
const STALE_AFTER_S = 3600;

export function newTestResourceName(): string {
  return `${TEST_RESOURCE_PREFIX}${Math.floor(Date.now() / 1000)}_${Math.random().toString(36).slice(2, 10)}`;
}

export function isStaleTestResource(name: string, nowMs = Date.now()): boolean {
  const match = new RegExp(`^${TEST_RESOURCE_PREFIX}(\\d+)_`).exec(name);
  return !!match && Number(match[1]) < nowMs / 1000 - STALE_AFTER_S;
}
