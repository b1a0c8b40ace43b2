/** Reading the manifest and pinned artifacts from a directory (Bun / Node only). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfAborted } from '../../protocol/errors.ts';
import { type ArtifactFile, checkArtifact, type Manifest, parseManifest } from './manifest.ts';

/** The committed development artifacts. */
export const DEFAULT_ARTIFACTS_DIR = join(import.meta.dir, '..', 'artifacts');

export async function readManifest(
  dir = DEFAULT_ARTIFACTS_DIR,
  opts: { signal?: AbortSignal } = {},
): Promise<Manifest> {
  throwIfAborted(opts.signal);
  return parseManifest(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
}

/** Reads one artifact and checks its SHA-256 against the manifest before returning it. */
export async function readArtifact(
  dir: string,
  file: ArtifactFile,
  opts: { signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  throwIfAborted(opts.signal);
  const bytes = new Uint8Array(await readFile(join(dir, file.path)));
  throwIfAborted(opts.signal);
  return checkArtifact(bytes, file);
}
