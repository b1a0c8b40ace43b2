/**
 * Feeds the page's CPU/GPU usage gauges: cumulative milliseconds spent computing, per path, in
 * the control block. Tasks in flight are credited every tick rather than only when they end, so
 * the gauge follows a long task instead of jumping when it finishes. A task is credited to the
 * path it was expected to take when it started (GPU when the switch is on and an adapter exists).
 */
import { type ControlBlock, Slot } from './control-block.ts';

export class BusyMeter {
  private readonly running = new Map<string, { since: number; slot: number }>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly control: ControlBlock,
    private readonly tickMs = 250,
  ) {}

  start(id: string, onGpu: boolean): void {
    this.running.set(id, { since: performance.now(), slot: onGpu ? Slot.BusyGpuMs : Slot.BusyCpuMs });
    this.control.set(Slot.InFlight, this.running.size);
    this.timer ??= setInterval(() => this.flush(), this.tickMs);
  }

  end(id: string): void {
    this.flush();
    this.running.delete(id);
    this.control.set(Slot.InFlight, this.running.size);
    if (this.running.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  stop(): void {
    for (const id of [...this.running.keys()]) this.end(id);
  }

  private flush(): void {
    const now = performance.now();
    for (const task of this.running.values()) {
      const whole = Math.floor(now - task.since);
      if (whole <= 0) continue;
      this.control.add(task.slot, whole);
      task.since += whole;
    }
  }
}
