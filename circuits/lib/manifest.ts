/**
 * The artifact manifest (circuits/artifacts/manifest.json): which circuit versions exist and the
 * SHA-256 of every file, so provers refuse a tampered zkey/wasm and verifiers know each key.
 * Pure and browser-safe; reading from disk is in manifest-fs.ts.
 */
import { ErrorCode } from '../../protocol/errors.ts';
import { ProofError } from './errors.ts';
import { sha256Hex } from './field.ts';
import { CIRCUIT_IDS, type CircuitId } from './params.ts';

export interface ArtifactFile {
  /** Relative to the artifacts directory, e.g. `result_binding/v1/circuit.zkey`. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface ManifestEntry {
  circuit: CircuitId;
  version: number;
  constraints: number;
  publicSignals: string[];
  /** The r1cs is not shipped (not needed to prove or verify); its hash pins the compiled circuit. */
  r1cs: { sha256: string; bytes: number };
  /** The prepared powers of tau the zkey came from (not shipped: it is only needed to set up). */
  ptau: { power: number; sha256: string };
  wasm: ArtifactFile;
  zkey: ArtifactFile;
  vkey: ArtifactFile;
}

export interface Manifest {
  format: 1;
  /** True for keys from a local single-party ceremony: whoever ran it can forge proofs. */
  development: boolean;
  note: string;
  circuits: ManifestEntry[];
}

/** Groth16 verification key as snarkjs exports it (kept opaque beyond what we check). */
export type VerificationKey = Record<string, unknown> & { protocol: string; curve: string; nPublic: number };

const HEX64 = /^[0-9a-f]{64}$/;

function bad(message: string): never {
  throw new ProofError(ErrorCode.ProofBadInput, `invalid manifest: ${message}`);
}

function checkFile(f: unknown, what: string): ArtifactFile {
  const file = f as Partial<ArtifactFile> | undefined;
  if (typeof file?.path !== 'string' || file.path.includes('..')) bad(`${what}.path`);
  if (typeof file.sha256 !== 'string' || !HEX64.test(file.sha256)) bad(`${what}.sha256`);
  if (!Number.isSafeInteger(file.bytes)) bad(`${what}.bytes`);
  return file as ArtifactFile;
}

/** Validates parsed JSON as a Manifest (throws ProofError PROOF_BAD_INPUT). */
export function parseManifest(json: unknown): Manifest {
  const m = json as Partial<Manifest> | undefined;
  if (m?.format !== 1) bad('format');
  if (!Array.isArray(m.circuits)) bad('circuits');
  for (const e of m.circuits) {
    if (!CIRCUIT_IDS.includes(e.circuit)) bad(`unknown circuit ${String(e.circuit)}`);
    if (!Number.isSafeInteger(e.version) || e.version < 1) bad(`${e.circuit}.version`);
    if (!Array.isArray(e.publicSignals)) bad(`${e.circuit}.publicSignals`);
    for (const k of ['wasm', 'zkey', 'vkey'] as const) checkFile(e[k], `${e.circuit}.${k}`);
  }
  return m as Manifest;
}

export function findEntry(
  manifest: Manifest,
  circuit: CircuitId,
  version?: number,
): ManifestEntry | undefined {
  const matching = manifest.circuits.filter((e) => e.circuit === circuit);
  if (version !== undefined) return matching.find((e) => e.version === version);
  return matching.reduce<ManifestEntry | undefined>(
    (best, e) => (best && best.version > e.version ? best : e),
    undefined,
  );
}

/** Throws PROOF_ARTIFACT_MISMATCH unless `bytes` hash to what the manifest pins. */
export function checkArtifact(bytes: Uint8Array, file: ArtifactFile): Uint8Array {
  const actual = sha256Hex(bytes);
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

/** Parses and checks a vkey file against its pinned hash. */
export function parseVerificationKey(bytes: Uint8Array, file: ArtifactFile): VerificationKey {
  checkArtifact(bytes, file);
  const vkey = JSON.parse(new TextDecoder().decode(bytes)) as VerificationKey;
  if (vkey.protocol !== 'groth16' || vkey.curve !== 'bn128') bad(`${file.path} is not a groth16 bn128 key`);
  return vkey;
}
