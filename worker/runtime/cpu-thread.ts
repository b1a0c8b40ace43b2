/**
 * Worker entry for the CPU path (Bun Worker, or a nested dedicated Worker in browsers): loads a
 * preprocessor once, then computes each `run` message with the CPU reference and posts the
 * output back (transferred, not copied). It holds no lease and speaks no network: when a task
 * runs past its limit the owner simply terminates this thread.
 */
import { ErrorCode, isShardmeshError } from '../../protocol/errors.ts';
import { createPreprocessor, type Preprocessor } from '../preprocess/index.ts';
import type {
  CpuThreadInit,
  CpuThreadRun,
  FromCpuThread,
  ToCpuThread,
  WireTaskError,
} from './cpu-thread-protocol.ts';
import { readStaged } from './staging.ts';
import { computeTask } from './task-kinds.ts';

interface ThreadScope {
  postMessage(message: FromCpuThread, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToCpuThread>) => void) | null;
}

const scope = globalThis as unknown as ThreadScope;
let setup: Promise<{ preprocessor: Preprocessor; maxOutputBytes: number }> | undefined;

async function init(msg: CpuThreadInit): Promise<{ preprocessor: Preprocessor; maxOutputBytes: number }> {
  const preprocessor = await createPreprocessor({
    prefer: msg.preprocessor,
    ...(msg.wasmUrl === undefined ? {} : { source: { url: msg.wasmUrl } }),
  });
  scope.postMessage({
    type: 'ready',
    impl: preprocessor.impl,
    ...(preprocessor.fallback === undefined ? {} : { fallback: preprocessor.fallback.message }),
  });
  return { preprocessor, maxOutputBytes: msg.maxOutputBytes };
}

async function run(msg: CpuThreadRun): Promise<void> {
  try {
    if (setup === undefined) throw new Error('run before init');
    const { preprocessor, maxOutputBytes } = await setup;
    const payload = await readStaged(msg.payload);
    const { output } = await computeTask(
      {
        kind: msg.kind,
        ...(msg.taskId === undefined ? {} : { taskId: msg.taskId }),
        seed: msg.seed,
        params: msg.params,
        payload,
      },
      { preprocessor, gpu: null, limits: { maxOutputBytes } },
    );
    // Move the output back; copy first only when it is a view into a larger or shared buffer.
    const owned =
      output.buffer instanceof ArrayBuffer &&
      output.byteOffset === 0 &&
      output.byteLength === output.buffer.byteLength
        ? output
        : output.slice();
    scope.postMessage({ type: 'done', id: msg.id, output: owned }, [owned.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ type: 'failed', id: msg.id, error: toWire(err) });
  }
}

function toWire(err: unknown): WireTaskError {
  if (isShardmeshError(err)) {
    return err.details === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, details: { ...err.details } };
  }
  return { code: ErrorCode.KernelFailed, message: err instanceof Error ? err.message : String(err) };
}

scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    setup = init(msg);
    // A failed init surfaces on every run (as that run's failure), not as an unhandled rejection.
    setup.catch(() => {});
    return;
  }
  void run(msg);
};
