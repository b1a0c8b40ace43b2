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
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
