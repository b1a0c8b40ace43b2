/**
 * The browser worker, run inside the page's dedicated Web Worker: learns the orchestrator's
 * WebSocket addresses, loads the WASM preprocessor and the GPU (navigator.gpu), then serves
 * task sessions with the same runTaskLoop as the headless worker, under the contributor's
 * controls read from the shared control block:
 * - pause: the session drains (in-flight tasks finish, no new pulls) and closes; resume opens a
 *   new session. Closing is what takes back credit the orchestrator already holds.
 * - GPU switch: the session drains and reopens, so the new hello reports the right adapter.
 * - CPU limit: a duty cycle after every task (DutyCycle reads the limit each time).
 * The CPU path runs on a nested Worker (cpu-thread.js), so heartbeats never wait for a kernel;
 * large payloads reach it through OPFS, smaller ones through a SharedArrayBuffer.
 */
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { FrameChannel } from '../../protocol/frame-channel.ts';
import type { WorkerCapabilities } from '../../protocol/messages.ts';
import { acquireGpu } from '../../shaders/gpu/browser.ts';
import { createPreprocessor } from '../preprocess/index.ts';
import { DutyCycle } from '../runtime/duty-cycle.ts';
import { GpuProvider } from '../runtime/gpu-provider.ts';
import type { ProverSource } from '../runtime/prove.ts';
import { opfsStager } from '../runtime/staging.ts';
import { supportedKinds } from '../runtime/task-kinds.ts';
import { runTaskLoop, type WorkerEvent } from '../runtime/task-loop.ts';
import { THREAD_EXECUTOR_DEFAULTS } from '../runtime/thread-executor.ts';
import { fetchBootstrap, type WorkerBootstrap } from './bootstrap.ts';
import { createBrowserNode } from './browser-node.ts';
import { BusyMeter } from './busy-meter.ts';
import { type ControlBlock, Slot, WorkerState } from './control-block.ts';
import { loadWorkerIdentity } from './identity.ts';
import { browserProverSource } from './prover-source.ts';
import { SlotExecutors, taskSlots } from './slots.ts';

export interface BrowserHostOptions {
  control: ControlBlock;
  bootstrapUrl: string;
  cpuThreadUrl: string;
  /** The bundled Groth16 prover thread (worker/browser/prover.ts). */
  proverThreadUrl: string;
  wasmUrl: string;
  log: (line: string) => void;
  signal: AbortSignal;
  /**
   * Most tasks computed at once. Default: the cores. Each session runs taskSlots(CPU limit,
   * cores, this) slots (slots.ts), so the tab stays within the contributor's CPU limit.
   */
  concurrency?: number;
  reconnectMs?: number;
  reconnectMaxMs?: number;
  /** After the loop closed its end while draining, how long the orchestrator gets to close its own. */
  drainGraceMs?: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export async function runBrowserHost(opts: BrowserHostOptions): Promise<void> {
  const { control, log, signal } = opts;
  control.state = WorkerState.Starting;
  const bootstrap = await fetchBootstrap(opts.bootstrapUrl, { signal });
  const preprocessor = await createPreprocessor({ source: { url: opts.wasmUrl }, signal });
  log(
    preprocessor.fallback === undefined
      ? 'preprocessing with WASM'
      : `WASM unavailable (${preprocessor.fallback.message}); preprocessing with JS`,
  );
  const gpu = new GpuProvider({ acquire: acquireGpu, enabled: control.gpuEnabled, log });
  const executors = new SlotExecutors({
    preprocessor,
    gpu,
    threadUrl: opts.cpuThreadUrl,
    wasmUrl: opts.wasmUrl,
    stager: opfsStager({ thresholdBytes: bootstrap.opfsThresholdBytes, log }),
    // A payload big enough for OPFS is never computed on the loop's thread: it goes to a CPU
    // thread through OPFS, as the threshold promises.
    inlineMaxPayloadBytes: Math.min(
      THREAD_EXECUTOR_DEFAULTS.inlineMaxPayloadBytes,
      bootstrap.opfsThresholdBytes - 1,
    ),
    log,
  });
  const identity = await loadWorkerIdentity({ signal, log });
  const node = await createBrowserNode(
    { allowed: bootstrap.multiaddrs, pageHostname: location.hostname, allowLocal: bootstrap.allowLocal },
    identity.privateKey,
  );
  log(`worker id ${node.peerId.toString()} (${identity.origin})`);
  // Proof-requiring jobs: keys come from the orchestrator this page dials (first listed address).
  const prover = browserProverSource({
    node,
    orchestrator: bootstrap.multiaddrs[0] as string,
    threadUrl: opts.proverThreadUrl,
    log,
    signal,
  });
  try {
    await serveSessions(opts, bootstrap, node, gpu, executors, prover.source);
  } finally {
    await prover.close();
    await executors.close();
    await node.stop();
    gpu.destroy();
  }
}

async function serveSessions(
  opts: BrowserHostOptions,
  bootstrap: WorkerBootstrap,
  node: Libp2p,
  gpu: GpuProvider,
  executors: SlotExecutors,
  prover: ProverSource,
): Promise<void> {
  const { control, log, signal } = opts;
  const busy = new BusyMeter(control);
  const throttle = new DutyCycle({ limit: () => control.cpuLimit });
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  const addrs = bootstrap.multiaddrs.map((ma) => multiaddr(ma));
  let drain: AbortController | undefined;
  let sessionGpu = control.gpuEnabled;
  const slotsNow = (): number => taskSlots(control.cpuLimit, cores, opts.concurrency ?? cores);
  let sessionSlots = slotsNow();

  // Wakes on every control change: a pause, a GPU switch or a CPU limit that changes the slot
  // count drains the current session (the next one's hello announces the new state).
  void (async () => {
    let seen = control.get(Slot.Generation);
    while (!signal.aborted) {
      seen = await control.changed(seen, signal);
      if (
        drain !== undefined &&
        !drain.signal.aborted &&
        (control.paused || control.gpuEnabled !== sessionGpu || slotsNow() !== sessionSlots)
      ) {
        const inFlight = control.get(Slot.InFlight) > 0;
        const finishing = inFlight ? ' (finishing the task in flight)' : '';
        log(
          control.paused
            ? `pausing${finishing}`
            : control.gpuEnabled !== sessionGpu
              ? `GPU switched ${control.gpuEnabled ? 'on' : 'off'}${finishing}`
              : `CPU limit ${Math.round(control.cpuLimit * 100)}%: ${slotsNow()} task slot(s) from the next session${finishing}`,
        );
        if (inFlight) control.state = WorkerState.Draining;
        drain.abort();
      }
    }
  })();

  const onEvent = (event: WorkerEvent): void => {
    switch (event.type) {
      case 'task:started':
        busy.start(event.replicaId, gpu.enabled && gpu.available);
        break;
      case 'task:done':
        busy.end(event.replicaId);
        control.add(Slot.TasksDone, 1);
        log(`task ${event.taskId} done on ${event.path} in ${Math.round(event.computeMs)} ms`);
        break;
      case 'task:failed':
        busy.end(event.replicaId);
        control.add(Slot.TasksFailed, 1);
        log(`task ${event.taskId} failed: ${event.code} ${event.message}`);
        break;
      case 'task:dropped':
        log(`task ${event.taskId} arrived after the session closed; its lease will be reissued`);
        break;
      case 'frame:refused':
        log(`orchestrator refused a frame: ${event.code} ${event.message}`);
        break;
      default:
        break;
    }
  };

  let delay = opts.reconnectMs ?? 500;
  while (!signal.aborted) {
    if (control.paused) {
      control.state = WorkerState.Paused;
      await control.changed(control.get(Slot.Generation), signal);
      if (!control.paused) log('resuming');
      continue;
    }
    sessionGpu = control.gpuEnabled;
    gpu.enabled = sessionGpu;
    if (sessionGpu) await gpu.get({ signal });
    control.set(Slot.GpuAvailable, gpu.available ? 1 : 0);
    // CPU tasks ahead: load the CPU thread now rather than out of the first task's time limit.
    const concurrency = slotsNow();
    sessionSlots = concurrency;
    const executor = await executors.get(concurrency);
    if (gpu.adapter === null) void executor.warm().catch(() => {});
    const session = new AbortController();
    drain = session;
    control.state = WorkerState.Connecting;
    try {
      const stream = await node.dialProtocol(addrs, bootstrap.protocol, { signal });
      control.add(Slot.Sessions, 1);
      control.state = WorkerState.Working;
      log(`session open: ${concurrency} task slot${concurrency === 1 ? '' : 's'}`);
      delay = opts.reconnectMs ?? 500;
      let guard: ReturnType<typeof setTimeout> | undefined;
      await runTaskLoop(new FrameChannel(stream), {
        workerId: node.peerId.toString(),
        concurrency,
        taskTimeoutMs: bootstrap.taskTimeoutMs,
        executor,
        prover,
        capabilities: capabilities(gpu, concurrency),
        userAgent: `shardmesh-browser ${navigator.userAgent}`,
        signal,
        drain: session.signal,
        throttle,
        onEvent: (event) => {
          onEvent(event);
          // We closed our end; if the orchestrator never closes its end, stop waiting for it.
          if (event.type === 'session:drained') {
            guard = setTimeout(
              () => stream.abort(new Error('drain grace elapsed')),
              opts.drainGraceMs ?? 5_000,
            );
          }
        },
      }).finally(() => clearTimeout(guard));
      if (!session.signal.aborted) throw new Error('the orchestrator closed the session');
    } catch (err) {
      if (signal.aborted) break;
      control.state = WorkerState.Reconnecting;
      log(`session ended: ${err instanceof Error ? err.message : String(err)}; retrying in ${delay} ms`);
      await sleep(delay, signal);
      delay = Math.min(delay * 2, opts.reconnectMaxMs ?? 10_000);
    } finally {
      busy.stop();
    }
  }
}

function capabilities(gpu: GpuProvider, concurrency: number): WorkerCapabilities {
  const adapter = gpu.adapter;
  return {
    kinds: supportedKinds({ gpu: adapter !== null }),
    cores: Math.max(1, navigator.hardwareConcurrency || 1),
    maxConcurrent: concurrency,
    adapter,
  };
}
