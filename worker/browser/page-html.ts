/**
 * The worker page's markup and style. No framework: native form controls (labelled range,
 * checkbox, buttons with aria-pressed), <meter> gauges with text values beside them, and one
 * polite live region for the status. Nothing here runs code; page.ts attaches behaviour.
 */
import { ASSET_PATHS } from './messages.ts';

export const WORKER_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shardmesh: contribute compute</title>
<link rel="stylesheet" href="${ASSET_PATHS.css}">
</head>
<body>
<main>
  <h1>Contribute compute to Shardmesh</h1>
  <p>This page can compute small tasks for the Shardmesh research mesh using this computer's
  processor and, if you allow it, its graphics card. <strong>Nothing runs until you press
  Start.</strong> You can pause at any time; closing the tab stops everything.</p>

  <section aria-labelledby="settings-title">
    <h2 id="settings-title">Your limits</h2>
    <div class="row">
      <label for="cpu-limit">CPU limit</label>
      <input type="range" id="cpu-limit" min="10" max="100" step="5" value="50"
        aria-describedby="cpu-limit-help">
      <output id="cpu-limit-value" for="cpu-limit">50%</output>
    </div>
    <p id="cpu-limit-help" class="help">Share of time the worker may compute; it rests the remainder.</p>
    <div class="row">
      <input type="checkbox" id="gpu-switch" checked>
      <label for="gpu-switch">Use the graphics card (WebGPU) when available</label>
    </div>
  </section>

  <section aria-labelledby="run-title">
    <h2 id="run-title">Run</h2>
    <div class="row">
      <button type="button" id="opt-in">Start contributing</button>
      <button type="button" id="pause" aria-pressed="false" disabled>Pause</button>
    </div>
    <p>Status: <span id="status" role="status" aria-live="polite" data-state="idle">not started</span></p>
    <div class="row">
      <label for="cpu-gauge" class="gauge-label">CPU use</label>
      <meter id="cpu-gauge" min="0" max="100" low="60" high="90" optimum="0" value="0"></meter>
      <output id="cpu-gauge-value" for="cpu-gauge">0%</output>
    </div>
    <div class="row">
      <label for="gpu-gauge" class="gauge-label">GPU use</label>
      <meter id="gpu-gauge" min="0" max="100" low="60" high="90" optimum="0" value="0"></meter>
      <output id="gpu-gauge-value" for="gpu-gauge">0%</output>
    </div>
    <p>Tasks done this session: <output id="tasks-done">0</output>
      <span class="help">(failed: <output id="tasks-failed">0</output>)</span></p>
  </section>

  <details>
    <summary>Activity log</summary>
    <ol id="log" class="log"></ol>
  </details>
</main>
<script type="module" src="${ASSET_PATHS.page}"></script>
</body>
</html>
`;

export const WORKER_PAGE_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
main { max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
.row { display: flex; align-items: center; gap: 0.75rem; margin: 0.5rem 0; flex-wrap: wrap; }
.gauge-label { min-width: 5.5rem; }
meter { width: 14rem; height: 1.25rem; }
output { font-variant-numeric: tabular-nums; min-width: 3rem; }
button { font: inherit; padding: 0.5rem 1rem; border-radius: 0.4rem; border: 2px solid currentColor; cursor: pointer; }
button[disabled] { opacity: 0.5; cursor: not-allowed; }
#opt-in { background: #1a5fb4; color: #fff; border-color: #1a5fb4; }
button:focus-visible, input:focus-visible { outline: 3px solid #e66100; outline-offset: 2px; }
.help { color: GrayText; font-size: 0.9rem; margin: 0; }
.log { font-family: ui-monospace, monospace; font-size: 0.8rem; max-height: 14rem; overflow-y: auto; }
`;
