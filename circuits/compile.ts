/**
 * Compiles the .circom sources with circom2 (the Circom 2 compiler built as WASM; the Rust one
 * cannot be built offline) and reads their constraint counts. Always --O2: the default level
 * leaves ~3x the constraints. Output goes to circuits/build/ (git-ignored).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { ErrorCode, throwIfAborted } from '../protocol/errors.ts';
import { ProofError } from './lib/errors.ts';
import type { CircuitId } from './lib/params.ts';

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
  const args = [
    cli,
    source,
    '--r1cs',
    '--wasm',
    '--O2',
    '-l',
    'node_modules',
    '-o',
    relative(REPO_ROOT, buildDir),
  ];
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
    throw new ProofError(ErrorCode.Internal, `circom2 failed on ${circuit}`, {
      code,
      output: stdout + stderr,
    });
  }
  const r1csPath = join(buildDir, `${circuit}.r1cs`);
  const header = readR1csHeader(new Uint8Array(await readFile(r1csPath)));
  return {
    circuit,
    r1csPath,
    wasmPath: join(buildDir, `${circuit}_js`, `${circuit}.wasm`),
    constraints: header.constraints,
    publicInputs: header.publicInputs,
  };
}

/**
 * Reads the header section of an .r1cs file (iden3 binary format: magic "r1cs", version, then
 * sections of (type u32, size u64); section 1 holds the counts). snarkjs's r1cs.info would do,
 * but it builds a threaded curve and leaks a file handle for a few integers.
 */
export function readR1csHeader(bytes: Uint8Array): {
  constraints: number;
  publicInputs: number;
  wires: number;
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'r1cs') {
    throw new ProofError(ErrorCode.ProofBadInput, 'not an r1cs file');
  }
  const sections = view.getUint32(8, true);
  let at = 12;
  for (let i = 0; i < sections; i++) {
    const type = view.getUint32(at, true);
    const size = Number(view.getBigUint64(at + 4, true));
    at += 12;
    if (type === 1) {
      const n8 = view.getUint32(at, true);
      const h = at + 4 + n8;
      return {
        wires: view.getUint32(h, true),
        publicInputs: view.getUint32(h + 4, true) + view.getUint32(h + 8, true),
        constraints: view.getUint32(h + 24, true),
      };
    }
    at += size;
  }
  throw new ProofError(ErrorCode.ProofBadInput, 'r1cs file has no header section');
}

/** Smallest powers-of-tau exponent whose domain fits the circuit (snarkjs needs n + public + 1). */
export function requiredPower(c: Pick<CompiledCircuit, 'constraints' | 'publicInputs'>): number {
  return Math.ceil(Math.log2(c.constraints + c.publicInputs + 1));
}
