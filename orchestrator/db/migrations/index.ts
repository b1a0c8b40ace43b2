/**
 * The ordered list of migrations. Forward-only: append `NNNN_name.sql` here and never edit or
 * remove a released one. The SQL is imported as text so the list also works in a bundled build;
 * a test checks that this list and the files in this folder agree.
 */
import m0001 from './0001_init.sql' with { type: 'text' };
import m0002 from './0002_api_keys.sql' with { type: 'text' };
import m0003 from './0003_digest_log.sql' with { type: 'text' };
import m0004 from './0004_proofs.sql' with { type: 'text' };
// 0005 (issue 5): proof_circuit may also be poseidon_chain or result_batch.
import m0005 from './0005_proof_circuits.sql' with { type: 'text' };
// 0006 (issue 6): which proof verified for which replica (digest-log proof references).
import m0006 from './0006_proof_refs.sql' with { type: 'text' };
// 0007 (issue 3): replicas_task without state in the key (a state change no longer rewrites it).
import m0007 from './0007_replica_index.sql' with { type: 'text' };
// 0008 (issue 6): other origins' log records stored as the batches they were gossiped in.
import m0008 from './0008_digest_log_runs.sql' with { type: 'text' };

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '0001_init', sql: m0001 },
  { version: 2, name: '0002_api_keys', sql: m0002 },
  { version: 3, name: '0003_digest_log', sql: m0003 },
  { version: 4, name: '0004_proofs', sql: m0004 },
  { version: 5, name: '0005_proof_circuits', sql: m0005 },
  { version: 6, name: '0006_proof_refs', sql: m0006 },
  { version: 7, name: '0007_replica_index', sql: m0007 },
  { version: 8, name: '0008_digest_log_runs', sql: m0008 },
];
