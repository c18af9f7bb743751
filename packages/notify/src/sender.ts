import type { EntityManager } from '@mikro-orm/postgresql';
import { type DeliveryOptions, deliverDue, releaseStaleClaims } from './deliver.ts';
import { dispatchNotices } from './dispatch.ts';
import { NoticeBook } from './notice-book.ts';

export interface SenderOptions extends DeliveryOptions {
  /** Pause between rounds when the last one found nothing to do. */
  pollMs: number;
  /** Called with an error a round threw; the loop goes on after the pause. */
  onError?: (error: unknown) => void;
}

/**
 * The notification worker's loop: dispatch the outbox (render, queue deliveries), send due
 * deliveries, round after round — at once again while a round was full, else after `pollMs`.
 * Several senders (in one process or many) split the work through their `skip locked` claims.
 */
export class NotificationSender {
  readonly book = new NoticeBook();
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(
    private readonly em: () => EntityManager,
    private readonly options: SenderOptions,
  ) {}

  /** One round; returns whether there may be more to do right away. */
  async round(): Promise<boolean> {
    // A stopped worker's claims are released by whichever sender looks next (a partial index: cheap).
    await releaseStaleClaims(this.em());
    const dispatched = await dispatchNotices(this.em(), this.book, this.options.limit);
    const delivered = await deliverDue(this.em(), this.book, this.options);
    return dispatched === this.options.limit || delivered === this.options.limit;
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
