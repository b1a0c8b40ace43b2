/**
 * The ordered list of migrations. Forward-only: append `NNNN_name.sql` here and never edit or
 * remove a released one. The SQL is imported as text so the list also works in a bundled build;
 * a test checks that this list and the files in this folder agree.
 */
import m0001 from './0001_init.sql' with { type: 'text' };
import m0002 from './0002_api_keys.sql' with { type: 'text' };
import m0003 from './0003_digest_log.sql' with { type: 'text' };
import m0004 from './0004_proofs.sql' with { type: 'text' };

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
];
