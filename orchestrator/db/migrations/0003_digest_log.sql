-- 0003: the verified-digest log (orchestrator/mesh/). One hash chain per origin orchestrator
-- (its libp2p peer id); this orchestrator's own chain and every peer's copy live side by side.
-- Rows are only ever appended: a record is stored once its hash, signature and link to the
-- previous row of the same origin have been checked.
CREATE TABLE digest_log (
  origin TEXT NOT NULL CHECK (length(origin) BETWEEN 1 AND 128),
  seq INTEGER NOT NULL CHECK (seq >= 1),
  job_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  kind TEXT NOT NULL,
  digest TEXT NOT NULL,
  workers TEXT NOT NULL CHECK (json_valid(workers)),
  proof_ref TEXT,
  accepted_at INTEGER NOT NULL,
  prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash TEXT NOT NULL CHECK (length(hash) = 64),
  signature TEXT NOT NULL CHECK (length(signature) = 128),
  received_at INTEGER NOT NULL,
  PRIMARY KEY (origin, seq)
) WITHOUT ROWID;

-- A task is logged at most once per origin (a replayed task:done cannot fork the chain).
CREATE UNIQUE INDEX digest_log_task ON digest_log (origin, task_id);
