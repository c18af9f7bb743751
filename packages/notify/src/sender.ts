import type { EntityManager } from '@mikro-orm/postgresql';
import { type DeliveryOptions, deliverDue, releaseStaleClaims, sendClaimed } from './deliver.ts';
import { dispatchAndClaim } from './dispatch.ts';
import { NoticeBook } from './notice-book.ts';

export interface SenderOptions extends DeliveryOptions {
  /** Pause between rounds when the last one found nothing to do. */
  pollMs: number;
  /** Called with an error a round threw; the loop goes on after the pause. */
  onError?: (error: unknown) => void;
}

/**
 * The notification worker's loop: dispatch the outbox (render, queue deliveries), send due
 * deliveries, round after round — at once again while a round found work, else after `pollMs`.
 * Under load the rounds run back to back and each takes what came in during the last one (the
 * batches grow with the rate, up to `limit`); a pause after every round short of a full batch
 * would add `pollMs` to most notices' latency. Several senders (in one process or many) split the
 * work through their `skip locked` claims.
 */
/** How often a sender looks for stale claims: a stopped worker's claim is released at most this much after its lease. */
const RELEASE_EVERY_MS = 500;

export class NotificationSender {
  readonly book = new NoticeBook();
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #releasedAt = 0;
  #duesAt = 0;

  constructor(
    private readonly em: () => EntityManager,
    private readonly options: SenderOptions,
  ) {}

  /** One round; returns whether there may be more to do right away. */
  async round(): Promise<boolean> {
    // A stopped worker's claims are released by whichever sender looks next; a lease is seconds
    // long, so looking a few times per lease is enough (not a statement on every round).
    if (Date.now() - this.#releasedAt >= RELEASE_EVERY_MS) {
      this.#releasedAt = Date.now();
      await releaseStaleClaims(this.em());
    }
    // New notices: dispatched with their deliveries claimed, and sent at once.
    const dispatched = await dispatchAndClaim(this.em(), this.book, this.options);
    if (dispatched.claimed.length > 0) {
      await sendClaimed(this.em(), this.book, dispatched.claimed, dispatched.notices, this.options);
    }
    // Deliveries due again (a retry after its backoff, one queued by another path): looked for
    // whenever the outbox is empty, and at least every `pollMs` while it is not.
    let delivered = 0;
    if (dispatched.count === 0 || Date.now() - this.#duesAt >= this.options.pollMs) {
      this.#duesAt = Date.now();
      delivered = await deliverDue(this.em(), this.book, this.options);
    }
    return dispatched.count > 0 || delivered > 0;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        let more = false;
        try {
          more = await this.round();
        } catch (error) {
          this.options.onError?.(error);
        }
        if (!more && this.#running) await this.#pause();
      }
    })();
  }

  /** Ends the loop after the round in progress (whose sends are then recorded). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = null;
        resolve();
      }
      this.#wake = done;
    });
  }
}
