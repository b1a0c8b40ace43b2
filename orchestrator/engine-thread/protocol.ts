/** Messages between the orchestrator's main thread and its engine thread (./thread.ts). */
import type { EngineOp } from '../dispatch/engine-ops.ts';
import type { EngineEvent } from '../engine/index.ts';
import type { LogRecord } from '../mesh/record.ts';

export interface ThreadInit {
  type: 'init';
  /** The orchestrator's database file (already migrated by the main thread). */
  dbPath: string;
  leaseMs: number;
  /** The digest log to append accepted tasks to (the orchestrator's mesh), if it has one. */
  log?: { origin: string; keyProtobuf: Uint8Array };
}

export type ToThread = ThreadInit | { type: 'commit'; id: number; ops: EngineOp[] } | { type: 'close' };

/** An error as it crosses the thread boundary; the client rebuilds the typed error from it. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

export type WireOutcome = { ok: true; value: unknown } | { ok: false; error: WireError };

export type FromThread =
  | { type: 'ready' }
  | { type: 'init-failed'; error: WireError }
  /** A batch committed: each op's outcome, the engine's events, the log records appended after it. */
  | { type: 'committed'; id: number; outcomes: WireOutcome[]; events: EngineEvent[]; records: LogRecord[] }
  /** The batch's transaction failed as a whole (nothing of it is durable). */
  | { type: 'commit-failed'; id: number; error: WireError }
  | { type: 'log'; line: string }
  | { type: 'closed' };
