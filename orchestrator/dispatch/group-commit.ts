/**
 * Group commit for the dispatcher. Engine calls made while handling worker frames (ack, result,
 * failure, heartbeat, and the leases that answer pulls) are queued and run together once per turn
 * of the event loop, inside one TaskEngine.batch() transaction: one commit for everything the
 * workers sent since the last turn instead of one per frame. On a file database the commit is the
 * expensive part, so this is what lets dispatch keep up with many small tasks.
 *
 * Durability is unchanged: a call's promise settles only after its transaction committed (WAL,
 * synchronous=NORMAL, as every engine call), and the dispatcher answers a worker (a task frame, a
 * refusal) only then. Work a crash catches still queued was never answered, exactly like a frame
 * still in a socket buffer: its lease runs out and the replica is reissued.
 *
 * Each call runs in its own savepoint (TaskEngine.batch), so a refused call (a late result, a
 * replica of another worker) undoes only itself and rejects only its own promise.
 */
import { AbortError } from '../../protocol/errors.ts';
import type { TaskEngine } from '../engine/index.ts';

export interface GroupCommitOptions {
  /** Most calls in one transaction, which bounds how long one commit holds the event loop. */
  maxBatch?: number;
  /** How a flush is scheduled after the first queued call. Default: the end of this turn. */
  schedule?: (flush: () => void) => void;
}

export const GROUP_COMMIT_DEFAULTS = {
  maxBatch: 512,
  schedule: (flush: () => void) => setImmediate(flush),
} as const;

interface Queued {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private readonly maxBatch: number;
  private readonly schedule: (flush: () => void) => void;
  private queue: Queued[] = [];
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly engine: Pick<TaskEngine, 'batch'>,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? GROUP_COMMIT_DEFAULTS.maxBatch);
    this.schedule = opts.schedule ?? GROUP_COMMIT_DEFAULTS.schedule;
  }

  /** Calls waiting for the next commit. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Queues `op` (synchronous engine calls) for the next group transaction. Resolves with its value
   * once that transaction committed; rejects with its error, or the commit's, or AbortError after
   * close().
   */
  run<T>(op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new AbortError('group commit closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.schedule(() => this.flush());
      }
    });
  }

  /** Commits everything still queued now, then refuses new calls. */
  close(): void {
    while (this.queue.length > 0) this.commitSome();
    this.closed = true;
  }

  private flush(): void {
    this.scheduled = false;
    this.commitSome();
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  private commitSome(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      this.engine.batch(() => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: item.op() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (err) {
      // The commit itself failed (disk full, I/O error): nothing of this batch is durable.
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
