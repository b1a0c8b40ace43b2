/** Typed engine events (`noun:verb`), delivered after the transaction that caused them commits. */
import type { DeadReason } from './types.ts';

export interface EngineEventMap {
  /** `workers`: the agreeing workers, sorted; `acceptedAt`: the time stored with the result. */
  'task:done': {
    jobId: string;
    taskId: string;
    index: number;
    digest: string;
    workers: string[];
    acceptedAt: number;
  };
  'task:dead': { jobId: string; taskId: string; index: number; reason: DeadReason };
  'task:requeued': { jobId: string; taskId: string; index: number };
  'job:done': { jobId: string; state: 'completed' | 'cancelled' };
}
export type EngineEventType = keyof EngineEventMap;
export const ENGINE_EVENT_TYPES: readonly EngineEventType[] = [
  'task:done',
  'task:dead',
  'task:requeued',
  'job:done',
];
export type EngineEvent = { [K in EngineEventType]: { type: K; detail: EngineEventMap[K] } }[EngineEventType];
export type Listener<K extends EngineEventType> = (detail: EngineEventMap[K]) => void;

export class EngineEvents {
  readonly #listeners = new Map<EngineEventType, Set<(detail: never) => void>>();
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  /** Subscribe; returns the unsubscribe function. */
  on<K extends EngineEventType>(type: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => this.off(type, listener);
  }

  off<K extends EngineEventType>(type: K, listener: Listener<K>): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /** Deliver in order; a throwing listener is reported and does not stop the others. */
  emit(events: readonly EngineEvent[]): void {
    for (const event of events) {
      const set = this.#listeners.get(event.type);
      if (set === undefined) continue;
      for (const listener of [...set]) {
        try {
          (listener as (detail: EngineEventMap[typeof event.type]) => void)(event.detail);
        } catch (err) {
          this.#onError(err);
        }
      }
    }
  }
}
