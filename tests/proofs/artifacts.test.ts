/** The committed development artifacts: pinned by hash, and refused when tampered with. */
import { describe, expect, test } from 'bun:test';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../circuits/lib/field.ts';
import { DEFAULT_ARTIFACTS_DIR, readManifest } from '../../circuits/lib/manifest-fs.ts';
import { CIRCUIT_IDS, PUBLIC_SIGNALS } from '../../circuits/lib/params.ts';
import { createVerifier } from '../../orchestrator/proofs/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { createProver } from '../../worker/prover/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { artifactStore, refusal } from './helpers.ts';

describe('committed manifest', () => {
  test('lists every circuit, marked development-only, and every file matches its hash', async () => {
    const manifest = await readManifest();
    expect(manifest.development).toBe(true);
    expect(manifest.circuits.map((e) => e.circuit).sort()).toEqual([...CIRCUIT_IDS].sort());
    for (const e of manifest.circuits) {
      expect(e.publicSignals).toEqual([...PUBLIC_SIGNALS[e.circuit]]);
      expect(e.constraints).toBeLessThan(2 ** e.ptau.power);
      expect(e.r1cs.sha256).toMatch(/^[0-9a-f]{64}$/);
      for (const f of [e.wasm, e.zkey, e.vkey]) {
        const bytes = readFileSync(join(DEFAULT_ARTIFACTS_DIR, f.path));
        expect({ path: f.path, sha256: sha256Hex(bytes), bytes: bytes.length }).toEqual(f);
      }
    }
  });
});

describe('tampered artifacts are refused before use', () => {
  test('a fetched zkey that does not match its hash: PROOF_ARTIFACT_MISMATCH', async () => {
    const { manifest, bySha } = await artifactStore();
    const fetchArtifact = async (sha: string) => {
      const bytes = (bySha.get(sha) as Uint8Array).slice();
      if (manifest.circuits.some((e) => e.zkey.sha256 === sha)) bytes[0] = (bytes[0] as number) ^ 1;
      return bytes;
    };
    expect(await refusal(createProver({ manifest, fetchArtifact }))).toEqual({
      code: ErrorCode.ProofArtifactMismatch,
    });
  });

  test('a wasm or vkey changed on disk: PROOF_ARTIFACT_MISMATCH for the prover and the verifier', async () => {
    const dir = tempDir('shardmesh-artifacts-');
    try {
      cpSync(DEFAULT_ARTIFACTS_DIR, dir.path, { recursive: true });
      const manifest = await readManifest(dir.path);
      const entry = manifest.circuits[0];
      if (entry === undefined) throw new Error('empty manifest');
      const wasmPath = join(dir.path, entry.wasm.path);
      const wasm = readFileSync(wasmPath);
      wasm[100] = (wasm[100] as number) ^ 0xff;
      writeFileSync(wasmPath, wasm);
      expect(await refusal(createProver({ artifactsDir: dir.path, circuits: [entry.circuit] }))).toEqual({
        code: ErrorCode.ProofArtifactMismatch,
      });
      const vkeyPath = join(dir.path, entry.vkey.path);
      writeFileSync(vkeyPath, readFileSync(vkeyPath, 'utf8').replace('"nPublic"', ' "nPublic"'));
      expect(await refusal(createVerifier({ artifactsDir: dir.path }))).toEqual({
        code: ErrorCode.ProofArtifactMismatch,
      });
    } finally {
      dir.cleanup();
    }
  });

  test('an unknown circuit version is PROOF_UNKNOWN_VERSION at prover creation', async () => {
    expect(
      await refusal(createProver({ circuits: ['result_binding'], versions: { result_binding: 42 } })),
    ).toEqual({
      code: ErrorCode.ProofUnknownVersion,
    });
  });
});
