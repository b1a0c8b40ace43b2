/**
 * What a worker session sends: task frames for committed leases (one `tasks` frame per
 * transaction when the worker agreed to batches), refusals, and the welcome. Frames go to the
 * channel in call order; the channel writes those of one turn in one write.
 */
import { buildTasksFrames } from '../../protocol/batch.ts';
import type { FrameChannel } from '../../protocol/frame-channel.ts';
import type { Lease } from '../engine/index.ts';
import { taskOf } from './task-frames.ts';

export class SessionOutbox {
  private sending: Promise<void> = Promise.resolve();
  /** Hello and welcome agreed on batch frames: leases go out as `tasks` frames. */
  batch = false;

  constructor(
    private readonly channel: FrameChannel,
    private readonly workerId: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Resolves once every frame queued so far has been handed to the stream. */
  flushed(): Promise<void> {
    return this.sending;
  }

  send(
    header: Parameters<FrameChannel['send']>[0],
    payload: Uint8Array | undefined,
    signal?: AbortSignal,
  ): void {
    // Calling the channel directly (not after the previous send settled) keeps the order and lets
    // frames of one turn coalesce into one write.
    this.sending = this.channel
      .send(header, payload, signal === undefined ? {} : { signal })
      .catch((err: unknown) => {
        if (!signal?.aborted) this.log(`send to ${this.workerId} failed: ${String(err)}`);
      });
  }

  refuse(code: string, message: string, replicaId: string | undefined, signal: AbortSignal): void {
    this.send(
      { type: 'refusal', code, message, ...(replicaId === undefined ? {} : { replicaId }) },
      undefined,
      signal,
    );
  }

  /** One transaction's leases: one `tasks` frame when batches were agreed, else a `task` frame each. */
  async tasks(leases: readonly Lease[], signal: AbortSignal | undefined): Promise<void> {
    const items = leases.map((lease) => ({ task: taskOf(lease), payload: lease.payload }));
    if (!this.batch || items.length === 1) {
      for (const { task, payload } of items) this.send({ type: 'task', ...task }, payload, signal);
      return;
    }
    try {
      const frames = await buildTasksFrames(items, signal === undefined ? {} : { signal });
      for (const frame of frames) this.send(frame.header, frame.payload, signal);
    } catch (err) {
      // Only an abort gets here (hashing cannot fail): the leases run out and are reissued.
      if (!signal?.aborted) this.log(`tasks for ${this.workerId} not sent: ${String(err)}`);
    }
  }
}
