/**
 * Compiles the .circom sources with circom2 (the Circom 2 compiler built as WASM; the Rust one
 * cannot be built offline) and reads their constraint counts. Always --O2: the default level
 * leaves ~3x the constraints. Output goes to circuits/build/ (git-ignored).
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { ErrorCode, throwIfAborted } from '../protocol/errors.ts';
import { ProofError } from './lib/errors.ts';
import type { CircuitId } from './lib/params.ts';
import { loadSnarkjs } from './lib/snarkjs-bun.ts';

export const CIRCUITS_DIR = import.meta.dir;
export const DEFAULT_BUILD_DIR = join(CIRCUITS_DIR, 'build');
const REPO_ROOT = join(CIRCUITS_DIR, '..');

export interface CompiledCircuit {
  circuit: CircuitId;
  r1csPath: string;
  wasmPath: string;
  constraints: number;
  publicInputs: number;
}

export async function compileCircuit(
  circuit: CircuitId,
  opts: { buildDir?: string; signal?: AbortSignal } = {},
): Promise<CompiledCircuit> {
  throwIfAborted(opts.signal);
  const buildDir = opts.buildDir ?? DEFAULT_BUILD_DIR;
  await mkdir(buildDir, { recursive: true });
  const cli = createRequire(import.meta.url).resolve('circom2/cli.js');
  const source = relative(REPO_ROOT, join(CIRCUITS_DIR, `${circuit}.circom`));
  const args = [cli, source, '--r1cs', '--wasm', '--O2', '-l', 'node_modules', '-o', relative(REPO_ROOT, buildDir)];
  // circom2's WASI runtime resolves paths against the working directory: run from the repo root.
  const proc = Bun.spawn([process.execPath, ...args], { cwd: REPO_ROOT, stdout: 'pipe', stderr: 'pipe' });
  const onAbort = () => proc.kill();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  opts.signal?.removeEventListener('abort', onAbort);
  throwIfAborted(opts.signal);
  if (code !== 0 || !stdout.includes('Everything went okay')) {
    throw new ProofError(ErrorCode.Internal, `circom2 failed on ${circuit}`, { code, output: stdout + stderr });
  }
  const r1csPath = join(buildDir, `${circuit}.r1cs`);
  const snarkjs = await loadSnarkjs();
  const info = await snarkjs.r1cs.info(r1csPath);
  return {
    circuit,
    r1csPath,
    wasmPath: join(buildDir, `${circuit}_js`, `${circuit}.wasm`),
    constraints: info.nConstraints,
    publicInputs: info.nPubInputs + info.nOutputs,
  };
}

/** Smallest powers-of-tau exponent whose domain fits the circuit (snarkjs needs n + public + 1). */
export function requiredPower(c: Pick<CompiledCircuit, 'constraints' | 'publicInputs'>): number {
  return Math.ceil(Math.log2(c.constraints + c.publicInputs + 1));
}
