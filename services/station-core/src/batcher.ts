/**
 * Collects items from many callers and hands them to `flush` together, group
 * commit style: an item is flushed as soon as fewer than `concurrency` batches
 * are in flight (together with whatever arrived in the same turn of the event
 * loop), and items that arrive while the writes are busy wait and go together
 * in the next batch, at most `maxItems` at once. So a quiet system never waits
 * for company, and a busy one batches by itself. Callers that need their items
 * in order must wait for one before adding the next (station actors do). Each
 * caller's promise settles with its batch, so a caller can, for example,
 * acknowledge a message only after its write committed.
 */
export class Batcher<T> {
  private pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    /** Writes the items; may name some that failed alone (their callers get that error, the rest succeed). */
    private readonly flush: (items: T[]) => Promise<Map<T, unknown> | undefined>,
    private readonly maxItems = 500,
    private readonly concurrency = 1,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.inFlight.size >= this.concurrency || this.scheduled) return;
      // The rest of this turn (e.g. the other messages of one delivery) joins the same batch.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.next();
      });
    });
  }

  /** Waits until everything added so far has been flushed. */
  async drain(): Promise<void> {
    this.next();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private next(): void {
    while (this.pending.length > 0 && this.inFlight.size < this.concurrency) {
      this.run(this.pending.splice(0, this.maxItems));
    }
  }

  private run(batch: { item: T; resolve: () => void; reject: (error: unknown) => void }[]): void {
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
      this.next();
    });
  }
}
