/**
 * The headless worker (`shardmesh worker`): a dial-only libp2p node that opens the task protocol
 * to one orchestrator and runs the shared task loop on it, redialling with exponential backoff
 * when the connection drops. Its worker id is its libp2p peer id, which Noise authenticates.
 */
import { availableParallelism } from 'node:os';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { resolveWorkerConfig, TASK_PROTOCOL, type WorkerConfig } from '../../orchestrator/config.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import { createPreprocessor, type Preprocessor } from '../preprocess/index.ts';
import { supportedKinds } from '../runtime/task-kinds.ts';
import { runTaskLoop, type TaskLoopStats, type WorkerEvent } from '../runtime/task-loop.ts';

export interface HeadlessWorkerOptions extends Partial<WorkerConfig> {
  onEvent?: (event: WorkerEvent) => void;
  /** Log lines (connection state, fallbacks); silent by default. */
  log?: (line: string) => void;
}

export class HeadlessWorker {
  readonly config: WorkerConfig;
  private node: Libp2p | undefined;
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

  async start(): Promise<void> {
    const preprocessor = await createPreprocessor({
      prefer: this.config.preprocessor,
      signal: this.controller.signal,
    });
    if (preprocessor.fallback !== undefined)
      this.log(`WASM unavailable (${preprocessor.fallback.message}), using JS`);
    this.log(`preprocessing with ${preprocessor.impl}`);
    this.node = await createNode();
    this.loop = this.serve(this.node, preprocessor);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.node?.stop();
    await this.loop?.catch(() => {});
  }

  /** Serves the orchestrator until stopped, redialling after every disconnect. */
  private async serve(node: Libp2p, preprocessor: Preprocessor): Promise<void> {
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
          preprocessor,
          capabilities: {
            kinds: supportedKinds(),
            cores: availableParallelism(),
            maxConcurrent: this.config.concurrency,
            adapter: null,
          },
          userAgent: `shardmesh-headless bun/${Bun.version}`,
          signal,
          stats: this.stats,
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
