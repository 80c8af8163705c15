// A counting semaphore with a bounded wait: the executor's sessions never outnumber the driver's connections.

/** Thrown when no slot frees up within the wait; the executor classifies it (by type) as UNAVAILABLE. */
export class SlotTimeoutError extends Error {
  constructor(
    readonly size: number,
    readonly waitedMs: number,
  ) {
    super(`all ${size} Neo4j sessions stayed busy for ${waitedMs} ms`);
    this.name = 'SlotTimeoutError';
  }
}

export class Slots {
  private free: number;
  private readonly waiting: { grant: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Slots: expected a size >= 1, got ${size}`);
    this.free = size;
  }

  /** Slots in use right now. */
  get inUse(): number {
    return this.size - this.free;
  }

  /** Resolves with a release function once a slot is free; rejects with SlotTimeoutError after waitMs. */
  acquire(waitMs: number): Promise<() => void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          clearTimeout(entry.timer);
          resolve(this.releaser());
        },
        reject,
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new SlotTimeoutError(this.size, waitMs));
        }, waitMs),
      };
      this.waiting.push(entry);
    });
  }

  /** Rejects every waiter now with `err` (the executor is closing): nothing is granted to them later. */
  cancelWaiting(err: Error): void {
    for (const entry of this.waiting.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; otherwise it becomes free.
      if (next !== undefined) next.grant();
      else this.free++;
    };
  }
}
