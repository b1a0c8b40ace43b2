/**
 * Entry of the page's dedicated Web Worker (bundled as /worker/worker.js). Waits for the page's
 * `start` message, which carries the shared control block, then runs the browser host until the
 * page goes away. Anything fatal is posted back so the page can show it.
 */

// First: modules loaded by the imports below need a global Buffer when they load.
import './buffer-global.ts';
import { runBrowserHost } from './browser-host.ts';
import { ControlBlock, WorkerState } from './control-block.ts';
import type { FromWorker, StartWorkerMessage } from './messages.ts';

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<StartWorkerMessage>) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
const controller = new AbortController();
let started = false;

scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.type !== 'start' || started) return;
  started = true;
  const control = new ControlBlock(msg.control);
  const log = (line: string): void => scope.postMessage({ type: 'log', line });
  runBrowserHost({
    control,
    bootstrapUrl: msg.bootstrapUrl,
    cpuThreadUrl: msg.cpuThreadUrl,
    proverThreadUrl: msg.proverThreadUrl,
    wasmUrl: msg.wasmUrl,
    log,
    signal: controller.signal,
  }).catch((err: unknown) => {
    control.state = WorkerState.Failed;
    scope.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  });
};
