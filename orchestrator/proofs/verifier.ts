/**
 * createVerifier: checks Groth16 proofs against cached verification keys, several versions of
 * each circuit active at once (added and retired at runtime, no restart), and the orchestrator's
 * expectations (task, seed, digest, worker, nonce), then the replay guard.
 *
 * Order of checks, cheapest first, each with its own code:
 *   unknown / retired version -> PROOF_UNKNOWN_VERSION / PROOF_VERSION_RETIRED
 *   malformed proof or signals -> PROOF_INVALID
 *   a public signal that is not what we expect -> PROOF_MISMATCH (details.field)
 *   nonce or proof seen before -> PROOF_REPLAYED
 *   pairing check fails -> PROOF_INVALID
 * and only then is the nonce consumed. The cost is the pairing (~tens of ms, event loop blocked).
 */
import type { Groth16Proof } from 'snarkjs';
import { ProofError } from '../../circuits/lib/errors.ts';
import {
  type Manifest,
  type ManifestEntry,
  parseVerificationKey,
  type VerificationKey,
} from '../../circuits/lib/manifest.ts';
import { DEFAULT_ARTIFACTS_DIR, readArtifact, readManifest } from '../../circuits/lib/manifest-fs.ts';
import { type CircuitId, PUBLIC_SIGNALS } from '../../circuits/lib/params.ts';
import { loadSnarkjs, useSingleThreadCurve } from '../../circuits/lib/snarkjs-bun.ts';
import { ErrorCode, throwIfAborted } from '../../protocol/errors.ts';
import { type ExpectedByCircuit, expectedSignals } from './expected.ts';
import { checkProofShape, proofFingerprint } from './proof-shape.ts';
import type { ProofReplayGuard } from './replay-guard.ts';

export interface VerifierOptions {
  /** Versions active at start. Default: every entry of artifactsDir/manifest.json. */
  manifest?: Manifest;
  /** Where vkey files are read from by default. Default: circuits/artifacts. */
  artifactsDir?: string;
  /** Loads (and must hash-check) a version's verification key. Default: read it from artifactsDir. */
  loadVerificationKey?: (entry: ManifestEntry, opts: { signal?: AbortSignal }) => Promise<VerificationKey>;
  /** When given, a verified proof's nonce and fingerprint are consumed here. */
  replayGuard?: ProofReplayGuard;
  signal?: AbortSignal;
}

export type VerifyRequest = {
  [Circuit in CircuitId]: {
    circuit: Circuit;
    version: number;
    proof: Groth16Proof;
    publicSignals: string[];
    expected: ExpectedByCircuit[Circuit];
  };
}[CircuitId];

export interface VerifyOk {
  circuit: CircuitId;
  version: number;
  proofHash: string;
  publicSignals: string[];
}

export interface Verifier {
  verify(req: VerifyRequest, opts?: { signal?: AbortSignal }): Promise<VerifyOk>;
  /** Activates a version (loading its key unless given); re-activates a retired one. */
  addVersion(entry: ManifestEntry, opts?: { vkey?: VerificationKey; signal?: AbortSignal }): Promise<void>;
  /** Refuses proofs for this version from now on (PROOF_VERSION_RETIRED). */
  retireVersion(circuit: CircuitId, version: number): void;
  activeVersions(): Array<{ circuit: CircuitId; version: number }>;
}

const keyOf = (circuit: string, version: number) => `${circuit}@v${version}`;

export async function createVerifier(opts: VerifierOptions = {}): Promise<Verifier> {
  const dir = opts.artifactsDir ?? DEFAULT_ARTIFACTS_DIR;
  const load =
    opts.loadVerificationKey ??
    (async (entry: ManifestEntry, o: { signal?: AbortSignal }) =>
      parseVerificationKey(await readArtifact(dir, entry.vkey, o), entry.vkey));
  const active = new Map<string, { entry: ManifestEntry; vkey: VerificationKey }>();
  const retired = new Set<string>();
  const snarkjs = await loadSnarkjs();
  await useSingleThreadCurve();

  const addVersion: Verifier['addVersion'] = async (entry, o = {}) => {
    const vkey = o.vkey ?? (await load(entry, o.signal ? { signal: o.signal } : {}));
    if (vkey.nPublic !== PUBLIC_SIGNALS[entry.circuit].length) {
      throw new ProofError(
        ErrorCode.ProofBadInput,
        `${keyOf(entry.circuit, entry.version)} key has the wrong arity`,
      );
    }
    const key = keyOf(entry.circuit, entry.version);
    active.set(key, { entry, vkey });
    retired.delete(key);
  };

  const manifest = opts.manifest ?? (await readManifest(dir, opts.signal ? { signal: opts.signal } : {}));
  for (const entry of manifest.circuits) await addVersion(entry, opts.signal ? { signal: opts.signal } : {});

  return {
    addVersion,
    retireVersion(circuit, version) {
      const key = keyOf(circuit, version);
      if (active.delete(key)) retired.add(key);
    },
    activeVersions() {
      return [...active.values()].map(({ entry }) => ({ circuit: entry.circuit, version: entry.version }));
    },
    async verify(req, o = {}) {
      throwIfAborted(o.signal);
      const key = keyOf(req.circuit, req.version);
      const version = active.get(key);
      const where = { circuit: req.circuit, version: req.version, workerId: req.expected.workerId };
      if (version === undefined) {
        const retiredNow = retired.has(key);
        throw new ProofError(
          retiredNow ? ErrorCode.ProofVersionRetired : ErrorCode.ProofUnknownVersion,
          `${key} is ${retiredNow ? 'retired' : 'not a known version'}`,
          where,
        );
      }
      checkProofShape(req.proof, req.publicSignals, PUBLIC_SIGNALS[req.circuit].length, where);
      const expected = await expectedSignals(req.circuit, req.expected);
      for (const [i, e] of expected.entries()) {
        const actual = BigInt(req.publicSignals[i] as string);
        if (actual !== e.value) {
          throw new ProofError(ErrorCode.ProofMismatch, `proof is for another ${e.field}`, {
            ...where,
            field: e.field,
            expected: e.value.toString(),
            actual: actual.toString(),
          });
        }
      }
      const proofHash = proofFingerprint(req.proof);
      const nonce = req.publicSignals[PUBLIC_SIGNALS[req.circuit].indexOf('nonce' as never)] as string;
      opts.replayGuard?.throwIfSeen({ nonce, proofHash });
      throwIfAborted(o.signal);
      let valid: boolean;
      try {
        valid = await snarkjs.groth16.verify(version.vkey, req.publicSignals, req.proof);
      } catch (err) {
        // Points off the curve and similar garbage make snarkjs throw rather than return false.
        throw new ProofError(
          ErrorCode.ProofInvalid,
          'proof could not be checked',
          { ...where, reason: 'malformed' },
          { cause: err },
        );
      }
      if (!valid) throw new ProofError(ErrorCode.ProofInvalid, 'proof does not verify', where);
      opts.replayGuard?.consume({ nonce, proofHash, workerId: req.expected.workerId, circuit: req.circuit });
      return { circuit: req.circuit, version: req.version, proofHash, publicSignals: [...req.publicSignals] };
    },
  };
}
