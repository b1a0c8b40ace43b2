-- 0005: jobs may also require poseidon_chain (the computation proof) or result_batch (one proof
-- per batch of replicas). SQLite cannot change a CHECK in place: swap in a new column.
ALTER TABLE jobs ADD COLUMN proof_circuit_next TEXT CHECK (
  proof_circuit_next IS NULL OR proof_circuit_next IN ('result_binding', 'poseidon_chain', 'result_batch')
);
UPDATE jobs SET proof_circuit_next = proof_circuit;
ALTER TABLE jobs DROP COLUMN proof_circuit;
ALTER TABLE jobs RENAME COLUMN proof_circuit_next TO proof_circuit;
