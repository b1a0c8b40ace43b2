-- 0004: proofs. A job may require a Groth16 proof with every result (proof_circuit); the replay
-- guard remembers every accepted nonce and proof fingerprint; workers carry a bad-proof count.
ALTER TABLE jobs ADD COLUMN proof_circuit TEXT CHECK (proof_circuit IS NULL OR proof_circuit = 'result_binding');
ALTER TABLE workers ADD COLUMN bad_proofs INTEGER NOT NULL DEFAULT 0 CHECK (bad_proofs >= 0);
CREATE TABLE proof_replay_guard (
  kind TEXT NOT NULL CHECK (kind IN ('nonce', 'proof')),
  value TEXT NOT NULL,
  worker_id TEXT NOT NULL,
  circuit TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;
