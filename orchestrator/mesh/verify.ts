/**
 * Checks on runs of log records. One function answers both questions the mesh asks:
 * "may this gossiped batch extend the copy I hold?" (validator, sync) and "is this whole log
 * intact?" (`shardmesh log verify`). Failures come back as typed LogErrors with stable codes.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { LogError } from './errors.ts';
import { checkProofRefShape } from './proof-refs.ts';
import { GENESIS_HASH, hashMatches, type LogRecord, signatureValid } from './record.ts';

/** What the checker knows of an origin's chain before the run: its newest record. */
export interface ChainAnchor {
  seq: number;
  hash: string;
}

/**
 * Extra check of a record's proof reference, beyond its shape (checkProofRefShape always runs):
 * `log verify` passes one that compares the origin's own proof tables (proof-refs.ts). Returns
 * false or throws a LogError to refuse the record.
 */
export type ProofCheck = (record: LogRecord, opts: { signal?: AbortSignal }) => boolean | Promise<boolean>;

export interface VerifyRunOptions {
  /** The newest record held for this origin (genesis when absent). */
  anchor?: ChainAnchor;
  /**
   * Check every record's signature instead of only the newest one. The hash chain covers each
   * signature, so the newest signature plus every hash already authenticates the run; this flag
   * additionally catches an origin that published malformed signatures of its own.
   */
  allSignatures?: boolean;
  verifyProof?: ProofCheck;
  signal?: AbortSignal;
}

/**
 * Verifies a run of records of ONE origin, in ascending contiguous seq order, that directly
 * extends `anchor`. Throws a LogError naming the first failing record.
 */
export async function verifyRun(records: readonly LogRecord[], opts: VerifyRunOptions = {}): Promise<void> {
  if (records.length === 0) return;
  const origin = records[0]?.origin;
  let prevSeq = opts.anchor?.seq ?? 0;
  let prevHash = opts.anchor?.hash ?? GENESIS_HASH;
  for (const r of records) {
    if (r.origin !== origin) {
      throw new LogError(ErrorCode.LogMalformed, 'a run mixes origins', { origin, seq: r.seq });
    }
    if (r.seq !== prevSeq + 1) {
      throw new LogError(ErrorCode.LogChainBroken, `expected seq ${prevSeq + 1}, got ${r.seq}`, {
        origin,
        seq: r.seq,
      });
    }
    if (r.prevHash !== prevHash) {
      throw new LogError(ErrorCode.LogChainBroken, `record ${r.seq} does not link to its predecessor`, {
        origin,
        seq: r.seq,
      });
    }
    if (!hashMatches(r)) {
      throw new LogError(ErrorCode.LogBadHash, `record ${r.seq} hash does not match its content`, {
        origin,
        seq: r.seq,
      });
    }
    prevSeq = r.seq;
    prevHash = r.hash;
  }
  const toSign = opts.allSignatures === true ? records : records.slice(-1);
  for (const r of toSign) {
    if (!(await signatureValid(r))) {
      throw new LogError(ErrorCode.LogBadSignature, `record ${r.seq} is not signed by its origin`, {
        origin,
        seq: r.seq,
      });
    }
  }
  for (const r of records) {
    if (r.proof === null) continue;
    checkProofRefShape(r);
    const ok = opts.verifyProof === undefined ? true : await opts.verifyProof(r, { signal: opts.signal });
    if (!ok) {
      throw new LogError(
        ErrorCode.LogProofUnverified,
        `record ${r.seq} references a proof that does not check`,
        {
          origin,
          seq: r.seq,
        },
      );
    }
  }
}
