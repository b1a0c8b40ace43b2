export { assertSchemaNotNewer, migrate, SCHEMA_VERSION, schemaVersion } from './migrate.ts';
export type { Migration } from './migrations/index.ts';
export { MIGRATIONS } from './migrations/index.ts';
export { type OpenDatabaseOptions, openDatabase } from './open.ts';
export { dumpSchema, normalizeSql } from './schema.ts';
