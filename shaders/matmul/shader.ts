/**
 * Tiled f32 matmul, C = A * B. Each invocation owns one C element; A and B pass through
 * TILE x TILE workgroup tiles. The sum for C[i][j] runs over p = 0..k-1 in order (tile by tile,
 * and in order inside a tile), with inputs, products and partial sums flushed like
 * `matmulCpu`, so the result is bit-identical to the CPU reference (see ../f32.ts).
 *
 * Padding lanes of a partial tile hold 0 but are never added: the inner loop stops at `kEnd`.
 */
import tgpu from 'typegpu';
import * as d from 'typegpu/data';
import { flushSubnormal } from '../wgsl-common.ts';
import { MATMUL_TILE, matmulLayout } from './schema.ts';

const Tile = d.arrayOf(d.arrayOf(d.f32, MATMUL_TILE), MATMUL_TILE);
const tileA = tgpu.workgroupVar(Tile).$name('tileA');
const tileB = tgpu.workgroupVar(Tile).$name('tileB');
const TILE = tgpu.const(d.u32, MATMUL_TILE).$name('TILE');

export const matmulMain = tgpu
  .computeFn({
    in: { lid: d.builtin.localInvocationId, wid: d.builtin.workgroupId },
    workgroupSize: [MATMUL_TILE, MATMUL_TILE],
  })(/* wgsl */ `{
  let row = in.wid.y * TILE + in.lid.y;
  let col = in.wid.x * TILE + in.lid.x;
  let m = io.params.m;
  let k = io.params.k;
  let n = io.params.n;
  var acc = 0.0f;
  let tiles = (k + TILE - 1u) / TILE;
  for (var t = 0u; t < tiles; t++) {
    let p0 = t * TILE;
    // Out-of-range lanes store 0 and are never read by the sum below.
    var av = 0.0f;
    if (row < m && p0 + in.lid.x < k) { av = flushSubnormal(io.a[row * k + p0 + in.lid.x]); }
    tileA[in.lid.y][in.lid.x] = av;
    var bv = 0.0f;
    if (col < n && p0 + in.lid.y < k) { bv = flushSubnormal(io.b[(p0 + in.lid.y) * n + col]); }
    tileB[in.lid.y][in.lid.x] = bv;
    workgroupBarrier();
    let kEnd = min(TILE, k - p0);
    for (var p = 0u; p < kEnd; p++) {
      // Separate multiply and add, each rounded and flushed: no FMA (see flushSubnormal).
      let product = flushSubnormal(tileA[in.lid.y][p] * tileB[p][in.lid.x]);
      acc = flushSubnormal(acc + product);
    }
    workgroupBarrier();
  }
  if (row < m && col < n) { io.c[row * n + col] = acc; }
}`)
  .$uses({ io: matmulLayout.$, TILE, tileA, tileB, flushSubnormal })
  .$name('matmulMain');
