import { Database } from 'bun:sqlite';
import { afterEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_DUMP_PATH } from '../../orchestrator/db/dump-schema.ts';
import {
  dumpSchema,
  MIGRATIONS,
  type Migration,
  migrate,
  openDatabase,
  SCHEMA_VERSION,
  schemaVersion,
} from '../../orchestrator/db/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { expectCode } from './helpers.ts';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shardmesh-db-'));
  dirs.push(dir);
  return join(dir, 'engine.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('migrations', () => {
  test('a fresh database is migrated to the newest version, one row per migration', () => {
    const db = openDatabase(':memory:');
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    const rows = db
      .query<{ version: number; name: string }, []>('SELECT version, name FROM schema_migrations')
      .all();
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
  });

  test('the migration list matches the numbered files, contiguous from 1', () => {
    const dir = new URL('../../orchestrator/db/migrations/', import.meta.url).pathname;
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(files.map((f) => f.replace(/\.sql$/, ''))).toEqual(MIGRATIONS.map((m) => m.name));
    MIGRATIONS.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.name.startsWith(String(m.version).padStart(4, '0'))).toBe(true);
    });
  });

  test('the committed schema dump equals the schema of a freshly migrated database', async () => {
    const db = openDatabase(':memory:');
    expect(dumpSchema(db)).toBe(await Bun.file(SCHEMA_DUMP_PATH).text());
  });

  test('a file database gets WAL, synchronous=NORMAL, foreign keys, a busy timeout and in-memory journals for savepoints', () => {
    const path = tempFile();
    const db = openDatabase(path);
    expect(db.query<{ journal_mode: string }, []>('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    expect(db.query<{ synchronous: number }, []>('PRAGMA synchronous').get()?.synchronous).toBe(1);
    expect(db.query<{ foreign_keys: number }, []>('PRAGMA foreign_keys').get()?.foreign_keys).toBe(1);
    expect(db.query<{ timeout: number }, []>('PRAGMA busy_timeout').get()?.timeout).toBe(5000);
    expect(db.query<{ temp_store: number }, []>('PRAGMA temp_store').get()?.temp_store).toBe(2);
    db.close();
    const again = openDatabase(path);
    expect(schemaVersion(again)).toBe(SCHEMA_VERSION);
    again.close();
  });

  test('a database newer than the code is refused with SCHEMA_TOO_NEW, also read-only', () => {
    const path = tempFile();
    const db = openDatabase(path);
    db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)').run(
      SCHEMA_VERSION + 1,
      'from_the_future',
      0,
    );
    db.close();
    expectCode(() => openDatabase(path), ErrorCode.SchemaTooNew);
    expectCode(() => openDatabase(path, { readonly: true }), ErrorCode.SchemaTooNew);
  });

  test('each migration runs in its own transaction: a failing one leaves the previous version intact', () => {
    const db = new Database(':memory:', { strict: true });
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        name: 'broken',
        sql: 'CREATE TABLE half_done (x INTEGER); SELECT * FROM nowhere;',
      },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    const half = db
      .query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'")
      .get();
    expect(half?.n).toBe(0);
  });

  test('a read-only database can be read but not written', () => {
    const path = tempFile();
    openDatabase(path).close();
    const ro = openDatabase(path, { readonly: true });
    expect(schemaVersion(ro)).toBe(SCHEMA_VERSION);
    expect(() => ro.run("INSERT INTO workers (id, first_seen, last_seen) VALUES ('w', 0, 0)")).toThrow();
    ro.close();
  });
});
