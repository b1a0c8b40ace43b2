/**
 * End-to-end check of a stored log (`shardmesh log verify`, GET /v1/log/verify): for every
 * origin, walk the chain from seq 1 and check every link, hash and signature, and every proof
 * through the proof hook (placeholder until proofs are referenced from the log).
 */
import { throwIfAborted } from '../../protocol/errors.ts';
import { LogError } from './errors.ts';
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
  verifyProof?: ProofCheck;
  /** Records checked per step (one signature batch); default 500. */
  pageSize?: number;
  signal?: AbortSignal;
}

export async function verifyLog(store: LogStore, opts: VerifyLogOptions = {}): Promise<LogVerifyReport> {
  const origins = opts.origin !== undefined ? [opts.origin] : store.heads().map((h) => h.origin);
  const reports: OriginReport[] = [];
  for (const origin of origins) reports.push(await verifyOrigin(store, origin, opts));
  return { ok: reports.every((r) => r.ok), origins: reports };
}

async function verifyOrigin(store: LogStore, origin: string, opts: VerifyLogOptions): Promise<OriginReport> {
  const pageSize = opts.pageSize ?? 500;
  let anchor: ChainAnchor | undefined;
  let count = 0;
  let page: LogRecord[] = [];
  const check = async (): Promise<void> => {
    throwIfAborted(opts.signal);
    await verifyRun(page, {
      anchor,
      allSignatures: true,
      verifyProof: opts.verifyProof,
      signal: opts.signal,
    });
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
