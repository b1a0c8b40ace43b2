/**
 * Per-kernel throughput on WebGPU (Dawn; SwiftShader on machines without a GPU) against the CPU
 * reference, measured in the same run: median of `--runs` interleaved timings after a warm-up
 * (pipeline compile excluded). GPU times are end to end as a worker sees them: upload, dispatch,
 * readback. Each kernel's GPU and CPU outputs are also checked to be byte-identical.
 *
 *   bun bench/kernels.bench.ts [--runs 5] [--scale 1]   (--scale 2 doubles the problem sizes)
 */
import { parseArgs } from 'node:util';
import { encodeCustomPayload } from '../shaders/custom/index.ts';
import { acquireGpu } from '../shaders/gpu/dawn.ts';
import { encodeHashReducePayload } from '../shaders/hash-reduce/index.ts';
import {
  customKernel,
  hashReduceKernel,
  type Kernel,
  matmulKernel,
  montecarloKernel,
  similarityKernel,
} from '../shaders/index.ts';
import { encodeMatmulPayload } from '../shaders/matmul/index.ts';
import { encodeMontecarloPayload } from '../shaders/montecarlo/index.ts';
import { encodeSimilarityPayload } from '../shaders/similarity/index.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, scale: { type: 'string', default: '1' } },
});
const runs = Math.max(3, Number(values.runs));
const scale = Math.max(0.25, Number(values.scale));

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

interface Case {
  name: string;
  kernel: Kernel<unknown, unknown>;
  payload: Uint8Array;
  /** Work per run and its unit, e.g. [2mnk / 1e9, 'GFLOP']. */
  work: [number, string];
  cpu: boolean;
}

const mm = Math.round(192 * Math.cbrt(scale));
const inv = Math.round(32768 * scale);
const words = Math.round((1 << 22) * scale);
const vecs = Math.round(16384 * scale);
const dim = 128;
const wgsl = `@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&src)) { dst[gid.x] = src[gid.x] * 2u + 1u; }
}`;
const doubleWords = new Uint8Array(new Uint32Array(words).fill(7).buffer);

const cases: Case[] = [
  {
    name: `matmul-f32 ${mm}^3`,
    kernel: matmulKernel as Kernel<unknown, unknown>,
    payload: encodeMatmulPayload({ m: mm, k: mm, n: mm, a: rand(mm * mm, 1), b: rand(mm * mm, 2) }),
    work: [(2 * mm ** 3) / 1e9, 'GFLOP'],
    cpu: true,
  },
  {
    name: `montecarlo-u32 ${inv}x256`,
    kernel: montecarloKernel as Kernel<unknown, unknown>,
    payload: encodeMontecarloPayload({ seed: 1, invocations: inv, samplesPerInvocation: 256 }),
    work: [(inv * 256) / 1e6, 'Msample'],
    cpu: true,
  },
  {
    name: `hash-reduce-u32 ${words} words`,
    kernel: hashReduceKernel as Kernel<unknown, unknown>,
    payload: encodeHashReducePayload({ seed: 3, words: new Uint32Array(rand(words, 3).buffer) }),
    work: [(words * 4) / 1e6, 'MB'],
    cpu: true,
  },
  {
    name: `similarity-topk ${vecs}x${dim} k=10`,
    kernel: similarityKernel as Kernel<unknown, unknown>,
    payload: encodeSimilarityPayload({
      count: vecs,
      dim,
      k: 10,
      query: rand(dim, 4),
      vectors: rand(vecs * dim, 5),
    }),
    work: [(2 * vecs * dim) / 1e9, 'GFLOP'],
    cpu: true,
  },
  {
    name: `custom-wgsl ${words} words`,
    kernel: customKernel as Kernel<unknown, unknown>,
    payload: encodeCustomPayload({
      header: {
        wgsl,
        entryPoint: 'main',
        workgroupSize: [256],
        dispatch: [Math.ceil(words / 256)],
        inputs: [{ binding: 0, byteLength: words * 4 }],
        output: { binding: 1, byteLength: words * 4 },
      },
      inputs: [doubleWords],
    }),
    work: [(words * 4) / 1e6, 'MB'],
    cpu: false,
  },
];

const ctx = await acquireGpu();
if (ctx === null) {
  console.log('no WebGPU adapter: nothing to compare (see the log line above)');
  process.exit(0);
}
console.log(
  `adapter: ${ctx.adapterInfo.description} (${ctx.adapterInfo.vendor}/${ctx.adapterInfo.architecture}, fallback=${ctx.adapterInfo.isFallback})`,
);
console.log(`runs: ${runs} (median), scale ${scale}\n`);
console.log(['kernel'.padEnd(34), 'gpu ms', 'cpu ms', 'gpu rate', 'cpu rate', 'gpu/cpu'].join('\t'));

for (const c of cases) {
  const input = c.kernel.decodeInput(c.payload);
  const gpuOut = c.kernel.encodeOutput(await c.kernel.gpu(ctx, input)); // warm-up: compiles the pipeline
  if (c.cpu) {
    const cpuOut = c.kernel.encodeOutput(c.kernel.cpu(input));
    if (!Buffer.from(gpuOut).equals(Buffer.from(cpuOut)))
      throw new Error(`${c.name}: GPU and CPU outputs differ`);
  }
  const gpuMs: number[] = [];
  const cpuMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    await c.kernel.gpu(ctx, input);
    gpuMs.push(performance.now() - t);
    if (c.cpu) {
      t = performance.now();
      c.kernel.cpu(input);
      cpuMs.push(performance.now() - t);
    }
  }
  const [amount, unit] = c.work;
  const g = median(gpuMs);
  const cpu = c.cpu ? median(cpuMs) : Number.NaN;
  const rate = (ms: number): string =>
    Number.isNaN(ms) ? '-' : `${(amount / (ms / 1000)).toFixed(2)} ${unit}/s`;
  console.log(
    [
      c.name.padEnd(34),
      g.toFixed(1),
      c.cpu ? cpu.toFixed(1) : '-',
      rate(g),
      rate(cpu),
      c.cpu ? `${(cpu / g).toFixed(2)}x` : '-',
    ].join('\t'),
  );
}
ctx.destroy();
