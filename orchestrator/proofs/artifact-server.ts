/**
 * ArtifactServer: serves the orchestrator's active manifest and the artifacts it lists over
 * ARTIFACT_PROTOCOL (wire format in artifact-wire.ts), so workers need no local copy of the keys.
 *
 * Lookup is by hash in the manifest, never by a path from the request: a hash the manifest does
 * not list is NOT_FOUND, so no other file can be read, whatever the request says. The bytes read
 * from disk are hash-checked before they are sent (a corrupted file is refused here, INTERNAL,
 * rather than shipped for the worker to refuse). Files are cached in memory once read.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Libp2p, Stream } from '@libp2p/interface';
import { type ArtifactFile, checkArtifact, type Manifest } from '../../circuits/lib/manifest.ts';
import { DEFAULT_ARTIFACTS_DIR } from '../../circuits/lib/manifest-fs.ts';
import { ErrorCode, isShardmeshError, ShardmeshError } from '../../protocol/errors.ts';
import {
  ARTIFACT_PROTOCOL,
  type ArtifactRequest,
  type ArtifactStream,
  encodeErrorResponse,
  encodeResponse,
  readRequest,
  sendAll,
} from './artifact-wire.ts';

export interface ArtifactServerOptions {
  /** The manifest to serve (and the only artifacts that may be served). */
  manifest: (opts: { signal?: AbortSignal }) => Promise<Manifest>;
  /** Where the manifest's relative paths resolve. Default: circuits/artifacts. */
  artifactsDir?: string;
  /** Concurrent inbound requests per connection. Default 8. */
  maxInboundStreams?: number;
  /** A request is abandoned after this long (slow or silent peers). Default 30 s. */
  requestTimeoutMs?: number;
  /** Called for each request served or refused (tests, metrics). */
  onRequest?: (event: ArtifactServed) => void;
  log?: (line: string) => void;
}

export interface ArtifactServed {
  peer: string;
  request: ArtifactRequest | undefined;
  /** Bytes sent on success; the error code otherwise. */
  bytes?: number;
  code?: ErrorCode;
}

/** Finds `sha256` among the manifest's served files (wasm, zkey, vkey); undefined if not listed. */
export function findArtifact(manifest: Manifest, sha256: string): ArtifactFile | undefined {
  for (const e of manifest.circuits) {
    for (const file of [e.wasm, e.zkey, e.vkey]) if (file.sha256 === sha256) return file;
  }
  return undefined;
}

export class ArtifactServer {
  private readonly dir: string;
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  private readonly controller = new AbortController();

  constructor(
    private readonly node: Libp2p,
    private readonly opts: ArtifactServerOptions,
  ) {
    this.dir = opts.artifactsDir ?? DEFAULT_ARTIFACTS_DIR;
  }

  async start(): Promise<void> {
    await this.node.handle(
      ARTIFACT_PROTOCOL,
      (stream, connection) => this.serve(stream, connection.remotePeer.toString()),
      {
        maxInboundStreams: this.opts.maxInboundStreams ?? 8,
      },
    );
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.node.unhandle(ARTIFACT_PROTOCOL).catch(() => {});
  }

  /** The response body for a request (manifest JSON or artifact bytes), or a typed error. */
  async lookup(request: ArtifactRequest, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const manifest = await this.opts.manifest(opts);
    if (request.kind === 'manifest') return new TextEncoder().encode(JSON.stringify(manifest));
    const file = findArtifact(manifest, request.sha256);
    if (file === undefined) {
      throw new ShardmeshError(ErrorCode.NotFound, 'no artifact with that hash in the manifest', {
        sha256: request.sha256,
      });
    }
    let bytes = this.cache.get(file.sha256);
    if (bytes === undefined) {
      bytes = readFile(join(this.dir, file.path)).then((b) => checkArtifact(new Uint8Array(b), file));
      this.cache.set(file.sha256, bytes);
      bytes.catch(() => this.cache.delete(file.sha256));
    }
    return bytes;
  }

  private async serve(stream: Stream, peer: string): Promise<void> {
    const s = stream as unknown as ArtifactStream;
    const signal = AbortSignal.any([
      this.controller.signal,
      AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000),
    ]);
    let request: ArtifactRequest | undefined;
    try {
      let response: Uint8Array;
      try {
        request = await readRequest(s, { signal });
        const body = await this.lookup(request, { signal });
        response = encodeResponse(body);
        this.opts.onRequest?.({ peer, request, bytes: body.byteLength });
      } catch (err) {
        const typed = toTyped(err);
        this.opts.onRequest?.({ peer, request, code: typed.code });
        if (typed.code === ErrorCode.Internal)
          this.opts.log?.(`artifact request from ${peer} failed: ${String(err)}`);
        response = encodeErrorResponse(typed);
      }
      await sendAll(s, response, { signal });
      await s.close({ signal });
    } catch (err) {
      s.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** Typed errors go back with their code; anything else (a disk failure) as INTERNAL. */
function toTyped(err: unknown): ShardmeshError {
  if (isShardmeshError(err) && err.code !== ErrorCode.ProofArtifactMismatch) return err;
  return new ShardmeshError(ErrorCode.Internal, 'artifact unavailable');
}
