/**
 * Compute slots of one task loop: at most `count` tasks compute at once, the rest (prefetched
 * leases) wait their turn in arrival order. A waiting task's time limit and ack start only when
 * it gets its slot, so a held task never times out for having waited.
 */
import { AbortError } from '../../protocol/errors.ts';

export class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(count: number) {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('slots must be a positive integer');
    this.#free = count;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves with a release function once a slot is free; rejects with AbortError on `signal`. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AbortError());
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#releaser());
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  /** A release that frees the slot once, however often it is called. */
  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) this.#free++;
      else next(); // the slot passes straight to the next waiter
    };
  }
}
