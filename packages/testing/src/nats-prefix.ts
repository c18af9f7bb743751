import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@powerbank/messaging';
import { newTestResourceName } from './run-id.ts';

/** A subject/stream prefix of its own for one test file; `cleanup` deletes the streams made under it. */
export function newNatsPrefix(): { prefix: string; cleanup(nc: NatsConnection): Promise<void> } {
  const prefix = newTestResourceName();
  return {
    prefix,
    async cleanup(nc) {
      const jsm = await jetstreamManager(nc);
      for await (const name of jsm.streams.names()) {
        if (name.startsWith(prefix)) await jsm.streams.delete(name);
      }
    },
  };
}
