import { Database } from 'bun:sqlite';
import { assertSchemaNotNewer, migrate } from './migrate.ts';

export interface OpenDatabaseOptions {
  /** Open without write access: no migrations, but a too-new schema is still refused. */
  readonly?: boolean;
}

/**
 * Open (and migrate) the orchestrator's database. WAL with synchronous=NORMAL keeps every
 * committed transaction across a process crash (kill -9) at ~50x the write rate of FULL; only an
 * OS crash or power loss can drop the last transactions. The database is opened in bun:sqlite's
 * strict mode: named parameters bind without their `$` prefix and a missing one throws.
 */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): Database {
  const readonly = opts.readonly === true;
  const db = readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { strict: true });
  try {
    db.run('PRAGMA busy_timeout = 5000');
    db.run('PRAGMA foreign_keys = ON');
    if (readonly) {
      assertSchemaNotNewer(db);
      return db;
    }
    db.run('PRAGMA journal_mode = WAL');
    db.run('PRAGMA synchronous = NORMAL');
    // Savepoint and statement journals in memory, not in a temp file: every engine call of a
    // group commit runs in its own savepoint, and once that journal passed 64 KiB SQLite spilled
    // it to disk, ~30 pwrite calls per task (issue 3, measured with strace). These journals only
    // undo a statement or savepoint inside an open transaction; crash safety is the WAL's.
    db.run('PRAGMA temp_store = MEMORY');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
