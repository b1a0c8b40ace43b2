/**
 * Group commit for the dispatcher. Engine calls made while handling worker frames (ack, result,
 * failure, heartbeat, and the leases that answer pulls) are queued and run together once per turn
 * of the event loop, in one transaction: one commit for everything the workers sent since the
 * last turn instead of one per frame. On a file database the commit is the expensive part, so
 * this is what lets dispatch keep up with many small tasks.
 *
 * The batch runs on a CommitLane: in this thread (LocalLane, the default), or on the engine thread
 * (../engine-thread/, opt-in), which takes SQLite's work off the thread that runs the network.
 * There at most maxInFlight batches are out at once; calls queued meanwhile form the next batch,
 * which therefore grows with the load.
 *
 * Durability is unchanged: a call's promise settles only after its transaction committed (WAL,
 * synchronous=NORMAL, as every engine call), and the dispatcher answers a worker (a task frame, a
 * refusal) only then. Work a crash catches still queued was never answered, exactly like a frame
 * still in a socket buffer: its lease runs out and the replica is reissued.
 *
 * Each call runs in its own savepoint, so a refused call (a late result, a replica of another
 * worker) undoes only itself and rejects only its own promise.
 */
import { AbortError } from '../../protocol/errors.ts';
import type { CommitLane } from './commit-lane.ts';
import type { EngineOp, OpOutcome } from './engine-ops.ts';

export interface GroupCommitOptions {
  /** Most calls in one transaction, which bounds how long one commit holds the lane. */
  maxBatch?: number;
  /** How a flush is scheduled after the first queued call. Default: the end of this turn. */
  schedule?: (flush: () => void) => void;
  /**
   * Batches a lane that runs elsewhere (the engine thread) may hold at once. With 1 the thread
   * idles while its reply crosses back and the next batch forms; with 2 the next batch is already
   * waiting there (no measurable difference on two cores, docs/architecture.md session 8).
   * Batches still commit in order.
   */
  maxInFlight?: number;
}

export const GROUP_COMMIT_DEFAULTS = {
  maxBatch: 512,
  schedule: (flush: () => void) => setImmediate(flush),
  maxInFlight: 2,
} as const;

/**
 * A call: its op, or a function that makes it when the batch is formed (so it can read state as
 * of then, e.g. a session's credit) and may return undefined to drop the call (it resolves with
 * undefined).
 */
export type OpSource = EngineOp | (() => EngineOp | undefined);

interface Queued {
  source: OpSource;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private readonly maxBatch: number;
  private readonly schedule: (flush: () => void) => void;
  private readonly maxInFlight: number;
  private queue: Queued[] = [];
  private scheduled = false;
  private closed = false;
  /** Batches the lane is running; at maxInFlight the next one waits in the queue. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly lane: CommitLane,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? GROUP_COMMIT_DEFAULTS.maxBatch);
    this.schedule = opts.schedule ?? GROUP_COMMIT_DEFAULTS.schedule;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? GROUP_COMMIT_DEFAULTS.maxInFlight);
  }

  /** Calls waiting for the next commit. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues a call for the next group transaction. Resolves with its value once that transaction
   * committed; rejects with its error, or the commit's, or AbortError after close().
   */
  run<T = unknown>(source: OpSource): Promise<T> {
    if (this.closed) return Promise.reject(new AbortError('group commit closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ source, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  /** Commits everything still queued, then refuses new calls and closes the lane. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.inFlight);
    while (this.queue.length > 0) await this.commitSome();
    await this.lane.close();
  }

  private scheduleFlush(): void {
    if (this.scheduled || this.inFlight.size >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.inFlight.size >= this.maxInFlight) return; // the end of one schedules the next flush
    const running = this.commitSome();
    if (running !== undefined) this.inFlight.add(running); // it removes itself when it lands
    this.scheduleFlush();
  }

  /** Takes the next batch and commits it; returns a promise while the lane is still at it. */
  private commitSome(): Promise<void> | undefined {
    const batch = this.queue.splice(0, this.maxBatch);
    const calls: Queued[] = [];
    const ops: EngineOp[] = [];
    for (const item of batch) {
      const op = typeof item.source === 'function' ? item.source() : item.source;
      if (op === undefined) item.resolve(undefined);
      else {
        calls.push(item);
        ops.push(op);
      }
    }
    if (ops.length === 0) return undefined;
    let outcomes: OpOutcome[] | Promise<OpOutcome[]>;
    try {
      outcomes = this.lane.commit(ops);
    } catch (err) {
      settleAll(calls, err);
      return undefined;
    }
    if (!(outcomes instanceof Promise)) {
      settle(calls, outcomes);
      return undefined;
    }
    // The batch leaves inFlight before its calls settle, so what they queue can go at once.
    let running: Promise<void> | undefined;
    const landed = () => {
      if (running !== undefined) this.inFlight.delete(running);
      if (!this.closed) this.scheduleFlush();
    };
    running = outcomes.then(
      (o) => {
        landed();
        settle(calls, o);
      },
      (err: unknown) => {
        landed();
        settleAll(calls, err);
      },
    );
    return running;
  }
}

function settle(calls: readonly Queued[], outcomes: readonly OpOutcome[]): void {
  calls.forEach((item, i) => {
    const outcome = outcomes[i] as OpOutcome;
    if (outcome.ok) item.resolve(outcome.value);
    else item.reject(outcome.error);
  });
}

/** The commit itself failed (disk full, I/O error, the thread died): nothing of it is durable. */
function settleAll(calls: readonly Queued[], err: unknown): void {
  for (const item of calls) item.reject(err);
}
