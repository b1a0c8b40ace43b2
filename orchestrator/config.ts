/**
 * Every default and every environment variable of Shardmesh, in one place. Components take an
 * options object whose fields are all optional; `resolve*Config` fills in the rest from here.
 */
import { join } from 'node:path';

export interface OrchestratorConfig {
  /** Directory for the database and the node key. */
  dataDir: string;
  /** SQLite file; `:memory:` for throwaway runs. */
  dbPath: string;
  httpHost: string;
  /** 0 picks a free port. */
  httpPort: number;
  /** libp2p listen multiaddrs for workers. */
  p2pListen: string[];
  /** Peers (other orchestrators) to dial on start, as multiaddrs with /p2p/<id>. */
  p2pBootstrap: string[];
  /** Find other orchestrators on the LAN by mDNS (multicast; off by default). */
  mdns: boolean;
  /** How long a worker holds a replica without a heartbeat before it is reissued. */
  leaseMs: number;
  /** How often workers must heartbeat (a fraction of leaseMs). */
  heartbeatMs: number;
  /** How often the reaper expires stale leases. */
  reapIntervalMs: number;
  /** How often the dispatcher re-offers work (retries become due, leases reissued). */
  dispatchIntervalMs: number;
  /** Largest task payload accepted, in bytes. */
  maxPayloadBytes: number;
  /** Largest HTTP request body, in bytes. */
  maxBodyBytes: number;
  /** Most tasks in one job submission. */
  maxTasksPerJob: number;
  /** Grace period for in-flight work on stop(). */
  shutdownGraceMs: number;
  /** Researcher API requests per second per key (sustained) and in one burst. */
  rateLimitPerSec: number;
  rateLimitBurst: number;
  /** Browser workers stage payloads at least this large in OPFS instead of a SharedArrayBuffer. */
  opfsThresholdBytes: number;
  /**
   * Least time between two SSE `progress` events of one job (0: one per task change). A progress
   * bar needs no more; one event per task cost the orchestrator a job read and a network write
   * per task (bench/dispatch.bench.ts, session 7).
   */
  sseProgressMs: number;
  /**
   * Run the dispatcher's group commits (and the digest log's appends) on an engine thread with its
   * own SQLite connection, so the main thread keeps the network (SHARDMESH_ENGINE_THREAD=1; ignored
   * for an in-memory database, which a second connection cannot open). Off by default: it moves
   * ~190 us per task off the main thread but costs ~50 us more CPU per task (the ops, leases,
   * events and log records cross by postMessage) and a longer path per task, and on the two-core
   * dispatch bench, workers beside it, it was 10-15% slower (docs/architecture.md, session 8). It
   * is for a host whose orchestrator has cores to spare, where the main thread is the bound.
   */
  engineThread: boolean;
}

export interface WorkerConfig {
  /** Multiaddrs (with /p2p/<id>) of the orchestrators to serve; sessions share the slots. */
  orchestrators: string[];
  /** Find orchestrators through Kad-DHT provider records (needs `bootstrap`) and serve them too. */
  discover: boolean;
  /** Mesh peers (multiaddrs with /p2p/<id>) the DHT search starts from. */
  bootstrap: string[];
  /** How often discovery looks again for orchestrators not yet served (0: only at start). */
  discoverIntervalMs: number;
  /** How long one discovery search may take. */
  discoverTimeoutMs: number;
  /**
   * Local proving keys, for `proverArtifacts: 'local'` (SHARDMESH_ARTIFACTS_DIR); undefined = the
   * committed development artifacts (circuits/artifacts). By default keys come from the orchestrator.
   */
  artifactsDir: string | undefined;
  /** Tasks computed at once. */
  concurrency: number;
  /**
   * Leases held ready per slot beyond the ones computing (default 1, as Celery's prefetch
   * multiplier): quick tasks then arrive in larger frames with no round trip between them
   * (dispatch bench, issue 3). 0 for long tasks, so idle workers can take what this one holds.
   */
  prefetchPerSlot: number;
  /** Per-task time limit. */
  taskTimeoutMs: number;
  /** Prefer the WASM preprocessor (falls back to JS when WASM is unavailable). */
  preprocessor: 'wasm' | 'js';
  /** Delay before redialling a lost orchestrator, doubled up to reconnectMaxMs. */
  reconnectMs: number;
  reconnectMaxMs: number;
}

export const TASK_PROTOCOL = '/shardmesh/task/1.0.0';

/**
 * Task engine defaults (per-job settings a submission may override, and engine limits).
 *
 * - redundancy R = 2, quorum Q = 2: every task is computed by two distinct workers and closes
 *   when both agree; a single wrong worker can never get a result accepted.
 * - maxReplicas = R + 2: a disagreement leases one more replica at a time (as BOINC's validator
 *   does), at most two extra per round, before the task is dead-lettered as `no_quorum`.
 * - maxAttempts = 5: lost replicas (worker-reported failures and expired leases) per round before
 *   the task is dead-lettered as `max_attempts`.
 * - leaseMs = 30 s: a worker that vanished holds a replica at most this long (heartbeats extend it).
 * - backoff after a worker-reported failure: full jitter, uniform in [0, min(cap, base * factor^(n-1)))
 *   for the n-th loss, base 1 s, factor 2, cap 5 min. Expired leases are reissued at once.
 */
export const ENGINE_DEFAULTS = {
  redundancy: 2,
  quorum: 2,
  extraReplicas: 2,
  maxAttempts: 5,
  priority: 0,
  leaseMs: 30_000,
  backoff: { baseMs: 1_000, factor: 2, capMs: 300_000 },
  /** Most replicas one `lease` call hands out (bounds the transaction). */
  maxLeaseBatch: 256,
  /** Most expired replicas one `reap` call processes (bounds the transaction). */
  reapBatch: 1_000,
  /** Check that a submitted digest is the lowercase hex SHA-256 of the submitted output. */
  checkDigest: true,
} as const;

/**
 * Mesh (digest log gossip) tuning defaults, used by orchestrator/mesh/replicator.ts and
 * services.ts; bench/mesh-processes.bench.ts measures them (docs/mesh.md, "Performance").
 *
 * - batchMs: longest a record waits for its batch. Every record's latency includes up to this,
 *   so it bounds the p99 from below; smaller means more, smaller GossipSub messages.
 * - maxBatch: records per published batch (a full batch leaves at once).
 * - publishGapMs: pause between consecutive publishes of one origin (GossipSub has no
 *   backpressure).
 * - syncIntervalMs: anti-entropy period (one random peer's heads).
 * - signaturePolicy / meshDegree: GossipSub's message signing and D (its own defaults: StrictSign,
 *   D=6). Peers with different signature policies refuse each other's messages: changing it is a
 *   mesh-wide, versioned change (bump LOG_TOPIC).
 */
export const MESH_DEFAULTS = {
  /**
   * Log topic version 2 (compressed batches) made this a versioned change: records are signed by
   * their origin and checked by the validators, so GossipSub's envelope signature only added one
   * sign and one verify per message; D=3 cuts duplicate deliveries (~p99 195 ms vs 1,081 ms at
   * D=6 signed, bench/mesh-processes.bench.ts, session 1). Anti-entropy covers what a thin mesh misses.
   */
  signaturePolicy: 'StrictNoSign',
  meshDegree: 3,
  /** GossipSub v1.2 IDONTWANT off: it cost more than it saved here (services.ts, session 3). */
  idontwant: false,
  batchMs: 50,
  maxBatch: 64,
  publishGapMs: 5,
  syncIntervalMs: 5_000,
  syncPageSize: 500,
  syncTimeoutMs: 5_000,
} as const;

/**
 * Settings of Bun's allocator (its mimalloc fork) for the long-running processes (`shardmesh
 * orchestrator`, `shardmesh worker`; orchestrator/cli/allocator.ts applies them). mimalloc reads
 * them from the environment once, at process start; a value the operator set wins.
 *
 * MIMALLOC_PURGE_DELAY=-1: never hand freed pages back to the OS. With any positive delay (its
 * default is 10 ms) Bun runs an `mi-scavenger` thread that sweeps a thread's heap every time its
 * event loop goes idle and purges pages that are then faulted in again. A peer of the ten-process
 * log bench went idle hundreds of times a second: the scavenger took ~13% of all CPU and the page
 * faults more on the main thread (docs/mesh.md, session 6). The cost: a process keeps its peak
 * resident size instead of shrinking after a burst.
 */
export const ALLOCATOR_ENV: Readonly<Record<string, string>> = { MIMALLOC_PURGE_DELAY: '-1' };

const env = (name: string): string | undefined => {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
};

const envInt = (name: string, fallback: number): number => {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${raw} is not a non-negative integer`);
  return value;
};

export function resolveOrchestratorConfig(opts: Partial<OrchestratorConfig> = {}): OrchestratorConfig {
  const dataDir = opts.dataDir ?? env('SHARDMESH_DATA_DIR') ?? '.data';
  const leaseMs = opts.leaseMs ?? envInt('SHARDMESH_LEASE_MS', ENGINE_DEFAULTS.leaseMs);
  return {
    dataDir,
    dbPath: opts.dbPath ?? env('SHARDMESH_DB') ?? join(dataDir, 'shardmesh.db'),
    httpHost: opts.httpHost ?? env('SHARDMESH_HTTP_HOST') ?? '127.0.0.1',
    httpPort: opts.httpPort ?? envInt('SHARDMESH_HTTP_PORT', 8080),
    p2pListen:
      opts.p2pListen ??
      (env('SHARDMESH_P2P_LISTEN')?.split(',') || ['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002/ws']),
    p2pBootstrap: opts.p2pBootstrap ?? env('SHARDMESH_BOOTSTRAP')?.split(',') ?? [],
    mdns: opts.mdns ?? env('SHARDMESH_MDNS') === '1',
    leaseMs,
    heartbeatMs: opts.heartbeatMs ?? Math.max(100, Math.floor(leaseMs / 4)),
    reapIntervalMs: opts.reapIntervalMs ?? Math.max(50, Math.floor(leaseMs / 10)),
    dispatchIntervalMs: opts.dispatchIntervalMs ?? 200,
    maxPayloadBytes: opts.maxPayloadBytes ?? envInt('SHARDMESH_MAX_PAYLOAD_BYTES', 16 * 1024 * 1024),
    maxBodyBytes: opts.maxBodyBytes ?? envInt('SHARDMESH_MAX_BODY_BYTES', 64 * 1024 * 1024),
    maxTasksPerJob: opts.maxTasksPerJob ?? 100_000,
    shutdownGraceMs: opts.shutdownGraceMs ?? 5_000,
    rateLimitPerSec: opts.rateLimitPerSec ?? envInt('SHARDMESH_RATE_LIMIT_PER_SEC', 50),
    rateLimitBurst: opts.rateLimitBurst ?? envInt('SHARDMESH_RATE_LIMIT_BURST', 200),
    opfsThresholdBytes: opts.opfsThresholdBytes ?? envInt('SHARDMESH_OPFS_THRESHOLD_BYTES', 4 * 1024 * 1024),
    sseProgressMs: opts.sseProgressMs ?? envInt('SHARDMESH_SSE_PROGRESS_MS', 100),
    engineThread: opts.engineThread ?? env('SHARDMESH_ENGINE_THREAD') === '1',
  };
}

/**
 * `orchestrator` (one address) is kept for callers that serve one orchestrator; it is merged
 * into `orchestrators`. SHARDMESH_ORCHESTRATOR and SHARDMESH_BOOTSTRAP take comma-separated lists.
 */
export function resolveWorkerConfig(
  opts: Partial<WorkerConfig> & { orchestrator?: string | undefined },
): WorkerConfig {
  const listed = [
    ...(opts.orchestrator === undefined ? [] : [opts.orchestrator]),
    ...(opts.orchestrators ?? []),
  ];
  const orchestrators = [
    ...new Set(listed.length > 0 ? listed : (env('SHARDMESH_ORCHESTRATOR')?.split(',') ?? [])),
  ];
  const discover = opts.discover ?? env('SHARDMESH_DISCOVER') === '1';
  const bootstrap = opts.bootstrap ?? env('SHARDMESH_BOOTSTRAP')?.split(',') ?? [];
  if (orchestrators.length === 0 && !discover) {
    throw new Error(
      'no orchestrator address: pass --orchestrator <multiaddr> (repeatable), --discover --bootstrap <multiaddr>, or set SHARDMESH_ORCHESTRATOR',
    );
  }
  if (discover && bootstrap.length === 0 && orchestrators.length === 0) {
    throw new Error('--discover needs a peer to search from: pass --bootstrap <multiaddr> or --orchestrator');
  }
  return {
    orchestrators,
    discover,
    bootstrap,
    discoverIntervalMs: opts.discoverIntervalMs ?? envInt('SHARDMESH_DISCOVER_INTERVAL_MS', 60_000),
    discoverTimeoutMs: opts.discoverTimeoutMs ?? 5_000,
    artifactsDir: opts.artifactsDir ?? env('SHARDMESH_ARTIFACTS_DIR'),
    concurrency: opts.concurrency ?? envInt('SHARDMESH_WORKER_CONCURRENCY', 2),
    prefetchPerSlot: opts.prefetchPerSlot ?? envInt('SHARDMESH_PREFETCH_PER_SLOT', 1),
    taskTimeoutMs: opts.taskTimeoutMs ?? envInt('SHARDMESH_TASK_TIMEOUT_MS', 60_000),
    preprocessor: opts.preprocessor ?? (env('SHARDMESH_PREPROCESSOR') === 'js' ? 'js' : 'wasm'),
    reconnectMs: opts.reconnectMs ?? 250,
    reconnectMaxMs: opts.reconnectMaxMs ?? 10_000,
  };
}
