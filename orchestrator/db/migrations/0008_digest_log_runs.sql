-- 0008 (issue 6): other origins' records as the batches they were gossiped in. A receiver stored
-- every record of a 50-record batch as its own digest_log row: ~22 WAL pages written per batch,
-- the largest cost of the log at a receiver after libp2p. One row per batch holding the batch as
-- received (orchestrator/mesh/batch.ts format, deflated: ~220 B per record) writes ~4. Records
-- are checked exactly as before they are stored, and read back through LogStore, which merges
-- both tables; an origin's own chain and records that arrive any other way stay in digest_log.
-- Per origin the two tables hold disjoint seqs. Rows are only ever appended.
CREATE TABLE digest_log_runs (
  origin TEXT NOT NULL CHECK (length(origin) BETWEEN 1 AND 128),
  first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
  last_seq INTEGER NOT NULL CHECK (last_seq >= first_seq),
  last_hash TEXT NOT NULL CHECK (length(last_hash) = 64),
  batch BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (origin, last_seq)
);
