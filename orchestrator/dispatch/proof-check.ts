/**
 * Verifying a replica's proof before its result may count toward quorum. The verifier (keys,
 * curve) loads on the first proof; the replay guard shares the engine's database, so a nonce or
 * proof accepted once is refused forever, across restarts.
 */
import type { Database } from 'bun:sqlite';
import type { Groth16Proof } from 'snarkjs';
import { resultDigestOf } from '../../circuits/lib/digest.ts';
import { ProofError } from '../../circuits/lib/errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ResultHeader } from '../../protocol/messages.ts';
import type { ProofRequest } from '../engine/index.ts';
import type { Verifier } from '../proofs/index.ts';

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

export function createProofCheck(db: Database): ProofCheck {
  const load = () => verifierFor(db);
  return async ({ header, output, workerId, request }, opts = {}) => {
    const sent = header.proof;
    if (sent === undefined) {
      throw new ProofError(ErrorCode.ProofInvalid, 'this job requires a proof with every result', {
        field: 'proof',
      });
    }
    if (
      sent.circuit !== request.circuit ||
      typeof sent.version !== 'number' ||
      !Array.isArray(sent.publicSignals)
    ) {
      throw new ProofError(ErrorCode.ProofInvalid, `expected a ${request.circuit} proof`, {
        field: 'proof',
      });
    }
    await (await load()).verify(
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
  };
}
