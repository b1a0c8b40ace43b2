import type { Database } from 'bun:sqlite';
import { EngineError, ErrorCode } from '../../protocol/errors.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

/** The newest schema version this code knows. */
export const SCHEMA_VERSION: number = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/** The version recorded in the database (0 for a fresh one, or one without the table). */
export function schemaVersion(db: Database): number {
  const table = db
    .query<{ n: number }, []>(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
    )
    .get();
  if (table === null || table.n === 0) return 0;
  const row = db.query<{ v: number | null }, []>('SELECT max(version) AS v FROM schema_migrations').get();
  return row?.v ?? 0;
}

/** Refuse a database written by newer code: running old code on it could corrupt it. */
export function assertSchemaNotNewer(db: Database, known: number = SCHEMA_VERSION): number {
  const version = schemaVersion(db);
  if (version > known) {
    throw new EngineError(
      ErrorCode.SchemaTooNew,
      `database schema version ${version} is newer than this code knows (${known})`,
      { dbVersion: version, codeVersion: known },
    );
  }
  return version;
}

/**
 * Apply every migration newer than the database, each in its own IMMEDIATE transaction (so two
 * processes opening one file at once cannot both apply it: the second re-reads the version under
 * the write lock and skips). Returns the versions applied.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): number[] {
  db.run(CREATE_TABLE);
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  assertSchemaNotNewer(db, known);
  const applied: number[] = [];
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of ordered) {
    const step = db.transaction(() => {
      if (schemaVersion(db) >= m.version) return false;
      db.run(m.sql);
      db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)').run(
        m.version,
        m.name,
        now(),
      );
      return true;
    });
    if (step.immediate()) applied.push(m.version);
  }
  return applied;
}
