/**
 * The worker page's script (bundled as /worker/page.js). Until the contributor presses Start it
 * only wires the form: no worker, no network, no shared memory. Start creates the control block,
 * the dedicated worker, and hands the block over; from then on the controls write into the block
 * and the gauges read from it.
 */
import { BOOTSTRAP_PATH } from './bootstrap.ts';
import { ControlBlock, Slot, STATE_NAMES, type WorkerState } from './control-block.ts';
import { ASSET_PATHS, type FromWorker, type StartWorkerMessage } from './messages.ts';

const GAUGE_MS = 500;
const LOG_LINES = 200;

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`worker page: #${id} missing`);
  return el;
}

const ui = {
  optIn: element('opt-in', HTMLButtonElement),
  pause: element('pause', HTMLButtonElement),
  status: element('status', HTMLSpanElement),
  cpuLimit: element('cpu-limit', HTMLInputElement),
  cpuLimitValue: element('cpu-limit-value', HTMLOutputElement),
  gpuSwitch: element('gpu-switch', HTMLInputElement),
  cpuGauge: element('cpu-gauge', HTMLMeterElement),
  cpuGaugeValue: element('cpu-gauge-value', HTMLOutputElement),
  gpuGauge: element('gpu-gauge', HTMLMeterElement),
  gpuGaugeValue: element('gpu-gauge-value', HTMLOutputElement),
  tasksDone: element('tasks-done', HTMLOutputElement),
  tasksFailed: element('tasks-failed', HTMLOutputElement),
  log: element('log', HTMLOListElement),
};

let control: ControlBlock | undefined;

function log(line: string): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${line}`;
  ui.log.append(item);
  while (ui.log.childElementCount > LOG_LINES) ui.log.firstElementChild?.remove();
}

function showStatus(state: string, text = state): void {
  if (ui.status.dataset.state === state && ui.status.textContent === text) return;
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

ui.cpuLimit.addEventListener('input', () => {
  ui.cpuLimitValue.value = `${ui.cpuLimit.value}%`;
  control?.setControl(Slot.CpuLimitPct, Number(ui.cpuLimit.value));
});

ui.gpuSwitch.addEventListener('change', () => {
  control?.setControl(Slot.GpuEnabled, ui.gpuSwitch.checked ? 1 : 0);
});

ui.pause.addEventListener('click', () => {
  if (control === undefined) return;
  const pausing = !control.paused;
  control.setControl(Slot.Paused, pausing ? 1 : 0);
  ui.pause.setAttribute('aria-pressed', String(pausing));
  ui.pause.textContent = pausing ? 'Resume' : 'Pause';
});

ui.optIn.addEventListener('click', () => {
  if (control !== undefined) return;
  if (!crossOriginIsolated) {
    // Without isolation there is no SharedArrayBuffer: the server must send COOP/COEP headers.
    showStatus('failed', 'this page is not cross-origin isolated; the worker cannot start');
    return;
  }
  control = ControlBlock.create({
    cpuLimitPct: Number(ui.cpuLimit.value),
    gpuEnabled: ui.gpuSwitch.checked,
  });
  const worker = new Worker(ASSET_PATHS.worker, { type: 'module', name: 'shardmesh-worker' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    if (event.data.type === 'log') log(event.data.line);
    else {
      log(`stopped: ${event.data.message}`);
      showStatus('failed', `failed: ${event.data.message}`);
    }
  };
  worker.onerror = (event) => {
    log(`worker error: ${event.message}`);
    showStatus('failed', 'failed: the worker script could not run');
  };
  const start: StartWorkerMessage = {
    type: 'start',
    control: control.buffer,
    bootstrapUrl: BOOTSTRAP_PATH,
    cpuThreadUrl: ASSET_PATHS.cpuThread,
    proverThreadUrl: ASSET_PATHS.proverThread,
    wasmUrl: ASSET_PATHS.wasm,
  };
  worker.postMessage(start);
  void startPeerLink();
  ui.optIn.disabled = true;
  ui.optIn.textContent = 'Contributing';
  ui.pause.disabled = false;
  startGauges(control);
});

/**
 * The optional page-to-page WebRTC link (./peer-link.ts, its own bundle, loaded only after Start):
 * a relay reservation at the orchestrator so other pages can reach this one directly. Where the
 * browser has no WebRTC or the orchestrator no relay, the page works on without it.
 */
async function startPeerLink(): Promise<void> {
  if (typeof RTCPeerConnection === 'undefined') return;
  try {
    const mod = (await import(ASSET_PATHS.peerLink)) as typeof import('./peer-link.ts');
    const link = await mod.startPagePeerLink({ bootstrapUrl: BOOTSTRAP_PATH });
    log(`peer link: reachable over WebRTC at ${link.listenAddrs().length} address(es)`);
  } catch (err) {
    log(`peer link unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Usage = compute time credited since the last sample / wall time since the last sample. */
function startGauges(block: ControlBlock): void {
  let last = { at: performance.now(), cpu: 0, gpu: 0 };
  setInterval(() => {
    const now = { at: performance.now(), cpu: block.get(Slot.BusyCpuMs), gpu: block.get(Slot.BusyGpuMs) };
    const wall = now.at - last.at;
    const pct = (busy: number) => Math.min(100, Math.round((busy / wall) * 100));
    setGauge(ui.cpuGauge, ui.cpuGaugeValue, pct(now.cpu - last.cpu));
    setGauge(ui.gpuGauge, ui.gpuGaugeValue, pct(now.gpu - last.gpu));
    last = now;
    ui.tasksDone.value = String(block.get(Slot.TasksDone));
    ui.tasksFailed.value = String(block.get(Slot.TasksFailed));
    if (ui.status.dataset.state !== 'failed')
      showStatus(STATE_NAMES[block.state as WorkerState] ?? 'unknown');
    if (block.get(Slot.GpuAvailable) === 0 && block.gpuEnabled && block.get(Slot.Sessions) > 0) {
      ui.gpuGaugeValue.value = 'no GPU';
    }
  }, GAUGE_MS);
}

function setGauge(meter: HTMLMeterElement, text: HTMLOutputElement, pct: number): void {
  meter.value = pct;
  text.value = `${pct}%`;
}
