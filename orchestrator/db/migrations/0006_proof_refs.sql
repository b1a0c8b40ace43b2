-- 0006: which proof was verified for which replica (orchestrator/mesh/proof-refs.ts), so the
-- digest log can reference the proofs behind an accepted digest and `log verify` can check the
-- references against the replay guard. The proof itself is not kept: only its fingerprint
-- (proofFingerprint, the replay guard's key).
CREATE TABLE proof_refs (
  replica_id TEXT PRIMARY KEY REFERENCES replicas (id) ON DELETE CASCADE,
  circuit TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 0),
  proof_hash TEXT NOT NULL CHECK (length(proof_hash) = 64),
  verified_at INTEGER NOT NULL
) WITHOUT ROWID;
