/**
 * The orchestrator's part in the mesh, started and stopped as one: its own digest log fed by the
 * engine's `task:done`, the replicator that gossips and mirrors every origin's chain, and the
 * Kad-DHT provider record through which headless workers find orchestrators.
 */
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import type { TaskEngine } from '../engine/index.ts';
import { DigestLog } from './digest-log.ts';
import { ORCHESTRATOR_CID } from './discovery.ts';
import { LogReplicator, type ReplicatorOptions } from './replicator.ts';
import { LogStore } from './store.ts';

export interface OrchestratorMeshOptions extends Omit<ReplicatorOptions, 'own'> {
  /** Re-announce the provider record this often (ms); the DHT also republishes on its own. */
  provideIntervalMs?: number;
}

export class OrchestratorMesh {
  readonly store: LogStore;
  readonly log: DigestLog;
  readonly replicator: LogReplicator;
  #detach: (() => void) | undefined;
  #provideTimer: ReturnType<typeof setInterval> | undefined;
  readonly #controller = new AbortController();

  constructor(
    private readonly node: Libp2p,
    private readonly engine: TaskEngine,
    key: PrivateKey,
    private readonly opts: OrchestratorMeshOptions = {},
  ) {
    this.store = new LogStore(engine.db);
    this.log = new DigestLog(this.store, key, node.peerId.toString());
    this.replicator = new LogReplicator(node, this.store, { ...opts, own: this.log });
  }

  async start(): Promise<void> {
    await this.replicator.start();
    // After the replicator subscribed to appends, so backfilled records are published too.
    this.#detach = this.log.attach(this.engine);
    const provide = (): void => {
      this.node.contentRouting
        .provide(ORCHESTRATOR_CID, { signal: this.#controller.signal })
        .catch((err: unknown) => {
          if (!this.#controller.signal.aborted) this.opts.log?.(`DHT provide failed: ${String(err)}`);
        });
    };
    if ((this.node.services as { dht?: unknown }).dht !== undefined) {
      provide();
      this.#provideTimer = setInterval(provide, this.opts.provideIntervalMs ?? 60_000);
    }
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    if (this.#provideTimer !== undefined) clearInterval(this.#provideTimer);
    this.#detach?.();
    await this.replicator.stop();
  }
}
