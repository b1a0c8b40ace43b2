/**
 * CPU reference of the Monte Carlo pi kernel. Integer-only, so every adapter agrees exactly.
 *
 * Invocation i starts from state = pcgHash(seed ^ pcgHash(i)); each sample advances the state
 * with the PCG LCG step and draws one 32-bit word r = pcgHash(state). The point is
 * x = r & 0x7fff, y = (r >> 15) & 0x7fff, inside when x^2 + y^2 < 2^30 (fits u32, no overflow).
 */
import { pcgHash } from '../prng.ts';
import type { MontecarloInput, MontecarloOutput } from './payload.ts';

const LCG_MUL = 747796405;
const LCG_INC = 2891336453;
const RADIUS_SQ = 1 << 30;

export function invocationHits(seed: number, invocation: number, samples: number): number {
  let state = pcgHash((seed ^ pcgHash(invocation)) >>> 0);
  let hits = 0;
  for (let s = 0; s < samples; s++) {
    state = (Math.imul(state, LCG_MUL) + LCG_INC) >>> 0;
    const r = pcgHash(state);
    const x = r & 0x7fff;
    const y = (r >>> 15) & 0x7fff;
    if (x * x + y * y < RADIUS_SQ) hits++;
  }
  return hits;
}

export function montecarloCpu(input: MontecarloInput): MontecarloOutput {
  let hits = 0;
  for (let i = 0; i < input.invocations; i++) {
    hits += invocationHits(input.seed, i, input.samplesPerInvocation);
  }
  return { hits, samples: input.invocations * input.samplesPerInvocation };
}
