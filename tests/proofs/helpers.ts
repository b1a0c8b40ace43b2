/** Shared fixtures for the proof tests: the committed artifacts served by hash, error probes. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../../circuits/lib/manifest.ts';
import { DEFAULT_ARTIFACTS_DIR, readManifest } from '../../circuits/lib/manifest-fs.ts';

/** Every artifact of the committed manifest, keyed by SHA-256 (what an orchestrator would serve). */
export async function artifactStore(
  dir = DEFAULT_ARTIFACTS_DIR,
): Promise<{ manifest: Manifest; bySha: Map<string, Uint8Array> }> {
  const manifest = await readManifest(dir);
  const bySha = new Map<string, Uint8Array>();
  for (const e of manifest.circuits) {
    for (const f of [e.wasm, e.zkey, e.vkey])
      bySha.set(f.sha256, new Uint8Array(await readFile(join(dir, f.path))));
  }
  return { manifest, bySha };
}

/** The error a promise rejects with, as { code, field } (or a marker when it resolves). */
export async function refusal(p: Promise<unknown>): Promise<{ code: unknown; field?: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: unknown; details?: { field?: unknown } };
    return e.details?.field === undefined ? { code: e.code } : { code: e.code, field: e.details.field };
  }
  return { code: 'resolved' };
}
