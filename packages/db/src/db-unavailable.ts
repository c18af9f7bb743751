/**
 * SQLSTATEs that say the database cannot take the work now, not that the work is wrong: asked
 * again a little later, it may well succeed.
 */
const UNAVAILABLE_STATES = new Set([
  '53300', // too_many_connections (the server's max_connections, a role's or a database's limit)
  '57P03', // cannot_connect_now (starting up, shutting down)
  '57014', // query_canceled: DB_STATEMENT_TIMEOUT_MS passed
  '55P03', // lock_not_available: DB_LOCK_TIMEOUT_MS passed
]);

/** What `pg` says when no connection could be had in time (pool acquire, or connect, timeout). */
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
];

/**
 * Whether `error` (or an error it wraps) means the database is overloaded or out of connections:
 * the api answers that with 503 and Retry-After rather than 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_STATES.has(code)) return true;
    const { message } = current;
    if (UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) return true;
    current = current.cause;
  }
  return false;
}
