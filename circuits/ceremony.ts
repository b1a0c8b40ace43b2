/**
 * Local trusted setup for every circuit: powers of tau (phase 1) plus a Groth16 phase 2 per
 * circuit, writing versioned artifacts and the manifest:
 *
 *   circuits/artifacts/<circuit>/v<version>/{circuit.wasm, circuit.zkey, vkey.json}
 *   circuits/artifacts/manifest.json   (sha256 of r1cs, wasm, zkey, vkey, ptau per entry)
 *
 * Single party: the randomness ("toxic waste") lives only in this process's memory and is
 * discarded, but nobody else can check that, so whoever ran this can forge proofs for its keys.
 * Keys made here are development keys unless the verifying operator ran it. See docs/proofs.md.
 *
 * `bun circuits/ceremony.ts [--version N] [--circuits a,b] [--fresh-ptau]`; the CLI's
 * `shardmesh ceremony` calls runCeremony. The prepared ptau is cached in the build dir (git-ignored)
 * because phase 1 is the slow step (2^13: minutes on 2 cores).
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfAborted } from '../protocol/errors.ts';
import { compileCircuit, DEFAULT_BUILD_DIR, requiredPower } from './compile.ts';
import { sha256Hex, toHex } from './lib/field.ts';
import type { ArtifactFile, Manifest, ManifestEntry } from './lib/manifest.ts';
import { DEFAULT_ARTIFACTS_DIR, readManifest } from './lib/manifest-fs.ts';
import { CIRCUIT_IDS, type CircuitId, PUBLIC_SIGNALS } from './lib/params.ts';
import { loadSnarkjs, terminateCurves } from './lib/snarkjs-bun.ts';

export interface CeremonyOptions {
  /** Where versioned artifacts and manifest.json go. Default: circuits/artifacts. */
  artifactsDir?: string;
  /** Compiler output and the cached ptau. Default: circuits/build. */
  buildDir?: string;
  /** Version written for every circuit. Default 1. An existing (circuit, version) is replaced. */
  version?: number;
  /** Default: all circuits. */
  circuits?: readonly CircuitId[];
  /** Powers-of-tau exponent. Default: the smallest that fits every selected circuit. */
  power?: number;
  /** Reuse build/pot<power>_final.ptau when it exists. Default true. */
  reusePtau?: boolean;
  /** Recorded in the manifest; true unless the operator who verifies ran this ceremony. */
  development?: boolean;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface CeremonyResult {
  manifest: Manifest;
  entries: ManifestEntry[];
  power: number;
  /** Wall-clock seconds per step, for the record. */
  seconds: Record<string, number>;
}

const DEV_NOTE =
  'Development keys from a single-party local ceremony: whoever ran it could forge proofs. ' +
  'Production verifiers must run their own ceremony (shardmesh ceremony) and pin its manifest.';

function entropy(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(64)));
}

async function fileInfo(dir: string, path: string): Promise<ArtifactFile> {
  const bytes = new Uint8Array(await readFile(join(dir, path)));
  return { path, sha256: sha256Hex(bytes), bytes: bytes.length };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function runCeremony(opts: CeremonyOptions = {}): Promise<CeremonyResult> {
  const artifactsDir = opts.artifactsDir ?? DEFAULT_ARTIFACTS_DIR;
  const buildDir = opts.buildDir ?? DEFAULT_BUILD_DIR;
  const version = opts.version ?? 1;
  const circuits = opts.circuits ?? CIRCUIT_IDS;
  const log = opts.log ?? ((line: string) => console.log(line));
  const { signal } = opts;
  const seconds: Record<string, number> = {};
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    throwIfAborted(signal);
    const started = performance.now();
    const value = await fn();
    seconds[step] = Math.round((performance.now() - started) / 100) / 10;
    log(`${step}: ${seconds[step]} s`);
    return value;
  };

  const snarkjs = await loadSnarkjs();
  try {
    const compiled = [];
    for (const circuit of circuits) {
      const c = await timed(`compile ${circuit}`, () => compileCircuit(circuit, { buildDir, signal }));
      log(`  ${circuit}: ${c.constraints} constraints, ${c.publicInputs} public inputs`);
      compiled.push(c);
    }
    const power = opts.power ?? Math.max(...compiled.map(requiredPower));

    // Phase 1. The tau of this accumulator is the toxic waste of every key below.
    const ptau = join(buildDir, `pot${power}_final.ptau`);
    if (opts.reusePtau === false || !(await exists(ptau))) {
      const curve = await snarkjs.curves.getCurveFromName('bn128');
      const p0 = join(buildDir, `pot${power}_0.ptau`);
      const p1 = join(buildDir, `pot${power}_1.ptau`);
      await timed('ptau new', () => snarkjs.powersOfTau.newAccumulator(curve, power, p0));
      await timed('ptau contribute', () =>
        snarkjs.powersOfTau.contribute(p0, p1, 'shardmesh dev', entropy()),
      );
      await timed('ptau prepare phase2', () => snarkjs.powersOfTau.preparePhase2(p1, ptau));
    } else {
      log(`reusing ${ptau}`);
    }
    const ptauSha = sha256Hex(new Uint8Array(await readFile(ptau)));

    const entries: ManifestEntry[] = [];
    for (const c of compiled) {
      const rel = join(c.circuit, `v${version}`);
      const dir = join(artifactsDir, rel);
      await mkdir(dir, { recursive: true });
      const z0 = join(buildDir, `${c.circuit}_0.zkey`);
      const zkey = join(dir, 'circuit.zkey');
      await timed(`setup ${c.circuit}`, () => snarkjs.zKey.newZKey(c.r1csPath, ptau, z0));
      await timed(`phase2 contribute ${c.circuit}`, () =>
        snarkjs.zKey.contribute(z0, zkey, 'shardmesh dev phase2', entropy()),
      );
      const vkey = await snarkjs.zKey.exportVerificationKey(zkey);
      await writeFile(join(dir, 'vkey.json'), `${JSON.stringify(vkey, null, 1)}\n`);
      await copyFile(c.wasmPath, join(dir, 'circuit.wasm'));
      const r1cs = new Uint8Array(await readFile(c.r1csPath));
      entries.push({
        circuit: c.circuit,
        version,
        constraints: c.constraints,
        publicSignals: [...PUBLIC_SIGNALS[c.circuit]],
        r1cs: { sha256: sha256Hex(r1cs), bytes: r1cs.length },
        ptau: { power, sha256: ptauSha },
        wasm: await fileInfo(artifactsDir, join(rel, 'circuit.wasm')),
        zkey: await fileInfo(artifactsDir, join(rel, 'circuit.zkey')),
        vkey: await fileInfo(artifactsDir, join(rel, 'vkey.json')),
      });
    }

    // Keep every other (circuit, version) already in the manifest: old versions stay verifiable.
    const previous = await readManifest(artifactsDir).catch(() => undefined);
    const kept = (previous?.circuits ?? []).filter(
      (e) => !entries.some((n) => n.circuit === e.circuit && n.version === e.version),
    );
    const manifest: Manifest = {
      format: 1,
      development: opts.development ?? true,
      note: DEV_NOTE,
      circuits: [...kept, ...entries].sort(
        (a, b) => a.circuit.localeCompare(b.circuit) || a.version - b.version,
      ),
    };
    await writeFile(join(artifactsDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest, entries, power, seconds };
  } finally {
    await terminateCurves();
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.main) {
  const started = performance.now();
  const versionArg = argValue('--version');
  const circuitsArg = argValue('--circuits');
  const result = await runCeremony({
    ...(versionArg === undefined ? {} : { version: Number(versionArg) }),
    ...(circuitsArg === undefined ? {} : { circuits: circuitsArg.split(',') as CircuitId[] }),
    reusePtau: !process.argv.includes('--fresh-ptau'),
  });
  for (const e of result.entries) {
    console.log(
      `${e.circuit} v${e.version}: ${e.constraints} constraints; wasm ${e.wasm.bytes} B, zkey ${e.zkey.bytes} B, vkey ${e.vkey.bytes} B`,
    );
  }
  console.log(
    `ceremony done in ${((performance.now() - started) / 1000).toFixed(0)} s (ptau 2^${result.power})`,
  );
}
