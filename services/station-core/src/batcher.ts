/**
 * Collects items from many callers and hands them to `flush` together: at most
 * `maxItems` at once, and no item waits longer than `maxDelayMs` for company.
 * Each caller's promise settles with its batch, so a caller can, for example,
 * acknowledge a message only after the batch holding its write committed.
 */
export class Batcher<T> {
  private pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxItems = 500,
    private readonly maxDelayMs = 10,
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
    await this.flushing;
  }

  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // Batches run one after another, so writes reach the database in the order they were made.
    this.flushing = this.flushing.then(async () => {
      try {
        await this.flush(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    });
  }
}
