/**
 * The contributor's CPU limit as a duty cycle: after a task that kept a slot busy for `b` ms,
 * the slot rests `b * (1 - L) / L` ms before it asks for more work, so busy / (busy + rest) = L
 * per slot. Rest is cut short when the loop drains or stops. The limit is read before every
 * rest, so a change applies from the next task on.
 */
export interface Throttle {
  /** Waits as long as the limit asks after a task that computed for `busyMs`. Never throws. */
  afterTask(busyMs: number, opts?: { signal?: AbortSignal }): Promise<void>;
}

export interface DutyCycleOptions {
  /** Current limit as a fraction of wall time in (0, 1]; 1 (or more) means no rest. */
  limit: () => number;
  /** Longest single rest, so one huge task cannot park the worker for hours. Default 60 s. */
  maxRestMs?: number;
}

/** Lowest limit honoured: below it a task would be followed by an absurdly long rest. */
export const MIN_DUTY_CYCLE = 0.05;

export class DutyCycle implements Throttle {
  constructor(private readonly opts: DutyCycleOptions) {}

  /** The rest after a task of `busyMs`, in ms. */
  restFor(busyMs: number): number {
    const raw = this.opts.limit();
    if (!Number.isFinite(raw) || raw >= 1 || busyMs <= 0) return 0;
    const limit = Math.max(MIN_DUTY_CYCLE, raw);
    return Math.min((busyMs * (1 - limit)) / limit, this.opts.maxRestMs ?? 60_000);
  }

  afterTask(busyMs: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const rest = this.restFor(busyMs);
    const signal = opts.signal;
    if (rest <= 0 || signal?.aborted === true) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, rest);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
