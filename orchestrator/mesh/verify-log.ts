/**
 * End-to-end check of a stored log (`shardmesh log verify`, GET /v1/log/verify): for every
 * origin, walk the chain from seq 1 and check every link, hash and signature, that no task is
 * logged twice, and every proof reference: its shape; that no proof fingerprint is referenced
 * twice in the whole log (a batch proof: by at most BATCH_SIZE tasks of its one worker); and, for
 * tasks accepted in this very database (the origin checking its own chain), that it matches the
 * proofs verified here and consumed by the replay guard (proof-refs.ts, docs/mesh.md).
 */

import { BATCH_SIZE } from '../../circuits/lib/params.ts';
import { ErrorCode, throwIfAborted } from '../../protocol/errors.ts';
import { LogError } from './errors.ts';
import { checkProofRefAtOrigin, parseProofRef } from './proof-refs.ts';
import type { LogRecord } from './record.ts';
import type { LogStore } from './store.ts';
import { type ChainAnchor, type ProofCheck, verifyRun } from './verify.ts';

export interface OriginReport {
  origin: string;
  /** Records that checked out (the whole chain when ok; those before the failure otherwise). */
  records: number;
  /** The newest record verified (the head when ok; may lag the failure by up to a page). */
  head: ChainAnchor | null;
  ok: boolean;
  /** The first failure: its stable code, the seq it was found at and a message. */
  error?: { code: string; seq?: number; message: string };
}

export interface LogVerifyReport {
  ok: boolean;
  origins: OriginReport[];
}

export interface VerifyLogOptions {
  /** Only this origin (default: every origin held). */
  origin?: string;
  /** An extra proof check on top of the ones above. */
  verifyProof?: ProofCheck;
  /** Compare references of tasks accepted in the store's database with its proof tables (default true). */
  localProofs?: boolean;
  /** Records checked per step (one signature batch); default 500. */
  pageSize?: number;
  signal?: AbortSignal;
}

export async function verifyLog(store: LogStore, opts: VerifyLogOptions = {}): Promise<LogVerifyReport> {
  const origins = opts.origin !== undefined ? [opts.origin] : store.heads().map((h) => h.origin);
  const reports: OriginReport[] = [];
  const uses = new ProofUses();
  const local = opts.localProofs ?? true;
  const verifyProof: ProofCheck = async (r, o) => {
    const ref = r.proof === null ? undefined : parseProofRef(r.proof);
    ref?.entries.forEach((e, i) => {
      uses.add(r, ref.circuit, e.proofHash, r.workers[i] ?? '');
    });
    if (local) checkProofRefAtOrigin(store.db, r);
    return opts.verifyProof === undefined ? true : opts.verifyProof(r, o);
  };
  for (const origin of origins) reports.push(await verifyOrigin(store, origin, { ...opts, verifyProof }));
  return { ok: reports.every((r) => r.ok), origins: reports };
}

/**
 * Where each proof fingerprint was referenced, across the whole log. A single proof backs one
 * result, once in the mesh. A batch proof (result_batch) backs the results of up to BATCH_SIZE
 * distinct tasks, all computed by the one worker it names; any other reuse is a forgery or replay.
 */
class ProofUses {
  private readonly uses = new Map<string, { first: string; workerId: string; tasks: Set<string> }>();

  add(r: LogRecord, circuit: string, proofHash: string, workerId: string): void {
    const prior = this.uses.get(proofHash);
    if (prior === undefined) {
      this.uses.set(proofHash, { first: `${r.origin} seq ${r.seq}`, workerId, tasks: new Set([r.taskId]) });
      return;
    }
    const batchMember =
      circuit === 'result_batch' &&
      prior.workerId === workerId &&
      !prior.tasks.has(r.taskId) &&
      prior.tasks.size < BATCH_SIZE;
    if (!batchMember) {
      throw new LogError(ErrorCode.LogProofUnverified, `record ${r.seq} reuses the proof of ${prior.first}`, {
        origin: r.origin,
        seq: r.seq,
      });
    }
    prior.tasks.add(r.taskId);
  }
}

async function verifyOrigin(store: LogStore, origin: string, opts: VerifyLogOptions): Promise<OriginReport> {
  const pageSize = opts.pageSize ?? 500;
  let anchor: ChainAnchor | undefined;
  let count = 0;
  let page: LogRecord[] = [];
  // A task is logged at most once per origin. The origin's own rows have a unique index for it;
  // other origins' gossiped batches (digest_log_runs) have none, so the walk checks it.
  const taskSeq = new Map<string, number>();
  const check = async (): Promise<void> => {
    throwIfAborted(opts.signal);
    await verifyRun(page, {
      anchor,
      allSignatures: true,
      verifyProof: opts.verifyProof,
      signal: opts.signal,
    });
    for (const r of page) {
      const earlier = taskSeq.get(r.taskId);
      if (earlier !== undefined) {
        throw new LogError(
          ErrorCode.LogChainBroken,
          `record ${r.seq} logs task ${r.taskId} again (seq ${earlier})`,
          {
            origin,
            seq: r.seq,
          },
        );
      }
      taskSeq.set(r.taskId, r.seq);
    }
    const last = page.at(-1);
    if (last !== undefined) anchor = { seq: last.seq, hash: last.hash };
    count += page.length;
    page = [];
  };
  try {
    for (const record of store.iterate(origin, pageSize)) {
      page.push(record);
      if (page.length >= pageSize) await check();
    }
    await check();
    return { origin, records: count, head: anchor ?? null, ok: true };
  } catch (err) {
    if (!(err instanceof LogError)) throw err;
    const seq = typeof err.details?.seq === 'number' ? err.details.seq : undefined;
    return {
      origin,
      // Every record before the failing one checked out.
      records: seq === undefined ? count : seq - 1,
      head: anchor ?? null,
      ok: false,
      error: { code: err.code, ...(seq === undefined ? {} : { seq }), message: err.message },
    };
  }
}
