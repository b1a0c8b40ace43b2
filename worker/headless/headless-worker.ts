/**
 * The headless worker (`shardmesh worker`): a dial-only libp2p node that opens the task protocol
 * to one orchestrator and runs the shared task loop on it, redialling with exponential backoff
 * when the connection drops. Its worker id is its libp2p peer id, which Noise authenticates.
 *
 * Compute: the GPU path runs on Dawn in this thread (the device works, the thread waits); the
 * CPU path runs on Bun Worker threads (ThreadExecutor), so a long CPU kernel never delays a
 * heartbeat and a task past its time limit is stopped by terminating its thread.
 */
import { availableParallelism } from 'node:os';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { resolveWorkerConfig, TASK_PROTOCOL, type WorkerConfig } from '../../orchestrator/config.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import type { AdapterInfo, WorkerCapabilities } from '../../protocol/messages.ts';
import { createPreprocessor } from '../preprocess/index.ts';
import type { Prover } from '../prover/index.ts';
import { InlineExecutor, type TaskExecutor } from '../runtime/executor.ts';
import type { GpuProvider } from '../runtime/gpu-provider.ts';
import { resolveTaskLimits, type TaskLimits } from '../runtime/limits.ts';
import { supportedKinds } from '../runtime/task-kinds.ts';
import { runTaskLoop, type TaskLoopStats, type WorkerEvent } from '../runtime/task-loop.ts';
import { ThreadExecutor } from '../runtime/thread-executor.ts';
import { createHeadlessGpu, type HeadlessGpuMode } from './gpu.ts';

export interface HeadlessWorkerOptions extends Partial<WorkerConfig> {
  onEvent?: (event: WorkerEvent) => void;
  /** Log lines (connection state, fallbacks); silent by default. */
  log?: (line: string) => void;
  /** 'auto' (default): Dawn when it has an adapter, else CPU; 'off': CPU only (or SHARDMESH_GPU=off). */
  gpu?: HeadlessGpuMode;
  /** Run the CPU path on Worker threads (default true); false computes in the loop's thread. */
  computeThreads?: boolean;
  /** Payload and output size limits per task (TASK_MEMORY_LIMIT beyond them). */
  limits?: Partial<Pick<TaskLimits, 'maxPayloadBytes' | 'maxOutputBytes'>>;
  /** Where proving keys come from: 'orchestrator' (default, fetched by hash) or 'local' (artifactsDir). */
  proverArtifacts?: 'orchestrator' | 'local';
  /** Local artifacts for proverArtifacts 'local'. Default: the committed circuits/artifacts. */
  artifactsDir?: string;
}

export class HeadlessWorker {
  readonly config: WorkerConfig;
  private node: Libp2p | undefined;
  private gpu: GpuProvider | undefined;
  private limits: TaskLimits | undefined;
  private prover: Promise<Prover> | undefined;
  /** Loaded on the first task that needs a proof: snarkjs and the keys are heavy. */
  private readonly proverSource = (): Promise<Prover> => {
    this.prover ??= this.createProver();
    this.prover.catch(() => {
      this.prover = undefined; // an unreachable orchestrator or a bad artifact: retry on the next task
    });
    return this.prover;
  };
  /** Keys from the orchestrator served (checked by hash in createProver), or from a local dir. */
  private async createProver(): Promise<Prover> {
    const { createProver } = await import('../prover/index.ts');
    const signal = this.controller.signal;
    const dir = this.opts.artifactsDir === undefined ? {} : { artifactsDir: this.opts.artifactsDir };
    if (this.opts.proverArtifacts === 'local' || this.node === undefined)
      return createProver({ ...dir, signal });
    const { remoteArtifacts } = await import('../prover/remote-artifacts.ts');
    const remote = remoteArtifacts(this.node, { orchestrator: this.config.orchestrator });
    // Only the circuit the task loop proves (worker/runtime/prove.ts): half the bytes to fetch.
    return createProver({
      ...dir,
      manifest: await remote.manifest({ signal }),
      fetchArtifact: remote.fetchArtifact,
      circuits: ['result_binding'],
      signal,
    });
  }

  private executor: TaskExecutor | undefined;
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
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
      // CPU tasks are the norm without a GPU: load the threads now, not out of a task's time.
      if (gpu.adapter === null) await threads.warm();
    }
    this.node = await createNode();
    this.loop = this.serve(this.node, this.executor);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.node?.stop();
    await this.loop?.catch(() => {});
    await this.executor?.close();
    this.gpu?.destroy();
    await this.prover?.then((p) => p.close()).catch(() => {});
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

  /** Serves the orchestrator until stopped, redialling after every disconnect. */
  private async serve(node: Libp2p, executor: TaskExecutor): Promise<void> {
    const signal = this.controller.signal;
    let delay = this.config.reconnectMs;
    while (!signal.aborted) {
      try {
        const stream = await node.dialProtocol(multiaddr(this.config.orchestrator), TASK_PROTOCOL, {
          signal,
        });
        delay = this.config.reconnectMs;
        this.log(`connected to ${this.config.orchestrator}`);
        await runTaskLoop(new FrameChannel(stream), {
          workerId: this.peerId,
          concurrency: this.config.concurrency,
          taskTimeoutMs: this.config.taskTimeoutMs,
          executor,
          ...(this.opts.limits === undefined ? {} : { limits: this.opts.limits }),
          capabilities: this.capabilities(),
          userAgent: `shardmesh-headless bun/${Bun.version}`,
          signal,
          stats: this.stats,
          prover: this.proverSource,
          ...(this.opts.onEvent === undefined ? {} : { onEvent: this.opts.onEvent }),
        });
        this.log('orchestrator closed the session');
      } catch (err) {
        if (signal.aborted) return;
        this.log(
          `connection failed: ${err instanceof Error ? err.message : String(err)}; retrying in ${delay} ms`,
        );
      }
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, this.config.reconnectMaxMs);
    }
  }

  private log(line: string): void {
    this.opts.log?.(`[worker ${this.node?.peerId.toString().slice(-8) ?? '-'}] ${line}`);
  }
}
