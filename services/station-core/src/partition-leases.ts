import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@powerbank/messaging';
import type { Logger } from 'pino';

export interface PartitionLeaseOptions {
  nats: NatsConnection;
  /** KV bucket of the leases (one per deployment: its NATS prefix). */
  bucket: string;
  instanceId: string;
  partitions: number;
  /** A lease lapses this long after its last renewal; renewed every third of it. */
  ttlMs: number;
  logger: Logger;
  /** Starts serving a partition just leased (its consumer, its eject timers). */
  acquire(partition: number): Promise<void>;
  /**
   * Stops serving a partition: resolves once no more of its events are taken and those in hand are
   * committed and acknowledged (or handed back), and its actors are dropped.
   */
  release(partition: number): Promise<void>;
}

interface Held {
  revision: number;
  renewedAt: number;
  releasing: boolean;
}

const leaseKey = (partition: number) => `partition.${partition}`;
const memberKey = (instanceId: string) => `member.${instanceId}`;

/** JetStream's "wrong last sequence": someone else wrote the key since our revision. */
function lostRace(error: unknown): boolean {
  const e = error as { api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10071 || /wrong last sequence/i.test(e?.message ?? '');
}

/**
 * Which core instance serves which partition of the station events, by leases in a NATS KV bucket
 * whose entries expire `ttlMs` after they were written. Each instance keeps a `member.{id}` entry
 * alive and renews its `partition.{n}` entries by revision (compare and set); one that dies stops
 * renewing, its entries expire and the others create them anew. Every instance aims at its fair
 * share (partitions ÷ live members, rounded up): it takes free partitions while under it and hands
 * back the extras while over it, so a joining instance gets partitions without anyone being killed.
 * A hand-back first stops the partition (its events in hand committed and acknowledged), then
 * deletes the lease, so the next owner starts from what was committed: nothing lost, nothing twice.
 * Two owners at once (a paused process whose lease lapsed) are harmless to the data: every station
 * write carries the actor's version, and the stale one fails and drops its actor.
 */
export class PartitionLeases {
  private kv?: KV;
  private readonly held = new Map<number, Held>();
  private kvQueue: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private balancing?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: PartitionLeaseOptions) {}

  owns(partition: number): boolean {
    const held = this.held.get(partition);
    return held !== undefined && !held.releasing;
  }

  owned(): number[] {
    return [...this.held.keys()].filter((p) => this.owns(p)).sort((a, b) => a - b);
  }

  /** Opens the bucket and takes this instance's first share before resolving. */
  async start(): Promise<void> {
    const kvm = new Kvm(this.options.nats);
    const config = { ttl: this.options.ttlMs, history: 1 };
    this.kv = await kvm.create(this.options.bucket, config).catch(() => kvm.open(this.options.bucket));
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /** Hands every partition back (stopped first) and leaves, so the others take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.balancing;
    await Promise.all([...this.held.keys()].map((p) => this.handBack(p)));
    await this.serial((kv) => kv.delete(memberKey(this.options.instanceId))).catch(() => undefined);
  }

  /** One renewal and one balancing step; the renewal never waits for a partition being stopped. */
  private async tick(): Promise<void> {
    await this.renew();
    if (this.stopped || this.balancing) return;
    this.balancing = this.balance()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'partition balancing failed'))
      .finally(() => {
        this.balancing = undefined;
      });
    await this.balancing;
  }

  /** KV operations one at a time, so a renewal and a hand-back never race on a revision. */
  private serial<T>(op: (kv: KV) => Promise<T>): Promise<T> {
    const kv = this.kv;
    if (!kv) return Promise.reject(new Error('leases not started'));
    const run = this.kvQueue.then(() => op(kv));
    this.kvQueue = run.catch(() => undefined);
    return run;
  }

  private async renew(): Promise<void> {
    const { instanceId, ttlMs, logger } = this.options;
    await this.serial((kv) => kv.put(memberKey(instanceId), instanceId)).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not renew membership'),
    );
    for (const [partition, held] of this.held) {
      try {
        held.revision = await this.serial((kv) => kv.update(leaseKey(partition), instanceId, held.revision));
        held.renewedAt = Date.now();
      } catch (error) {
        // Someone else holds it now, or it lapsed while NATS could not be reached: stop serving it.
        if (!lostRace(error) && Date.now() - held.renewedAt < ttlMs) continue;
        if (held.releasing) continue;
        logger.warn({ err: error, partition }, 'partition lease lost; stopping its consumer');
        held.releasing = true;
        void this.options
          .release(partition)
          .catch((e: unknown) => logger.error({ err: e, partition }, 'could not stop a lost partition'))
          .finally(() => this.held.delete(partition));
      }
    }
  }

  private async liveMembers(): Promise<number> {
    const keys = await this.serial((kv) => kv.keys('member.>'));
    let count = 0;
    for await (const _ of keys) count += 1;
    return Math.max(1, count);
  }

  private async balance(): Promise<void> {
    const { partitions, instanceId, logger } = this.options;
    const share = Math.ceil(partitions / (await this.liveMembers()));
    const mine = this.owned();
    // Over the share (someone joined): the highest-numbered extras go back.
    for (const partition of mine.slice(share).reverse()) {
      if (this.stopped) return;
      logger.info({ partition, share }, 'handing a partition back for a joining instance');
      await this.handBack(partition);
    }
    // Under it: free partitions, starting at a place of this instance's own so joiners spread out.
    const start = [...instanceId].reduce((sum, c) => sum + c.charCodeAt(0), 0) % partitions;
    for (let i = 0; i < partitions && this.owned().length < share && !this.stopped; i += 1) {
      const partition = (start + i) % partitions;
      if (this.held.has(partition)) continue;
      const revision = await this.serial(async (kv) => {
        const entry = await kv.get(leaseKey(partition));
        if (entry?.operation !== 'PUT') return kv.create(leaseKey(partition), instanceId);
        // This instance's own lease from before a restart (same id): take it back at once.
        if (entry.string() === instanceId) return kv.update(leaseKey(partition), instanceId, entry.revision);
        return undefined;
      }).catch((error: unknown) => {
        if (!lostRace(error)) logger.warn({ err: error, partition }, 'could not take a partition lease');
        return undefined;
      });
      if (revision === undefined) continue;
      this.held.set(partition, { revision, renewedAt: Date.now(), releasing: false });
      try {
        await this.options.acquire(partition);
        logger.info({ partition }, 'partition taken');
      } catch (error) {
        logger.error({ err: error, partition }, 'could not start a partition; handing it back');
        await this.handBack(partition);
      }
    }
  }

  /** Stops serving `partition`, then deletes its lease (if it is still ours) for the next owner. */
  private async handBack(partition: number): Promise<void> {
    const held = this.held.get(partition);
    if (!held) return;
    held.releasing = true;
    try {
      await this.options.release(partition);
    } catch (error) {
      this.options.logger.error({ err: error, partition }, 'could not stop a partition cleanly');
    }
    await this.serial((kv) => kv.delete(leaseKey(partition), { previousSeq: held.revision })).catch(
      () => undefined,
    );
    this.held.delete(partition);
  }
}
