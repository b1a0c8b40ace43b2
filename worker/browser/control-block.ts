/**
 * The page <-> dedicated worker control block: one Int32Array over a SharedArrayBuffer that the
 * page creates and hands to the worker once. The page writes the contributor's controls (pause,
 * CPU limit, GPU switch) and bumps `generation`; the worker sleeps on `generation` with
 * Atomics.waitAsync and reacts at once, without a message round trip. The worker writes its state
 * and counters, which the page reads for its gauges a few times a second. Every access is atomic.
 */

export const Slot = {
  /** Page: bumped after any control changes; the worker waits on it. */
  Generation: 0,
  /** Page: 1 = stop taking work (in-flight tasks finish). */
  Paused: 1,
  /** Page: CPU duty-cycle limit in percent (busy / wall per slot), 1..100. */
  CpuLimitPct: 2,
  /** Page: 1 = run kernels on the GPU when there is one. */
  GpuEnabled: 3,
  /** Worker: a WorkerState. */
  State: 4,
  /** Worker: tasks completed and failed in this page session. */
  TasksDone: 5,
  TasksFailed: 6,
  /** Worker: cumulative milliseconds spent computing, per path. */
  BusyCpuMs: 7,
  BusyGpuMs: 8,
  /** Worker: tasks computing right now. */
  InFlight: 9,
  /** Worker: 1 when a WebGPU adapter was found. */
  GpuAvailable: 10,
  /** Worker: sessions opened with the orchestrator (a resume opens a new one). */
  Sessions: 11,
} as const;

const SLOTS = 12;

export const WorkerState = {
  Idle: 0,
  Starting: 1,
  Connecting: 2,
  Working: 3,
  /** Paused or switching GPU: in-flight tasks finish, nothing new is taken. */
  Draining: 4,
  Paused: 5,
  /** Lost the orchestrator; retrying. */
  Reconnecting: 6,
  Failed: 7,
} as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

export const STATE_NAMES: Readonly<Record<WorkerState, string>> = {
  0: 'idle',
  1: 'starting',
  2: 'connecting',
  3: 'working',
  4: 'draining',
  5: 'paused',
  6: 'reconnecting',
  7: 'failed',
};

export interface ControlDefaults {
  cpuLimitPct: number;
  gpuEnabled: boolean;
}

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs?: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

export class ControlBlock {
  readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer);
    if (this.words.length < SLOTS) throw new RangeError(`control block needs ${SLOTS} words`);
  }

  /** The page's side: a fresh block with the contributor's starting choices. */
  static create(defaults: ControlDefaults): ControlBlock {
    const block = new ControlBlock(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
    Atomics.store(block.words, Slot.CpuLimitPct, clampPct(defaults.cpuLimitPct));
    Atomics.store(block.words, Slot.GpuEnabled, defaults.gpuEnabled ? 1 : 0);
    return block;
  }

  get(slot: number): number {
    return Atomics.load(this.words, slot);
  }

  set(slot: number, value: number): void {
    Atomics.store(this.words, slot, value);
  }

  add(slot: number, delta: number): void {
    Atomics.add(this.words, slot, delta);
  }

  /** Page: change a control and wake the worker. */
  setControl(slot: number, value: number): void {
    Atomics.store(this.words, slot, slot === Slot.CpuLimitPct ? clampPct(value) : value);
    Atomics.add(this.words, Slot.Generation, 1);
    Atomics.notify(this.words, Slot.Generation);
  }

  get paused(): boolean {
    return this.get(Slot.Paused) === 1;
  }

  get gpuEnabled(): boolean {
    return this.get(Slot.GpuEnabled) === 1;
  }

  /** The CPU limit as a fraction in (0, 1]. */
  get cpuLimit(): number {
    return clampPct(this.get(Slot.CpuLimitPct)) / 100;
  }

  get state(): WorkerState {
    return this.get(Slot.State) as WorkerState;
  }

  set state(state: WorkerState) {
    this.set(Slot.State, state);
  }

  /**
   * Worker: resolves after the page changed a control since generation `seen` (or on abort).
   * Atomics.waitAsync where available; a short poll otherwise. Returns the new generation.
   */
  async changed(seen: number, signal?: AbortSignal): Promise<number> {
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    while (signal?.aborted !== true) {
      const now = this.get(Slot.Generation);
      if (now !== seen) return now;
      if (waitAsync !== undefined) {
        const result = waitAsync(this.words, Slot.Generation, seen, 10_000);
        if (result.async) await untilAborted(result.value, signal);
      } else {
        await untilAborted(new Promise((resolve) => setTimeout(resolve, 100)), signal);
      }
    }
    return this.get(Slot.Generation);
  }
}

/** Waits for `promise`, or less when `signal` fires first. */
async function untilAborted(promise: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) {
    await promise;
    return;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([promise, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

function clampPct(value: number): number {
  return Math.min(100, Math.max(1, Math.round(value)));
}
