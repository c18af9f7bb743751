/**
 * Collects items from many callers and hands them to `flush` together: at most
 * `maxItems` at once, and no item waits longer than `maxDelayMs` for company.
 * Up to `concurrency` batches are flushed at the same time; callers that need
 * their items in order must wait for one before adding the next (station
 * actors do). Each caller's promise settles with its batch, so a caller can,
 * for example, acknowledge a message only after its write committed.
 */
export class Batcher<T> {
  private pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly queued: (() => void)[] = [];

  constructor(
    /** Writes the items; may name some that failed alone (their callers get that error, the rest succeed). */
    private readonly flush: (items: T[]) => Promise<Map<T, unknown> | undefined | void>,
    private readonly maxItems = 500,
    private readonly maxDelayMs = 10,
    private readonly concurrency = 1,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxItems) this.cut();
      else this.timer ??= setTimeout(() => this.cut(), this.maxDelayMs);
    });
  }

  /** Waits until everything added so far has been flushed. */
  async drain(): Promise<void> {
    this.cut();
    while (this.inFlight.size > 0 || this.queued.length > 0) await Promise.all([...this.inFlight]);
  }

  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const run = () => {
      const flushing = (async () => {
        try {
          const failed = await this.flush(batch.map((entry) => entry.item));
          for (const entry of batch) {
            if (failed?.has(entry.item)) entry.reject(failed.get(entry.item));
            else entry.resolve();
          }
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      })();
      this.inFlight.add(flushing);
      void flushing.then(() => {
        this.inFlight.delete(flushing);
        this.queued.shift()?.();
      });
    };
    if (this.inFlight.size < this.concurrency) run();
    else this.queued.push(run);
  }
}
