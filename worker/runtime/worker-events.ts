/** Typed events (`noun:verb`) the task loop reports to its host: the page's log, counters, tests. */
import type { ComputePath } from './task-kinds.ts';

export type WorkerEvent =
  | { type: 'session:welcome'; orchestratorId: string }
  | { type: 'session:drained' }
  | { type: 'task:started'; replicaId: string; taskId: string; kind: string }
  | {
      type: 'task:done';
      replicaId: string;
      taskId: string;
      elapsedMs: number;
      digest: string;
      path: ComputePath;
      /** Time spent computing (executor), excluding network and hashing. */
      computeMs: number;
    }
  | {
      type: 'task:failed';
      replicaId: string;
      taskId: string;
      code: string;
      message: string;
      computeMs: number;
    }
  /** A task frame that arrived after the loop closed its end while draining; its lease expires. */
  | { type: 'task:dropped'; replicaId: string; taskId: string }
  | { type: 'frame:refused'; replicaId?: string; code: string; message: string };
