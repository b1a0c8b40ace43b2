/**
 * `bun circuits/build.ts [--check] [circuit...]`: compiles the circuits and prints their constraint
 * counts and the powers-of-tau size each needs. No keys are made here: see ceremony.ts.
 * --check also compares the compiled r1cs and wasm with the newest manifest entry (the compiler is
 * deterministic), i.e. that the committed artifacts were made from these sources; exits 1 if not.
 */
import { readFile } from 'node:fs/promises';
import { compileCircuit, requiredPower } from './compile.ts';
import { sha256Hex } from './lib/field.ts';
import { findEntry } from './lib/manifest.ts';
import { readManifest } from './lib/manifest-fs.ts';
import { CIRCUIT_IDS, type CircuitId } from './lib/params.ts';

if (import.meta.main) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const wanted = args.filter((a) => a !== '--check');
  const circuits = wanted.length > 0 ? (wanted as CircuitId[]) : CIRCUIT_IDS;
  const manifest = check ? await readManifest() : undefined;
  let stale = 0;
  for (const circuit of circuits) {
    if (!CIRCUIT_IDS.includes(circuit))
      throw new Error(`unknown circuit ${circuit}; known: ${CIRCUIT_IDS.join(', ')}`);
    const started = performance.now();
    const c = await compileCircuit(circuit);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${circuit}: ${c.constraints} constraints, ${c.publicInputs} public inputs, needs ptau 2^${requiredPower(c)} (compiled in ${seconds} s)`,
    );
    if (manifest === undefined) continue;
    const entry = findEntry(manifest, circuit);
    const r1cs = sha256Hex(new Uint8Array(await readFile(c.r1csPath)));
    const wasm = sha256Hex(new Uint8Array(await readFile(c.wasmPath)));
    const same = entry !== undefined && entry.r1cs.sha256 === r1cs && entry.wasm.sha256 === wasm;
    if (!same) stale++;
    console.log(`  ${same ? 'matches' : 'DIFFERS FROM'} manifest v${entry?.version ?? '-'}`);
  }
  if (stale > 0) process.exit(1);
}
