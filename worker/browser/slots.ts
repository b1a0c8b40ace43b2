/**
 * How many tasks the page computes at once. Each slot is duty-cycled to the CPU limit L
 * (DutyCycle), so n slots use at most n * L cores. n = floor(cores * L), at least 1 and at most
 * the `max` option: the tab then uses at most floor(cores * L) * L <= cores * L cores, i.e. never
 * more than the limit's share of the machine (one slot at a low limit uses L of one core).
 * Decided when a session opens (the hello announces it as maxConcurrent). A CPU limit change
 * applies to the duty cycle at once; one that changes the slot count also drains the session and
 * opens a new one with the new count (browser-host.ts).
 */
import { ThreadExecutor, type ThreadExecutorOptions } from '../runtime/thread-executor.ts';

export function taskSlots(cpuLimit: number, cores: number, max = Number.POSITIVE_INFINITY): number {
  const c = Math.max(1, Math.floor(Number.isFinite(cores) ? cores : 1));
  const l = Number.isFinite(cpuLimit) ? Math.min(1, Math.max(0, cpuLimit)) : 0;
  return Math.max(1, Math.min(c, Math.floor(max), Math.floor(c * l)));
}

/**
 * One ThreadExecutor sized for the current slot count (one CPU thread per slot); a session with
 * another count replaces it. Replacing costs the threads' start-up (~100-300 ms), only when the
 * contributor changed the limit.
 */
export class SlotExecutors {
  private current: { threads: number; executor: ThreadExecutor } | undefined;

  constructor(private readonly opts: Omit<ThreadExecutorOptions, 'threads'>) {}

  async get(threads: number): Promise<ThreadExecutor> {
    if (this.current?.threads === threads) return this.current.executor;
    await this.current?.executor.close();
    const executor = new ThreadExecutor({ ...this.opts, threads });
    this.current = { threads, executor };
    return executor;
  }

  async close(): Promise<void> {
    await this.current?.executor.close();
    this.current = undefined;
  }
}
