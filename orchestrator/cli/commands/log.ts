/**
 * `shardmesh log verify|heads`: the verified-digest log. Reads a data directory directly
 * (read-only; works with the orchestrator stopped) or asks a running orchestrator's public
 * /v1/log endpoints. `verify` exits 1 when any origin's chain fails a check.
 */
import type { Command } from 'commander';
import { resolveOrchestratorConfig } from '../../config.ts';
import { openDatabase } from '../../db/index.ts';
import type { OriginHead } from '../../mesh/store.ts';
import { LogStore } from '../../mesh/store.ts';
import { type LogVerifyReport, verifyLog } from '../../mesh/verify-log.ts';
import { print, table } from '../output.ts';

interface LogOpts {
  dataDir?: string;
  db?: string;
  url?: string;
  origin?: string;
  json?: boolean;
}

const withSource = (cmd: Command): Command =>
  cmd
    .option('--data-dir <dir>', 'read the log from this data directory (env SHARDMESH_DATA_DIR)')
    .option('--db <path>', 'read the log from this database file')
    .option('--url <url>', 'ask a running orchestrator instead (e.g. http://127.0.0.1:8080)')
    .option('--json', 'machine-readable output');

async function fromDatabase<T>(opts: LogOpts, fn: (store: LogStore) => Promise<T> | T): Promise<T> {
  const config = resolveOrchestratorConfig({
    ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }),
    ...(opts.db === undefined ? {} : { dbPath: opts.db }),
  });
  const db = openDatabase(config.dbPath, { readonly: true });
  try {
    return await fn(new LogStore(db));
  } finally {
    db.close();
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function runLogVerify(opts: LogOpts): Promise<LogVerifyReport> {
  if (opts.url !== undefined) {
    const query = opts.origin === undefined ? '' : `?origin=${encodeURIComponent(opts.origin)}`;
    return getJson<LogVerifyReport>(`${opts.url.replace(/\/$/, '')}/v1/log/verify${query}`);
  }
  return fromDatabase(opts, (store) =>
    verifyLog(store, opts.origin === undefined ? {} : { origin: opts.origin }),
  );
}

export function registerLogCommands(program: Command): void {
  const log = program.command('log').description('the verified-digest log gossiped between orchestrators');

  withSource(log.command('verify').description('check every chain end to end: links, hashes, signatures'))
    .option('--origin <peerId>', 'only this origin')
    .action(async (opts: LogOpts) => {
      const report = await runLogVerify(opts);
      print(report, opts, () =>
        table(
          report.origins.map((o) => ({
            origin: o.origin,
            records: o.records,
            head: o.head?.seq ?? 0,
            result: o.ok ? 'ok' : `${o.error?.code ?? 'FAILED'} at seq ${o.error?.seq ?? '?'}`,
          })),
          ['origin', 'records', 'head', 'result'],
        ),
      );
      if (!report.ok) process.exitCode = 1;
    });

  withSource(log.command('heads').description('the newest record of every origin held')).action(
    async (opts: LogOpts) => {
      const heads =
        opts.url === undefined
          ? await fromDatabase(opts, (store) => store.heads())
          : (await getJson<{ heads: OriginHead[] }>(`${opts.url.replace(/\/$/, '')}/v1/log`)).heads;
      print(heads, opts, () =>
        table(
          heads.map((h) => ({ ...h })),
          ['origin', 'seq', 'hash'],
        ),
      );
    },
  );
}
