/**
 * Stores runs of another origin's records, gossiped or synced, after checking that they extend
 * the copy held. Calls are serialized per origin, so two batches of one origin validated at once
 * cannot both extend the same head.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { LogError } from './errors.ts';
import type { LogRecord } from './record.ts';
import type { LogStore } from './store.ts';
import { type ProofCheck, verifyRun } from './verify.ts';

export type IngestOutcome =
  /** Records appended to the held chain. */
  | { status: 'stored'; count: number; head: number }
  /** Nothing new: every record is already held (and identical). */
  | { status: 'duplicate'; head: number }
  /** Valid on its own but starts past the held head: fetch `from`..first-1 over log-sync. */
  | { status: 'gap'; from: number; upTo: number };

export interface IngestOptions {
  verifyProof?: ProofCheck;
  /** Check every signature rather than the newest of each run (see verifyRun). */
  allSignatures?: boolean;
}

export class LogIngest {
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: LogStore,
    private readonly opts: IngestOptions = {},
  ) {}

  /**
   * Checks and stores a run of ONE origin's records in ascending contiguous seq order.
   * Throws a LogError (malformed, bad hash, bad signature, broken chain, unverified proof).
   * `batch`: the gossiped message the records were decoded from; when every record is new it is
   * stored as is, one row (LogStore.insertRun).
   */
  ingest(
    records: readonly LogRecord[],
    opts: { signal?: AbortSignal; batch?: Uint8Array } = {},
  ): Promise<IngestOutcome> {
    const origin = records[0]?.origin;
    if (origin === undefined) return Promise.resolve({ status: 'duplicate', head: 0 });
    const previous = this.#queues.get(origin) ?? Promise.resolve();
    const run = previous.then(
      () => this.#ingest(origin, records, opts),
      () => this.#ingest(origin, records, opts),
    );
    const tail = run.catch(() => {});
    this.#queues.set(origin, tail);
    void tail.then(() => {
      if (this.#queues.get(origin) === tail) this.#queues.delete(origin);
    });
    return run;
  }

  async #ingest(
    origin: string,
    records: readonly LogRecord[],
    { signal, batch }: { signal?: AbortSignal; batch?: Uint8Array },
  ): Promise<IngestOutcome> {
    for (let i = 1; i < records.length; i++) {
      const prev = records[i - 1];
      const cur = records[i];
      if (prev === undefined || cur === undefined || cur.seq !== prev.seq + 1) {
        throw new LogError(ErrorCode.LogMalformed, 'records of a run must have contiguous seqs', { origin });
      }
    }
    const head = this.store.head(origin);
    const headSeq = head?.seq ?? 0;
    // Records we already hold must be byte-for-byte the ones we hold: a different record at a
    // held seq is a fork (the origin signed two histories, or someone forged one).
    const fresh: LogRecord[] = [];
    for (const r of records) {
      if (r.seq > headSeq) {
        fresh.push(r);
        continue;
      }
      const held = this.store.get(origin, r.seq);
      if (held === undefined || held.hash !== r.hash) {
        throw new LogError(ErrorCode.LogChainBroken, `record ${r.seq} conflicts with the held chain`, {
          origin,
          seq: r.seq,
        });
      }
    }
    const first = fresh[0];
    if (first === undefined) return { status: 'duplicate', head: headSeq };
    const verify = { verifyProof: this.opts.verifyProof, allSignatures: this.opts.allSignatures, signal };
    if (first.seq > headSeq + 1) {
      // Cannot link it to what we hold yet; still refuse a run that is bad on its own.
      await verifyRun(fresh, { ...verify, anchor: { seq: first.seq - 1, hash: first.prevHash } });
      return { status: 'gap', from: headSeq + 1, upTo: first.seq - 1 };
    }
    await verifyRun(fresh, { ...verify, anchor: head });
    if (batch !== undefined && fresh.length === records.length) this.store.insertRun(fresh, batch);
    else this.store.insert(fresh);
    return { status: 'stored', count: fresh.length, head: headSeq + fresh.length };
  }
}
