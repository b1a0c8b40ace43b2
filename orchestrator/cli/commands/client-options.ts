/** Options every API command shares: where the orchestrator is, the key, output format. */
import type { Command } from 'commander';
import { ApiClient } from '../api-client.ts';

export interface ClientOpts {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

export const withClientOptions = (cmd: Command): Command =>
  cmd
    .option(
      '--url <url>',
      'orchestrator API (env SHARDMESH_URL)',
      process.env.SHARDMESH_URL ?? 'http://127.0.0.1:8080',
    )
    .option('--api-key <key>', 'researcher API key (env SHARDMESH_API_KEY)', process.env.SHARDMESH_API_KEY)
    .option('--json', 'machine-readable output');

export const clientFrom = (opts: ClientOpts): ApiClient =>
  new ApiClient((opts.url ?? 'http://127.0.0.1:8080').replace(/\/$/, ''), opts.apiKey);
