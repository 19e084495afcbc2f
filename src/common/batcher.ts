/**
 * Runs items in batches, as group commit does: an item starts at once while fewer than
 * `inFlight` batches are running, and otherwise waits for one to finish, then goes with every
 * item that queued meanwhile (up to `maxBatch`). A lone item is never held back waiting for
 * company, so a quiet service answers as fast as before; a busy one does one statement (one
 * round trip, one commit) for many items. Items with the same key never share a batch: the
 * second waits for a later one, in arrival order (with more than one batch in flight it may run
 * beside the first: what the run does must not depend on their order, or `inFlight` be 1).
 */
export class Batcher<T, R> {
  private readonly queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly key: (item: T) => string,
    private readonly options: { inFlight: number; maxBatch: number },
  ) {}

  /** The item's own result, once its batch has run; its batch's error if the batch failed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.inFlight && this.queue.length > 0) {
      const batch = this.take();
      this.running++;
      void this.settle(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /**
   * Runs a batch and answers its items. When a batch of several fails, each of its items is
   * run again alone (in the same slot), so one item the run cannot take fails alone and never
   * takes the others down with it.
   */
  private async settle(batch: typeof this.queue): Promise<void> {
    try {
      const results = await this.run(batch.map((x) => x.item));
      if (results.length !== batch.length) {
        throw new Error(`batch of ${batch.length} answered ${results.length} results`);
      }
      batch.forEach((x, i) => x.resolve(results[i]));
    } catch (e) {
      if (batch.length === 1) return batch[0].reject(e);
      for (const x of batch) await this.settle([x]);
    }
  }

  /** The next batch: queued items in order, one per key, the rest left queued in their order. */
  private take() {
    const keys = new Set<string>();
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
    for (const x of this.queue) {
      const k = this.key(x.item);
      if (batch.length < this.options.maxBatch && !keys.has(k)) {
        keys.add(k);
        batch.push(x);
      } else rest.push(x);
    }
    this.queue.length = 0;
    this.queue.push(...rest);
    return batch;
  }
}
