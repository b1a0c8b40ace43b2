/**
 * Replay guard: refuses a nonce or a proof seen before, over the proof_replay_guard table
 * (migration 0004). The engine's proof_nonces table records which nonce was issued to which
 * replica; this one records which were consumed by a verified proof.
 *
 * Nonces are the real guard: the nonce is a public signal, so a proof cannot be moved to another
 * nonce. The proof fingerprint only catches byte-identical resubmissions: Groth16 proofs can be
 * re-randomized by anyone into a different valid proof for the same signals (docs/proofs.md).
 */
import type { Database } from 'bun:sqlite';
import { ProofError } from '../../circuits/lib/errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';

export interface ReplayRecord {
  /** The nonce's field element (decimal), as in the proof's public signals. */
  nonce: string;
  /** sha256 fingerprint of the proof (proofFingerprint). */
  proofHash: string;
  workerId: string;
  circuit: string;
}

export interface ReplayGuardOptions {
  /** Clock for seen_at (ms since epoch). Default Date.now. */
  now?: () => number;
}

type Kind = 'nonce' | 'proof';

export class ProofReplayGuard {
  private readonly now: () => number;
  private readonly findStmt;
  private readonly insertStmt;
  private readonly consumeTx;
  private readonly consumeNoncesTx;

  constructor(
    private readonly db: Database,
    opts: ReplayGuardOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.findStmt = db.query<{ kind: Kind; worker_id: string }, [string, string]>(
      `SELECT kind, worker_id FROM proof_replay_guard
       WHERE (kind = 'nonce' AND value = ?1) OR (kind = 'proof' AND value = ?2)
       ORDER BY kind LIMIT 1`,
    );
    this.insertStmt = db.query<never, [Kind, string, string, string, number]>(
      'INSERT INTO proof_replay_guard (kind, value, worker_id, circuit, seen_at) VALUES (?, ?, ?, ?, ?)',
    );
    // Check and record in one transaction, so two concurrent submissions of one nonce cannot
    // both pass (bun:sqlite transactions are synchronous: nothing interleaves).
    this.consumeTx = db.transaction((r: ReplayRecord) => {
      this.throwIfSeen(r);
      const at = this.now();
      this.insertStmt.run('nonce', r.nonce, r.workerId, r.circuit, at);
      this.insertStmt.run('proof', r.proofHash, r.workerId, r.circuit, at);
    });
    this.consumeNoncesTx = db.transaction((nonces: readonly string[], workerId: string, circuit: string) => {
      this.throwIfAnySeen(nonces);
      const at = this.now();
      for (const nonce of nonces) this.insertStmt.run('nonce', nonce, workerId, circuit, at);
    });
  }

  /** Throws ProofError PROOF_REPLAYED (details.field 'nonce' or 'proof') if either was seen. */
  throwIfSeen(r: Pick<ReplayRecord, 'nonce' | 'proofHash'>): void {
    const seen = this.findStmt.get(r.nonce, r.proofHash);
    if (seen !== null) {
      throw new ProofError(ErrorCode.ProofReplayed, `${seen.kind} was already used`, {
        field: seen.kind,
        firstWorkerId: seen.worker_id,
      });
    }
  }

  /** Records a verified proof's nonce and fingerprint; throws PROOF_REPLAYED if either was seen. */
  consume(r: ReplayRecord): void {
    this.consumeTx(r);
  }

  /**
   * Batched proofs: the replica nonces behind one batch nonce (field elements, decimal). Checked
   * before the pairing (throwIfAnySeen) and recorded after it (consumeNonces, all or none), so a
   * lease proved once, alone or in any batch, is never accepted in another proof.
   */
  throwIfAnySeen(nonces: readonly string[]): void {
    for (const nonce of nonces) this.throwIfSeen({ nonce, proofHash: '' });
  }

  consumeNonces(nonces: readonly string[], workerId: string, circuit: string): void {
    this.consumeNoncesTx(nonces, workerId, circuit);
  }

  /** Forgets entries seen before `beforeMs`: only safe for nonces the engine no longer accepts. */
  prune(beforeMs: number): number {
    return this.db.run('DELETE FROM proof_replay_guard WHERE seen_at < ?', [beforeMs]).changes;
  }
}
