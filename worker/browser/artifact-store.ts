/**
 * Proving artifacts (witness wasm, zkey: ~10 MB for result_binding) for the browser prover:
 * fetched from the orchestrator by SHA-256, checked against the manifest with WebCrypto before
 * use, and kept in the Origin Private File System under `shardmesh-artifacts/<sha256>`, so a
 * reload or a later visit proves without downloading them again. Nothing read back from OPFS is
 * trusted either: it is hashed again, and a file that no longer matches is deleted and refetched.
 */
import { ProofError } from '../../circuits/lib/errors.ts';
import type { ArtifactFile } from '../../circuits/lib/manifest.ts';
import { ErrorCode, throwIfAborted } from '../../protocol/errors.ts';
import { sha256Hex } from '../../protocol/hex.ts';

export type FetchArtifact = (sha256: string, opts: { signal?: AbortSignal }) => Promise<Uint8Array>;

export interface ArtifactStoreOptions {
  fetchArtifact: FetchArtifact;
  /** OPFS folder. Default 'shardmesh-artifacts'. `false`: no persistent cache. */
  cacheDir?: string | false;
  log?: (line: string) => void;
}

export interface ArtifactStore {
  /** Checked bytes of `file`, from OPFS when cached and still matching, else from the orchestrator. */
  load(file: ArtifactFile, opts?: { signal?: AbortSignal }): Promise<Uint8Array<ArrayBuffer>>;
  /** Where the bytes of each load came from, by hash (tests, logs). */
  readonly sources: ReadonlyMap<string, 'cache' | 'orchestrator'>;
}

/** Throws PROOF_ARTIFACT_MISMATCH (the code createProver uses) unless the bytes match the pin. */
export async function checkArtifactDigest(
  bytes: Uint8Array<ArrayBuffer>,
  file: ArtifactFile,
): Promise<Uint8Array<ArrayBuffer>> {
  const actual = await sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw new ProofError(
      ErrorCode.ProofArtifactMismatch,
      `artifact ${file.path} does not match the manifest`,
      {
        path: file.path,
        expected: file.sha256,
        actual,
      },
    );
  }
  return bytes;
}

async function cacheFolder(name: string): Promise<FileSystemDirectoryHandle | undefined> {
  try {
    const root = await navigator.storage.getDirectory();
    return await root.getDirectoryHandle(name, { create: true });
  } catch {
    return undefined; // no OPFS (private mode, old browser): memory only
  }
}

export function artifactStore(opts: ArtifactStoreOptions): ArtifactStore {
  const log = opts.log ?? (() => {});
  const folder =
    opts.cacheDir === false
      ? Promise.resolve(undefined)
      : cacheFolder(opts.cacheDir ?? 'shardmesh-artifacts');
  const sources = new Map<string, 'cache' | 'orchestrator'>();

  const readCached = async (file: ArtifactFile): Promise<Uint8Array<ArrayBuffer> | undefined> => {
    const dir = await folder;
    if (dir === undefined) return undefined;
    try {
      const handle = await dir.getFileHandle(file.sha256);
      const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
      return await checkArtifactDigest(bytes, file);
    } catch (err) {
      if (err instanceof ProofError) {
        log(`cached artifact ${file.path} no longer matches its hash: refetching`);
        await dir.removeEntry(file.sha256).catch(() => {});
      }
      return undefined; // not cached (NotFoundError) or unreadable
    }
  };

  const writeCached = async (file: ArtifactFile, bytes: Uint8Array<ArrayBuffer>): Promise<void> => {
    const dir = await folder;
    if (dir === undefined) return;
    try {
      const writable = await (await dir.getFileHandle(file.sha256, { create: true })).createWritable();
      await writable.write(bytes);
      await writable.close();
    } catch (err) {
      // A full quota only costs the next visit a download.
      log(`could not cache artifact ${file.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return {
    sources,
    async load(file, o = {}) {
      throwIfAborted(o.signal);
      const cached = await readCached(file);
      if (cached !== undefined) {
        sources.set(file.sha256, 'cache');
        return cached;
      }
      const fetched = await opts.fetchArtifact(file.sha256, o.signal ? { signal: o.signal } : {});
      throwIfAborted(o.signal);
      const bytes = await checkArtifactDigest(new Uint8Array(fetched), file);
      sources.set(file.sha256, 'orchestrator');
      await writeCached(file, bytes);
      return bytes;
    },
  };
}
