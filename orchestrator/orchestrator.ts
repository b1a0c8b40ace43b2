/**
 * The orchestrator process: SQLite engine + libp2p node + dispatcher + HTTP API, started and
 * stopped as one. All state lives in the database, so a restart on the same data directory
 * resumes every job where it was.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { Server } from 'bun';
import { readManifest } from '../circuits/lib/manifest-fs.ts';
import { ApiKeyStore } from './auth/api-keys.ts';
import { type OrchestratorConfig, resolveOrchestratorConfig } from './config.ts';
import { openDatabase } from './db/index.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { hasVerifier, verifierFor } from './dispatch/proof-check.ts';
import { TaskEngine } from './engine/index.ts';
import { EngineThread } from './engine-thread/client.ts';
import { createApi } from './http/app.ts';
import { OrchestratorMesh, type OrchestratorMeshOptions } from './mesh/orchestrator-mesh.ts';
import type { MeshNodeOptions } from './mesh/services.ts';
import { createNode } from './p2p/create-node.ts';
import { loadOrCreateNodeKey } from './p2p/node-key.ts';
import { relayedWebRtcAddrs } from './p2p/relay-peers.ts';
import { ArtifactServer } from './proofs/artifact-server.ts';
import { KeyVersions } from './proofs/key-versions.ts';

export interface OrchestratorOptions extends Partial<OrchestratorConfig> {
  log?: (line: string) => void;
  /** The libp2p mesh (digest log gossip, DHT, mDNS, relay); `false` runs a standalone node. */
  mesh?: false | { node?: MeshNodeOptions; log?: OrchestratorMeshOptions };
}

export class Orchestrator {
  readonly config: OrchestratorConfig;
  private readonly log: (line: string) => void;
  private db: ReturnType<typeof openDatabase> | undefined;
  private node: Libp2p | undefined;
  private dispatcher: Dispatcher | undefined;
  private server: Server<undefined> | undefined;
  private artifacts: ArtifactServer | undefined;
  /** Verification-key versions, added and retired while running (shared with the proof check). */
  keyVersions: KeyVersions | undefined;
  private readonly meshOpts: OrchestratorOptions['mesh'];
  mesh: OrchestratorMesh | undefined;
  engine: TaskEngine | undefined;

  constructor(opts: OrchestratorOptions = {}) {
    this.config = resolveOrchestratorConfig(opts);
    this.log = opts.log ?? (() => {});
    this.meshOpts = opts.mesh;
  }

  /** Multiaddrs workers dial, each ending in /p2p/<peer id>. */
  get multiaddrs(): string[] {
    return this.node?.getMultiaddrs().map((ma) => ma.toString()) ?? [];
  }

  /** Workers with an open task session now (as `GET /v1/workers` reports them). */
  get connectedWorkers(): number {
    return this.dispatcher?.workerCount ?? 0;
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
    const privateKey = await loadOrCreateNodeKey(join(config.dataDir, 'node.key'));
    const meshOpts = this.meshOpts === false ? undefined : (this.meshOpts ?? {});
    const mesh = meshOpts === undefined ? undefined : { mdns: config.mdns, ...meshOpts.node };
    this.node = await createNode({ listen: config.p2pListen, privateKey, mesh });
    if (meshOpts !== undefined) {
      this.mesh = new OrchestratorMesh(this.node, engine, privateKey, { log: this.log, ...meshOpts.log });
      await this.mesh.start();
    }
    for (const peer of config.p2pBootstrap) {
      this.node
        .dial(multiaddr(peer))
        .catch((err: unknown) => this.log(`bootstrap dial ${peer} failed: ${String(err)}`));
    }
    const db = this.db;
    const keyVersions = new KeyVersions({
      baseManifest: (o) => readManifest(undefined, o),
      verifier: () => verifierFor(db),
      verifierLoaded: () => hasVerifier(db),
    });
    this.keyVersions = keyVersions;
    this.artifacts = new ArtifactServer(this.node, {
      manifest: (o) => keyVersions.activeManifest(o),
      log: this.log,
    });
    await this.artifacts.start();
    // Leases of a previous run (a crash, kill -9) cannot complete: give them back before workers connect.
    const released = engine.releaseOrphanedLeases();
    if (released > 0) this.log(`released ${released} lease(s) held when the previous run stopped`);
    // A second connection cannot open an in-memory database: the engine thread needs a file.
    const threaded = config.engineThread && config.dbPath !== ':memory:';
    const lane = threaded ? await this.startEngineThread(engine, privateKey) : undefined;
    const dispatcher = new Dispatcher({ config, engine, node: this.node, log: this.log, lane });
    this.dispatcher = dispatcher;
    await dispatcher.start();
    const app = createApi({
      config,
      engine,
      keys: new ApiKeyStore(this.db),
      onWorkAdded: () => dispatcher.kick(),
      workerCount: () => dispatcher.workerCount,
      multiaddrs: () => this.multiaddrs,
      browserPeers: () => (this.node === undefined ? [] : relayedWebRtcAddrs(this.node)),
      log: this.log,
      keyVersions,
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

  /** The engine thread, which runs group commits and appends this orchestrator's digest log. */
  private startEngineThread(engine: TaskEngine, key: PrivateKey): Promise<EngineThread> {
    const { mesh } = this;
    return EngineThread.start({
      engine,
      dbPath: this.config.dbPath,
      leaseMs: this.config.leaseMs,
      onLog: this.log,
      ...(mesh === undefined
        ? {}
        : {
            log: {
              origin: mesh.log.origin,
              keyProtobuf: privateKeyToProtobuf(key),
              onRecords: (records) => mesh.log.adopt(records),
            },
          }),
    });
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
    await this.dispatcher?.stop();
    await this.artifacts?.stop();
    await this.mesh?.stop();
    await this.node?.stop();
    this.db?.close();
  }
}
