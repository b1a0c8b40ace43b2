/**
 * Verifying a replica's proof before its result may count toward quorum. The verifier (keys,
 * curve) loads on the first proof; the replay guard shares the engine's database, so a nonce or
 * proof accepted once is refused forever, across restarts.
 */
import type { Database } from 'bun:sqlite';
import type { Groth16Proof } from 'snarkjs';
import { resultDigestOf } from '../../circuits/lib/digest.ts';
import { ProofError } from '../../circuits/lib/errors.ts';
import { bytesToBigIntBE } from '../../circuits/lib/field.ts';
import { POSEIDON_CHAIN_OUTPUT_LEN } from '../../circuits/lib/poseidon-chain.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ResultHeader } from '../../protocol/messages.ts';
import type { ProofRequest } from '../engine/index.ts';
import { saveProofRef } from '../mesh/proof-refs.ts';
import type { Verifier } from '../proofs/index.ts';
import { type BatchCheckOptions, createBatchCheck } from './batch-check.ts';

export interface ProofToCheck {
  header: ResultHeader;
  output: Uint8Array;
  workerId: string;
  /** What the engine issued with this replica's lease. */
  request: ProofRequest & { taskId: string; seed: number };
}

export type ProofCheck = (p: ProofToCheck, opts?: { signal?: AbortSignal }) => Promise<void>;

/**
 * One verifier per engine database (its replay guard lives there), shared by the dispatcher's
 * proof check and the orchestrator's key-version admin: a version retired there is refused here.
 */
const verifiers = new WeakMap<Database, Promise<Verifier>>();

/** The verifier for `db`, created on first use; a failed load is forgotten so the next call retries. */
export function verifierFor(db: Database): Promise<Verifier> {
  let verifier = verifiers.get(db);
  if (verifier === undefined) {
    verifier = import('../proofs/index.ts').then(({ createVerifier, ProofReplayGuard }) =>
      createVerifier({ replayGuard: new ProofReplayGuard(db) }),
    );
    verifiers.set(db, verifier);
    verifier.catch(() => verifiers.delete(db));
  }
  return verifier;
}

/** Whether `verifierFor(db)` was called (reading the active versions need not load snarkjs). */
export function hasVerifier(db: Database): boolean {
  return verifiers.has(db);
}

export function createProofCheck(db: Database, opts: { batch?: BatchCheckOptions } = {}): ProofCheck {
  const load = () => verifierFor(db);
  const checkBatch = createBatchCheck(db, load, opts.batch);
  return async (p, opts = {}) => {
    const { header, output, workerId, request } = p;
    const sent = header.proof;
    if (sent === undefined) {
      throw new ProofError(ErrorCode.ProofInvalid, 'this job requires a proof with every result', {
        field: 'proof',
      });
    }
    if (sent.circuit !== request.circuit) {
      throw new ProofError(ErrorCode.ProofInvalid, `expected a ${request.circuit} proof`, { field: 'proof' });
    }
    if (request.circuit === 'result_batch') return checkBatch(p, opts);
    if (request.circuit === 'poseidon_chain') return checkChain(db, await load(), p, opts);
    if (
      sent.circuit !== request.circuit ||
      typeof sent.version !== 'number' ||
      !Array.isArray(sent.publicSignals)
    ) {
      throw new ProofError(ErrorCode.ProofInvalid, `expected a ${request.circuit} proof`, {
        field: 'proof',
      });
    }
    const verified = await (await load()).verify(
      {
        circuit: request.circuit,
        version: sent.version,
        proof: sent.proof as unknown as Groth16Proof,
        publicSignals: sent.publicSignals as string[],
        expected: {
          taskId: request.taskId,
          seed: request.seed,
          outputLen: output.length,
          resultDigest: await resultDigestOf(output),
          workerId,
          nonce: request.nonce,
        },
      },
      opts,
    );
    // Hook for the digest log (orchestrator/mesh/proof-refs.ts): which proof verified for this
    // replica, so the accepted task's log record can reference it.
    saveProofRef(db, header.replicaId, verified);
  };
}

/**
 * poseidon_chain: the circuit recomputes the chain, so the output itself (32 bytes, big-endian) is
 * the public `result`: a wrong chain result can have no valid proof (PROOF_MISMATCH, field
 * resultDigest, or PROOF_INVALID when the worker proved its wrong value).
 */
async function checkChain(
  db: Database,
  verifier: Verifier,
  p: ProofToCheck,
  opts: { signal?: AbortSignal },
): Promise<void> {
  const { header, output, workerId, request } = p;
  const sent = header.proof as NonNullable<ResultHeader['proof']>;
  if (output.length !== POSEIDON_CHAIN_OUTPUT_LEN) {
    throw new ProofError(ErrorCode.ProofMismatch, 'a poseidon-chain output is one 32-byte field element', {
      field: 'outputLen',
      workerId,
    });
  }
  if (typeof sent.version !== 'number' || !Array.isArray(sent.publicSignals)) {
    throw new ProofError(ErrorCode.ProofInvalid, 'expected a poseidon_chain proof', { field: 'proof' });
  }
  const verified = await verifier.verify(
    {
      circuit: 'poseidon_chain',
      version: sent.version,
      proof: sent.proof as unknown as Groth16Proof,
      publicSignals: sent.publicSignals as string[],
      expected: {
        taskId: request.taskId,
        seed: request.seed,
        resultDigest: bytesToBigIntBE(output),
        workerId,
        nonce: request.nonce,
      },
    },
    opts,
  );
  saveProofRef(db, header.replicaId, verified);
}
