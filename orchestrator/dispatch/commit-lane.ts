/**
 * Where a group commit's batch of engine ops runs: in this thread (LocalLane, on the engine the
 * caller holds) or on the engine thread (../engine-thread/client.ts, its own SQLite connection).
 * Either way the batch is one transaction, each op in its own savepoint.
 */
import type { TaskEngine } from '../engine/index.ts';
import { type EngineOp, type OpOutcome, runEngineOps } from './engine-ops.ts';

export interface CommitLane {
  /**
   * Runs `ops` in one transaction and returns each op's outcome, in order, once it committed.
   * Throws (or rejects) when the commit itself failed: then nothing of the batch is durable.
   */
  commit(ops: readonly EngineOp[]): OpOutcome[] | Promise<OpOutcome[]>;
  /** Releases what the lane holds (the engine thread); called once, after the last commit. */
  close(): Promise<void>;
}

/** Runs each batch synchronously on `engine` in this thread (in-memory databases, tests). */
export class LocalLane implements CommitLane {
  constructor(private readonly engine: TaskEngine) {}

  commit(ops: readonly EngineOp[]): OpOutcome[] {
    return this.engine.batch(() => runEngineOps(this.engine, ops));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
