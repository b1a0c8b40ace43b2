/**
 * The orchestrator process: SQLite engine + libp2p node + dispatcher + HTTP API, started and
 * stopped as one. All state lives in the database, so a restart on the same data directory
 * resumes every job where it was.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import type { Server } from 'bun';
import { ApiKeyStore } from './auth/api-keys.ts';
import { type OrchestratorConfig, resolveOrchestratorConfig } from './config.ts';
import { openDatabase } from './db/index.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { TaskEngine } from './engine/index.ts';
import { createApi } from './http/app.ts';
import { createNode } from './p2p/create-node.ts';
import { loadOrCreateNodeKey } from './p2p/node-key.ts';

export interface OrchestratorOptions extends Partial<OrchestratorConfig> {
  log?: (line: string) => void;
}

export class Orchestrator {
  readonly config: OrchestratorConfig;
  private readonly log: (line: string) => void;
  private db: ReturnType<typeof openDatabase> | undefined;
  private node: Libp2p | undefined;
  private dispatcher: Dispatcher | undefined;
  private server: Server<undefined> | undefined;
  engine: TaskEngine | undefined;

  constructor(opts: OrchestratorOptions = {}) {
    this.config = resolveOrchestratorConfig(opts);
    this.log = opts.log ?? (() => {});
  }

  /** Multiaddrs workers dial, each ending in /p2p/<peer id>. */
  get multiaddrs(): string[] {
    return this.node?.getMultiaddrs().map((ma) => ma.toString()) ?? [];
  }

  get httpUrl(): string {
    if (this.server === undefined) throw new Error('orchestrator not started');
    return `http://${this.config.httpHost}:${this.server.port}`;
  }

  async start(): Promise<void> {
    const { config } = this;
    mkdirSync(config.dataDir, { recursive: true });
    this.db = openDatabase(config.dbPath);
    const engine = new TaskEngine(this.db, { leaseMs: config.leaseMs });
    this.engine = engine;
    this.node = await createNode({
      listen: config.p2pListen,
      privateKey: await loadOrCreateNodeKey(join(config.dataDir, 'node.key')),
    });
    const dispatcher = new Dispatcher({ config, engine, node: this.node, log: this.log });
    this.dispatcher = dispatcher;
    await dispatcher.start();
    const app = createApi({
      config,
      engine,
      keys: new ApiKeyStore(this.db),
      onWorkAdded: () => dispatcher.kick(),
      workerCount: () => dispatcher.workerCount,
      log: this.log,
    });
    this.server = Bun.serve({
      hostname: config.httpHost,
      port: config.httpPort,
      fetch: app.fetch,
      maxRequestBodySize: config.maxBodyBytes + 1024,
    });
    this.log(
      `orchestrator ${this.node.peerId} listening on ${this.multiaddrs.join(', ')}, API ${this.httpUrl}`,
    );
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
    await this.dispatcher?.stop();
    await this.node?.stop();
    this.db?.close();
  }
}
