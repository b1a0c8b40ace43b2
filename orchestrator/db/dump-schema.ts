/**
 * Regenerate orchestrator/db/schema.sql from a freshly migrated in-memory database:
 *   bun orchestrator/db/dump-schema.ts          (write the file)
 *   bun orchestrator/db/dump-schema.ts --check  (exit 1 if the committed dump is stale)
 */
import { openDatabase } from './open.ts';
import { dumpSchema } from './schema.ts';

export const SCHEMA_DUMP_PATH = new URL('./schema.sql', import.meta.url).pathname;

export function freshSchemaDump(): string {
  const db = openDatabase(':memory:');
  try {
    return dumpSchema(db);
  } finally {
    db.close();
  }
}

if (import.meta.main) {
  const dump = freshSchemaDump();
  if (process.argv.includes('--check')) {
    const committed = await Bun.file(SCHEMA_DUMP_PATH).text();
    if (committed !== dump) {
      console.error('orchestrator/db/schema.sql is stale: run `bun orchestrator/db/dump-schema.ts`');
      process.exit(1);
    }
  } else {
    await Bun.write(SCHEMA_DUMP_PATH, dump);
    console.log(`wrote ${SCHEMA_DUMP_PATH}`);
  }
}
