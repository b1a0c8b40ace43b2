/**
 * The headless worker (`shardmesh worker`): a dial-only libp2p node that opens the task protocol
 * to one or several orchestrators (given, or found through Kad-DHT provider records with
 * `discover`) and runs the shared task loop on each, sharing its slots between them and
 * redialling each independently (./sessions.ts). Its worker id is its libp2p peer id, which
 * Noise authenticates.
 *
 * Compute: the GPU path runs on Dawn in this thread (the device works, the thread waits); the
 * CPU path runs on Bun Worker threads (ThreadExecutor), so a long CPU kernel never delays a
 * heartbeat and a task past its time limit is stopped by terminating its thread.
 */
import { availableParallelism } from 'node:os';
import type { Libp2p } from '@libp2p/interface';
import type { CircuitId } from '../../circuits/lib/params.ts';
import { resolveWorkerConfig, type WorkerConfig } from '../../orchestrator/config.ts';
import { discoverOrchestrators } from '../../orchestrator/mesh/discovery.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import type { AdapterInfo, WorkerCapabilities } from '../../protocol/messages.ts';
import { createPreprocessor } from '../preprocess/index.ts';
import type { Prover } from '../prover/index.ts';
import { InlineExecutor, type TaskExecutor } from '../runtime/executor.ts';
import type { GpuProvider } from '../runtime/gpu-provider.ts';
import { resolveTaskLimits, type TaskLimits } from '../runtime/limits.ts';
import { supportedKinds } from '../runtime/task-kinds.ts';
import type { TaskLoopStats, WorkerEvent } from '../runtime/task-loop.ts';
import { ThreadExecutor } from '../runtime/thread-executor.ts';
import { createHeadlessGpu, type HeadlessGpuMode } from './gpu.ts';
import { OrchestratorSessions, type SessionState } from './sessions.ts';

export interface HeadlessWorkerOptions extends Partial<WorkerConfig> {
  /** One orchestrator to serve (merged into `orchestrators`). */
  orchestrator?: string | undefined;
  onEvent?: (event: WorkerEvent) => void;
  /** Log lines (connection state, fallbacks); silent by default. */
  log?: (line: string) => void;
  /**
   * 'auto' (default): Dawn's adapter for every kind when it is a hardware one, only for GPU-only
   * kinds when it is a software one (SwiftShader), else CPU; 'any': any adapter for every kind;
   * 'off': CPU only (or SHARDMESH_GPU=off). See ./gpu.ts.
   */
  gpu?: HeadlessGpuMode;
  /** Run the CPU path on Worker threads (default true); false computes in the loop's thread. */
  computeThreads?: boolean;
  /** Payload and output size limits per task (TASK_MEMORY_LIMIT beyond them). */
  limits?: Partial<Pick<TaskLimits, 'maxPayloadBytes' | 'maxOutputBytes'>>;
  /** Where proving keys come from: 'orchestrator' (default, fetched by hash) or 'local' (artifactsDir). */
  proverArtifacts?: 'orchestrator' | 'local';
}

export class HeadlessWorker {
  readonly config: WorkerConfig;
  private node: Libp2p | undefined;
  private gpu: GpuProvider | undefined;
  private limits: TaskLimits | undefined;
  /** One prover per circuit, each holding only that circuit's keys (issue 5: chain, batch proofs). */
  private readonly provers = new Map<CircuitId, Promise<Prover>>();
  /**
   * Loaded on the first task that needs a proof of that circuit (snarkjs and the keys are heavy),
   * with keys from the orchestrator of that task's session; one prover then serves every session
   * (artifacts are content-addressed, so orchestrators on the same key versions share them).
   */
  private readonly proverSource =
    (orchestrator: string) =>
    (circuit: CircuitId = 'result_binding'): Promise<Prover> => {
      let prover = this.provers.get(circuit);
      if (prover === undefined) {
        prover = this.createProver(orchestrator, circuit);
        this.provers.set(circuit, prover);
        prover.catch(() => {
          this.provers.delete(circuit); // an unreachable orchestrator or a bad artifact: retry later
        });
      }
      return prover;
    };
  /** Keys from the orchestrator served (checked by hash in createProver), or from a local dir. */
  private async createProver(orchestrator: string, circuit: CircuitId): Promise<Prover> {
    const { createProver } = await import('../prover/index.ts');
    const signal = this.controller.signal;
    const dir = this.config.artifactsDir === undefined ? {} : { artifactsDir: this.config.artifactsDir };
    if (this.opts.proverArtifacts === 'local' || this.node === undefined)
      return createProver({ ...dir, circuits: [circuit], signal });
    const { remoteArtifacts } = await import('../prover/remote-artifacts.ts');
    const remote = remoteArtifacts(this.node, { orchestrator });
    // Only the circuit asked for (worker/runtime/prove.ts): the keys of one circuit to fetch.
    return createProver({
      ...dir,
      manifest: await remote.manifest({ signal }),
      fetchArtifact: remote.fetchArtifact,
      circuits: [circuit],
      signal,
    });
  }

  private executor: TaskExecutor | undefined;
  private readonly controller = new AbortController();
  private sessions: OrchestratorSessions | undefined;
  private discovery: Promise<void> | undefined;
  readonly stats: TaskLoopStats = { done: 0, failed: 0, refused: 0 };

  constructor(private readonly opts: HeadlessWorkerOptions = {}) {
    this.config = resolveWorkerConfig(opts);
  }

  get peerId(): string {
    if (this.node === undefined) throw new Error('worker not started');
    return this.node.peerId.toString();
  }

  /** The adapter reported in the hello; null on the CPU path. */
  get adapter(): AdapterInfo | null {
    return this.gpu?.adapter ?? null;
  }

  async start(): Promise<void> {
    const signal = this.controller.signal;
    const preprocessor = await createPreprocessor({ prefer: this.config.preprocessor, signal });
    if (preprocessor.fallback !== undefined)
      this.log(`WASM unavailable (${preprocessor.fallback.message}), using JS`);
    this.log(`preprocessing with ${preprocessor.impl}`);
    const gpu = await createHeadlessGpu({ mode: this.opts.gpu ?? 'auto', log: (l) => this.log(l), signal });
    this.gpu = gpu;
    const limits = resolveTaskLimits({ timeoutMs: this.config.taskTimeoutMs, ...this.opts.limits });
    this.limits = limits;
    if (this.opts.computeThreads === false) {
      this.executor = new InlineExecutor({ preprocessor, gpu, limits });
    } else {
      const threads = new ThreadExecutor({
        preprocessor,
        gpu,
        limits,
        threads: this.config.concurrency,
        log: (l) => this.log(l),
      });
      this.executor = threads;
      // CPU tasks are the norm then: load the threads now, not out of a task's time.
      if (gpu.cpuForBuiltInKinds) await threads.warm();
    }
    // A DHT client only when it searches: a plain worker stays a bare dial-only node.
    const node = await createNode(
      this.config.discover ? { mesh: { gossip: false, relay: false, dht: 'client', mdns: false } } : {},
    );
    this.node = node;
    this.sessions = new OrchestratorSessions({
      node,
      concurrency: this.config.concurrency,
      prefetchPerSlot: this.config.prefetchPerSlot,
      reconnectMs: this.config.reconnectMs,
      reconnectMaxMs: this.config.reconnectMaxMs,
      template: this.sessionTemplate(node, this.executor),
      prover: this.proverSource,
      log: (l) => this.log(l),
      signal,
    });
    this.sessions.add(this.config.orchestrators);
    if (this.config.discover) this.discovery = this.discoverLoop(node, this.sessions);
  }

  /** Orchestrators served, each with its share of the slots and whether it is connected now. */
  orchestrators(): SessionState[] {
    return this.sessions?.state() ?? [];
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.discovery?.catch(() => {});
    await this.node?.stop();
    await this.sessions?.closed();
    await this.executor?.close();
    this.gpu?.destroy();
    await Promise.all([...this.provers.values()].map((p) => p.then((x) => x.close()).catch(() => {})));
  }

  private capabilities(): WorkerCapabilities {
    const gpu = this.gpu;
    return {
      kinds: supportedKinds({ gpu: gpu?.adapter != null }),
      cores: availableParallelism(),
      maxConcurrent: this.config.concurrency,
      adapter: gpu?.adapter ?? null,
      ...(this.limits === undefined ? {} : { limits: this.limits }),
    };
  }

  private sessionTemplate(node: Libp2p, executor: TaskExecutor) {
    return {
      workerId: node.peerId.toString(),
      taskTimeoutMs: this.config.taskTimeoutMs,
      executor,
      ...(this.opts.limits === undefined ? {} : { limits: this.opts.limits }),
      capabilities: this.capabilities(),
      userAgent: `shardmesh-headless bun/${Bun.version}`,
      stats: this.stats,
      ...(this.opts.onEvent === undefined ? {} : { onEvent: this.opts.onEvent }),
    };
  }

  /**
   * Looks for orchestrators through the DHT (from the bootstrap peers, and the orchestrators
   * already given, which are mesh peers too) at start and every discoverIntervalMs, and serves
   * each new one.
   */
  private async discoverLoop(node: Libp2p, sessions: OrchestratorSessions): Promise<void> {
    const signal = this.controller.signal;
    const bootstrap = [...new Set([...this.config.bootstrap, ...this.config.orchestrators])];
    // Until something is found (the DHT may still be filling), look again soon, backing off.
    let retryMs = 1_000;
    while (!signal.aborted) {
      try {
        const found = await discoverOrchestrators({
          node,
          bootstrap,
          timeoutMs: this.config.discoverTimeoutMs,
          signal,
        });
        const known = new Set(sessions.state().map((s) => peerOf(s.orchestrator)));
        const fresh = found.filter((a) => !known.has(peerOf(a)));
        if (fresh.length > 0) this.log(`discovered ${fresh.length} orchestrator(s): ${fresh.join(' ')}`);
        sessions.add(fresh);
      } catch (err) {
        if (signal.aborted) return;
        this.log(`discovery failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.config.discoverIntervalMs === 0) return;
      const nothingYet = sessions.state().length === 0;
      const wait = nothingYet
        ? Math.min(retryMs, this.config.discoverIntervalMs)
        : this.config.discoverIntervalMs;
      retryMs = nothingYet ? retryMs * 2 : 1_000;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, wait);
        signal.addEventListener('abort', () => resolve(clearTimeout(timer)), { once: true });
      });
    }
  }

  private log(line: string): void {
    this.opts.log?.(`[worker ${this.node?.peerId.toString().slice(-8) ?? '-'}] ${line}`);
  }
}

/** The peer id an address names (one orchestrator may be reached through several addresses). */
const peerOf = (address: string): string => address.split('/p2p/').at(-1) ?? address;
