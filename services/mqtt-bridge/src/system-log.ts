import type { MikroORM } from '@mikro-orm/postgresql';
import type { Rejection } from './relay.ts';

/** Records a rejected station message in SystemLog with its raw payload, as received. */
export function recordRejection(orm: MikroORM) {
  return async (rejection: Rejection): Promise<void> => {
    await orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into system_log (id, occurred_at, level, source, message, context, raw_payload)
         values (gen_random_uuid(), now(), 'warn', 'mqtt-bridge', ?, ?::jsonb, ?)`,
        [
          `rejected station message: ${rejection.reason}`,
          JSON.stringify({ topic: rejection.topic, reason: rejection.reason, detail: rejection.detail }),
          // Kept as text; bytes that are not UTF-8 are replaced rather than lost entirely.
          Buffer.from(rejection.payload).toString('utf8').replaceAll('\u0000', ''),
        ],
      );
  };
}
