/** `shardmesh keys create|revoke|list`: API keys, managed directly on the orchestrator's database. */
import type { Command } from 'commander';
import { ApiKeyStore } from '../../auth/api-keys.ts';
import { resolveOrchestratorConfig } from '../../config.ts';
import { openDatabase } from '../../db/index.ts';
import { print, table, when } from '../output.ts';

interface DbOpts {
  dataDir?: string;
  db?: string;
  json?: boolean;
}

function withStore<T>(opts: DbOpts, fn: (store: ApiKeyStore) => T): T {
  const config = resolveOrchestratorConfig({
    ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }),
    ...(opts.db === undefined ? {} : { dbPath: opts.db }),
  });
  const db = openDatabase(config.dbPath);
  try {
    return fn(new ApiKeyStore(db));
  } finally {
    db.close();
  }
}

/** Creates a key in the database under `dataDir` (used by the demo as well). */
export const createApiKey = (dataDir: string, label: string) =>
  withStore({ dataDir }, (s) => s.create(label));

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('researcher API keys (run on the orchestrator machine)');
  const dbOptions = (cmd: Command) =>
    cmd
      .option('--data-dir <dir>', 'orchestrator data directory (env SHARDMESH_DATA_DIR)')
      .option('--db <path>', 'database file (env SHARDMESH_DB)')
      .option('--json', 'machine-readable output');

  dbOptions(
    keys
      .command('create')
      .description('create a key; its token is printed once')
      .argument('[label]', 'who it is for', ''),
  ).action((label: string, opts: DbOpts) => {
    const key = withStore(opts, (s) => s.create(label));
    print(key, opts, () => `created key ${key.id}\n${key.token}\n(store it now: only its hash is kept)`);
  });

  dbOptions(keys.command('revoke').description('revoke a key by id').argument('<id>')).action(
    (id: string, opts: DbOpts) => {
      withStore(opts, (s) => s.revoke(id));
      print({ revoked: id }, opts, () => `revoked key ${id}`);
    },
  );

  dbOptions(keys.command('list').description('list keys (never their tokens)')).action((opts: DbOpts) => {
    const list = withStore(opts, (s) => s.list());
    print(list, opts, () =>
      table(
        list.map((k) => ({
          id: k.id,
          label: k.label,
          created: when(k.createdAt),
          revoked: when(k.revokedAt),
          used: when(k.lastUsedAt),
        })),
        ['id', 'label', 'created', 'revoked', 'used'],
      ),
    );
  });
}
