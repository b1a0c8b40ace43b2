/**
 * Verification-key versions at runtime (docs/proofs.md, "Key versions"): list the active ones,
 * add a version (a new ceremony's entry, read from the artifacts manifest on disk and its vkey
 * checked by hash), retire one. Every change takes effect without a restart: the dispatcher's
 * proof check and the manifest served to workers share the orchestrator's KeyVersions.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { DEFAULT_ARTIFACTS_DIR, readManifest } from '../../../circuits/lib/manifest-fs.ts';
import { CIRCUIT_IDS, type CircuitId } from '../../../circuits/lib/params.ts';
import { ErrorCode, isShardmeshError, RequestError } from '../../../protocol/errors.ts';
import { hasVerifier, verifierFor } from '../../dispatch/proof-check.ts';
import { KeyVersions } from '../../proofs/key-versions.ts';
import type { ApiContext } from '../context.ts';
import { fromZodError, parseJsonBody } from '../validate.ts';

export interface VerificationKeyRoutesOptions {
  /** Where new versions' manifest and vkeys are read (default: circuits/artifacts). */
  artifactsDir?: string;
}

const circuit = z.enum(CIRCUIT_IDS as unknown as [CircuitId, ...CircuitId[]]);
const version = z.coerce.number().int().min(1).max(1_000_000);
export const VerificationKeyRefSchema = z.object({ circuit, version });

/** The orchestrator's shared KeyVersions, or (an API built alone, e.g. in tests) one over its db. */
function keyVersionsOf(ctx: ApiContext, dir: string): KeyVersions {
  if (ctx.keyVersions !== undefined) return ctx.keyVersions;
  const db = ctx.engine.db;
  return new KeyVersions({
    baseManifest: (o) => readManifest(dir, o),
    verifier: () => verifierFor(db),
    verifierLoaded: () => hasVerifier(db),
  });
}

/** A proof-layer refusal (bad vkey hash or arity) as a request error with the same details. */
function asRequestError(err: unknown): unknown {
  if (!isShardmeshError(err)) return err;
  if (err.code === ErrorCode.ProofArtifactMismatch || err.code === ErrorCode.ProofBadInput) {
    return new RequestError(ErrorCode.Conflict, err.message, { ...err.details, cause: err.code });
  }
  return err;
}

export function verificationKeyRoutes(ctx: ApiContext, opts: VerificationKeyRoutesOptions = {}): Hono {
  const dir = opts.artifactsDir ?? DEFAULT_ARTIFACTS_DIR;
  const versions = keyVersionsOf(ctx, dir);
  const app = new Hono();

  app.get('/', async (c) => {
    const manifest = await versions.activeManifest({ signal: c.req.raw.signal });
    return c.json({
      versions: manifest.circuits.map((e) => ({
        circuit: e.circuit,
        version: e.version,
        vkeySha256: e.vkey.sha256,
        zkeySha256: e.zkey.sha256,
        wasmSha256: e.wasm.sha256,
      })),
      development: manifest.development === true,
    });
  });

  app.post('/', async (c) => {
    const ref = await parseJsonBody(c, VerificationKeyRefSchema);
    // Re-read from disk: a ceremony run after start-up wrote the new version there.
    const manifest = await readManifest(dir, { signal: c.req.raw.signal });
    const entry = manifest.circuits.find((e) => e.circuit === ref.circuit && e.version === ref.version);
    if (entry === undefined) {
      throw new RequestError(
        ErrorCode.NotFound,
        `no ${ref.circuit} v${ref.version} in the artifacts manifest (run \`shardmesh ceremony\` first)`,
        { field: 'version' },
      );
    }
    await versions.addVersion(entry, { signal: c.req.raw.signal }).catch((err: unknown) => {
      throw asRequestError(err);
    });
    ctx.log(`verification key ${ref.circuit} v${ref.version} added`);
    return c.json({ circuit: ref.circuit, version: ref.version, active: true }, 201);
  });

  app.post('/:circuit/:version/retire', async (c) => {
    const parsed = VerificationKeyRefSchema.safeParse(c.req.param());
    if (!parsed.success) throw fromZodError(parsed.error);
    const { circuit: id, version: v } = parsed.data;
    const active = await versions.activeVersions({ signal: c.req.raw.signal });
    if (!active.some((a) => a.circuit === id && a.version === v)) {
      throw new RequestError(ErrorCode.NotFound, `${id} v${v} is not an active version`, {
        field: 'version',
      });
    }
    await versions.retireVersion(id, v);
    ctx.log(`verification key ${id} v${v} retired`);
    return c.json({ circuit: id, version: v, active: false });
  });

  return app;
}
