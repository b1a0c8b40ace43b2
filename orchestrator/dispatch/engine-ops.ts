/**
 * The engine calls the dispatcher makes, as plain data: they cross to the engine thread by
 * postMessage (../engine-thread/), where closures cannot go, and run the same way in-process.
 * `runEngineOp` is the one place that maps an op to its TaskEngine method.
 */
import type { TaskEngine, WorkerError } from '../engine/index.ts';

export type EngineOp =
  | { op: 'register'; workerId: string; info: Record<string, unknown> }
  | { op: 'lease'; workerId: string; max: number; kinds: readonly string[] }
  | { op: 'ack'; replicaId: string; workerId: string }
  | { op: 'heartbeat'; workerId: string; replicaIds: readonly string[] }
  | { op: 'submit'; replicaId: string; workerId: string; digest: string; output: Uint8Array }
  | { op: 'fail'; replicaId: string; workerId: string; error: WorkerError }
  /** A proof that did not verify: counted against the worker, and the replica fails (reissued). */
  | { op: 'badProof'; replicaId: string; workerId: string; error: WorkerError }
  | { op: 'reap' };

/** Runs one op synchronously on `engine` (inside the caller's batch); returns the method's value. */
export function runEngineOp(engine: TaskEngine, op: EngineOp): unknown {
  switch (op.op) {
    case 'register':
      return engine.registerWorker(op.workerId, op.info);
    case 'lease':
      return engine.lease(op.workerId, op.max, { kinds: op.kinds });
    case 'ack':
      return engine.ack(op.replicaId, op.workerId);
    case 'heartbeat':
      return engine.heartbeat(op.workerId, op.replicaIds);
    case 'submit':
      return engine.submit(op.replicaId, op.workerId, { digest: op.digest, output: op.output });
    case 'fail':
      return engine.fail(op.replicaId, op.workerId, op.error);
    case 'badProof':
      engine.recordBadProof(op.workerId);
      return engine.fail(op.replicaId, op.workerId, op.error);
    case 'reap':
      return engine.reap();
  }
}

/** How one op of a batch ended. */
export type OpOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs `ops` in order on `engine`, each settled alone (the caller wraps them in engine.batch). */
export function runEngineOps(engine: TaskEngine, ops: readonly EngineOp[]): OpOutcome[] {
  return ops.map((op) => {
    try {
      return { ok: true, value: runEngineOp(engine, op) };
    } catch (error) {
      return { ok: false, error };
    }
  });
}
