/**
 * The artifact protocol on real libp2p nodes (TCP, Noise, Yamux on loopback): the server answers
 * only hashes its manifest lists, with exactly those bytes, and typed errors otherwise; a worker's
 * prover refuses tampered bytes from a lying server.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { sha256Hex } from '../../circuits/lib/field.ts';
import type { Manifest } from '../../circuits/lib/manifest.ts';
import { DEFAULT_ARTIFACTS_DIR } from '../../circuits/lib/manifest-fs.ts';
import { createNode } from '../../orchestrator/p2p/create-node.ts';
import { type ArtifactServed, ArtifactServer } from '../../orchestrator/proofs/artifact-server.ts';
import {
  ARTIFACT_PROTOCOL,
  type ArtifactStream,
  encodeResponse,
  readRequest,
  readResponse,
} from '../../orchestrator/proofs/artifact-wire.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { createProver } from '../../worker/prover/index.ts';
import { clearArtifactCache, remoteArtifacts } from '../../worker/prover/remote-artifacts.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { artifactStore, refusal } from './helpers.ts';

let server: Libp2p;
let client: Libp2p;
let full: Manifest;
let bySha: Map<string, Uint8Array>;
const served: ArtifactServed[] = [];
/** The server's manifest: only result_binding, so the other circuits' files are off limits. */
let narrow: Manifest;

beforeAll(async () => {
  ({ manifest: full, bySha } = await artifactStore());
  narrow = { ...full, circuits: full.circuits.filter((e) => e.circuit === 'result_binding') };
  server = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'] });
  const artifacts = new ArtifactServer(server, {
    manifest: async () => narrow,
    onRequest: (e) => served.push(e),
  });
  await artifacts.start();
  client = await createNode();
});
afterAll(async () => {
  await client.stop();
  await server.stop();
});

const addr = () => server.getMultiaddrs()[0]!.toString();
const remote = () => remoteArtifacts(client, { orchestrator: addr() });
const entry = () => narrow.circuits[0]!;

describe('artifact server', () => {
  test('serves its manifest and exactly the bytes each listed hash names', async () => {
    expect(await remote().manifest()).toEqual(narrow);
    clearArtifactCache();
    for (const file of [entry().vkey, entry().wasm, entry().zkey]) {
      const bytes = await remote().fetchArtifact(file.sha256);
      expect(bytes.byteLength).toBe(file.bytes);
      expect(sha256Hex(bytes)).toBe(file.sha256);
      expect(Buffer.from(bytes).equals(readFileSync(join(DEFAULT_ARTIFACTS_DIR, file.path)))).toBe(true);
    }
  });

  test('a hash the manifest does not list is NOT_FOUND, even when the file exists on disk', async () => {
    clearArtifactCache();
    const otherCircuit = full.circuits.find((e) => e.circuit !== 'result_binding')!.zkey.sha256;
    const manifestFile = sha256Hex(readFileSync(join(DEFAULT_ARTIFACTS_DIR, 'manifest.json')));
    for (const sha of [otherCircuit, manifestFile, 'f'.repeat(64)]) {
      expect(await refusal(remote().fetchArtifact(sha))).toEqual({ code: ErrorCode.NotFound });
    }
    expect(served.slice(-3).map((e) => e.code)).toEqual(Array(3).fill(ErrorCode.NotFound));
  });

  test('a path or anything but "manifest" / a SHA-256 is BAD_REQUEST', async () => {
    for (const text of ['../manifest.json', 'result_binding/v1/circuit.zkey', 'F'.repeat(64)]) {
      const stream = (await client.dialProtocol(
        multiaddr(addr()),
        ARTIFACT_PROTOCOL,
      )) as unknown as ArtifactStream;
      const body = new TextEncoder().encode(text);
      stream.send(new Uint8Array([body.byteLength, ...body]));
      await stream.close();
      expect(await refusal(readResponse(stream))).toEqual({ code: ErrorCode.BadRequest });
    }
  });

  test('a file corrupted on the server is refused there (INTERNAL), not shipped', async () => {
    const dir = tempDir();
    try {
      cpSync(DEFAULT_ARTIFACTS_DIR, dir.path, { recursive: true });
      const vkey = entry().vkey;
      writeFileSync(join(dir.path, vkey.path), '{"protocol":"groth16","curve":"bn128","nPublic":0}');
      const node = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'] });
      const corrupt = new ArtifactServer(node, { manifest: async () => narrow, artifactsDir: dir.path });
      await corrupt.start();
      try {
        clearArtifactCache();
        const at = remoteArtifacts(client, { orchestrator: node.getMultiaddrs()[0]!.toString() });
        expect(await refusal(at.fetchArtifact(vkey.sha256))).toEqual({ code: ErrorCode.Internal });
      } finally {
        await node.stop();
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('a lying server', () => {
  test('its tampered zkey is refused by the prover (PROOF_ARTIFACT_MISMATCH) and never cached', async () => {
    const liar = await createNode({ listen: ['/ip4/127.0.0.1/tcp/0'] });
    let requests = 0;
    await liar.handle(ARTIFACT_PROTOCOL, async (stream) => {
      const s = stream as unknown as ArtifactStream;
      const req = await readRequest(s);
      requests++;
      const body =
        req.kind === 'manifest'
          ? new TextEncoder().encode(JSON.stringify(narrow))
          : (bySha.get(req.sha256) as Uint8Array).slice();
      if (req.kind === 'artifact' && req.sha256 === entry().zkey.sha256)
        body[100] = (body[100] as number) ^ 1;
      s.send(encodeResponse(body));
      await s.close();
    });
    try {
      clearArtifactCache();
      const at = remoteArtifacts(client, { orchestrator: liar.getMultiaddrs()[0]!.toString() });
      const manifest = await at.manifest();
      const prove = () =>
        createProver({ manifest, fetchArtifact: at.fetchArtifact, circuits: ['result_binding'] });
      expect(await refusal(prove())).toEqual({ code: ErrorCode.ProofArtifactMismatch });
      const before = requests;
      expect(await refusal(prove())).toEqual({ code: ErrorCode.ProofArtifactMismatch });
      // The good wasm came from the cache; the bad zkey was fetched again.
      expect(requests - before).toBe(1);
    } finally {
      await liar.stop();
    }
  });
});
