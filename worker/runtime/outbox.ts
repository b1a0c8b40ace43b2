/**
 * What the task loop sends back: acks, results, failures and pulls. With single frames (the
 * orchestrator's welcome did not offer batches) each is its own frame, as before. With batches,
 * everything finished in one turn leaves as one `results` frame (protocol/batch.ts) plus one
 * `pull` for the sum of the credit, which saves the orchestrator a header parse, a digest and an
 * engine round per frame.
 *
 * Order is kept where it matters: a result that carries a proof still travels on its own `result`
 * frame (its proof and `batch` listing are checked apart), and the queued batch is flushed before
 * it, so an ack never arrives after its replica's result.
 */
import { buildResultsFrames, type ResultsBatch } from '../../protocol/batch.ts';
import type { FrameChannel } from '../../protocol/frame-channel.ts';
import { MAX_PULL } from '../../protocol/limits.ts';
import type { FailureEntry, JsonObject, ResultEntry } from '../../protocol/messages.ts';

export interface OutboxOptions {
  /** Send `results` frames (only once the welcome said the orchestrator reads them). */
  batch: boolean;
  signal?: AbortSignal;
  /** When a batch is sent. Default: at the end of this turn of the event loop. */
  schedule?: (flush: () => void) => void;
}

type ResultInput = Omit<ResultEntry, 'offset' | 'length'> & { proof?: JsonObject };

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

const endOfTurn = (fn: () => void): void => {
  if (typeof globalThis.setImmediate === 'function') globalThis.setImmediate(fn);
  else setTimeout(fn, 0);
};

export class Outbox {
  private batching: boolean;
  private readonly signal: AbortSignal | undefined;
  private readonly schedule: (flush: () => void) => void;
  private queued: ResultsBatch = { acks: [], results: [], failures: [] };
  private credit = 0;
  private waiters: Waiter[] = [];
  private scheduled = false;

  constructor(
    private readonly channel: FrameChannel,
    opts: OutboxOptions,
  ) {
    this.batching = opts.batch;
    this.signal = opts.signal;
    this.schedule = opts.schedule ?? endOfTurn;
  }

  /** Switches to batches (the welcome offered them). */
  enableBatches(): void {
    this.batching = true;
  }

  ack(replicaId: string): Promise<void> {
    if (!this.batching) return this.send({ type: 'ack', replicaId });
    this.queued.acks.push(replicaId);
    return this.wait();
  }

  result(result: ResultInput, output: Uint8Array): Promise<void> {
    if (!this.batching || result.proof !== undefined) {
      this.flush(); // an ack queued for this replica must go first
      return this.send({ type: 'result', ...result }, output);
    }
    this.queued.results.push({ result, output });
    return this.wait();
  }

  failure(failure: FailureEntry): Promise<void> {
    if (!this.batching) return this.send({ type: 'failure', ...failure });
    this.queued.failures.push(failure);
    return this.wait();
  }

  /** Asks for `max` more leases; in batch mode the pulls of one turn become one frame. */
  pull(max: number): Promise<void> {
    if (!this.batching) return this.send({ type: 'pull', max });
    this.credit += max;
    return this.wait();
  }

  /** Sends what is queued now (in call order on the channel). */
  flush(): void {
    const batch = this.queued;
    const waiters = this.waiters;
    let credit = this.credit;
    this.queued = { acks: [], results: [], failures: [] };
    this.waiters = [];
    this.credit = 0;
    if (waiters.length === 0) return;
    const sends: Promise<void>[] = [];
    try {
      for (const frame of buildResultsFrames(batch)) sends.push(this.send(frame.header, frame.payload));
    } catch (err) {
      sends.push(Promise.reject(err));
    }
    for (; credit > 0; credit -= MAX_PULL)
      sends.push(this.send({ type: 'pull', max: Math.min(credit, MAX_PULL) }));
    // One outcome for the whole turn: the frames left together or not at all (a broken stream).
    const all = Promise.all(sends);
    for (const w of waiters) all.then(() => w.resolve(), w.reject);
  }

  private wait(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => {
        this.scheduled = false;
        this.flush();
      });
    }
    return done;
  }

  private send(header: Parameters<FrameChannel['send']>[0], payload?: Uint8Array): Promise<void> {
    return this.channel.send(header, payload, this.signal === undefined ? {} : { signal: this.signal });
  }
}
