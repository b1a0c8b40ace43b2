/**
 * One worker's credit (what its pulls asked for, capped at MAX_PULL) and the lease calls that
 * spend it: at most one lease call in the group commit at a time, so two cannot race for the
 * same credit; credit or work that arrives meanwhile makes it offer again once the call settled.
 */
import { MAX_PULL } from '../../protocol/limits.ts';
import type { Lease } from '../engine/index.ts';
import type { GroupCommit } from './group-commit.ts';

export interface WorkOfferOptions {
  workerId: string;
  commit: GroupCommit;
  /** Sends the leases once their transaction committed (task frames, in order). */
  send: (leases: Lease[], signal?: AbortSignal) => Promise<void> | void;
  /** Asks the dispatcher to offer again (credit or work arrived while a lease call was queued). */
  offerAgain: () => void;
  log: (line: string) => void;
}

export class WorkOffer {
  #credit = 0;
  /** A lease call is queued; a second would race it for the same credit. */
  #offering = false;
  /** Credit or work arrived while a lease call was queued: offer again when it settles. */
  #again = false;
  /** The task kinds the worker's hello says it runs: the only ones it is offered. */
  kinds: readonly string[] = [];

  constructor(private readonly opts: WorkOfferOptions) {}

  get hasCredit(): boolean {
    return this.#credit > 0;
  }

  /** A `pull` frame: `max` more tasks wanted. */
  pull(max: number): void {
    this.#credit = Math.min(this.#credit + max, MAX_PULL);
  }

  /**
   * Leases up to the credit in the next group transaction and, once it committed, sends them
   * (the channel keeps the order of sends).
   */
  offer(signal?: AbortSignal): void {
    if (this.#credit <= 0) return;
    if (this.#offering) {
      this.#again = true;
      return;
    }
    this.#offering = true;
    this.#again = false;
    const { workerId, commit, send, log } = this.opts;
    let reserved = 0;
    commit
      .run<Lease[] | undefined>(() => {
        // Credit is read when the batch is formed, so pulls that arrived meanwhile count too. It
        // is reserved until the leases come back; what the engine did not hand out returns then.
        if (this.#credit <= 0) return undefined;
        reserved = this.#credit;
        this.#credit = 0;
        return { op: 'lease', workerId, max: reserved, kinds: this.kinds };
      })
      .then(
        (leases = []) => {
          this.#credit = Math.min(this.#credit + reserved - leases.length, MAX_PULL);
          return send(leases, signal);
        },
        (err: unknown) => {
          // The leases were rolled back with their transaction.
          this.#credit = Math.min(this.#credit + reserved, MAX_PULL);
          if (!signal?.aborted) log(`lease for ${workerId} failed: ${String(err)}`);
        },
      )
      .finally(() => {
        this.#offering = false;
        if (this.#again && !signal?.aborted) this.opts.offerAgain();
      });
  }
}
