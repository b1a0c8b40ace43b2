/** Seeded integer Monte Carlo (pi). Exact: u32 arithmetic and integer atomics only. */
import { type Kernel, KernelKind } from '../kernel.ts';
import { montecarloCpu } from './cpu.ts';
import { montecarloGpu } from './host.ts';
import {
  decodeMontecarloPayload,
  type MontecarloInput,
  type MontecarloOutput,
  montecarloOutputBytes,
} from './payload.ts';

export { invocationHits, montecarloCpu } from './cpu.ts';
export { montecarloGpu } from './host.ts';
export {
  decodeMontecarloPayload,
  encodeMontecarloPayload,
  MONTECARLO_MAX_INVOCATIONS,
  MONTECARLO_MAX_SAMPLES,
  type MontecarloInput,
  type MontecarloOutput,
  montecarloOutputBytes,
} from './payload.ts';
export { MONTECARLO_WORKGROUP } from './schema.ts';
export { montecarloMain } from './shader.ts';

export const exact = true;

export const montecarloKernel: Kernel<MontecarloInput, MontecarloOutput> = {
  kind: KernelKind.MontecarloU32,
  exact,
  requiresGpu: false,
  decodeInput: decodeMontecarloPayload,
  cpu: montecarloCpu,
  cpuWork: (input) => input.invocations * input.samplesPerInvocation,
  gpu: montecarloGpu,
  encodeOutput: montecarloOutputBytes,
};
