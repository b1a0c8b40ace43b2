/**
 * KeyVersions: the verification-key versions a running orchestrator accepts, changed without a
 * restart, and the manifest it hands to workers (only active versions, so a worker never loads a
 * key its proofs would be refused for).
 *
 * The verifier itself loads lazily (snarkjs and the curve are heavy); until it has loaded, every
 * entry of the base manifest is active, exactly as createVerifier will make it. Changing versions
 * loads it.
 */
import type { Manifest, ManifestEntry, VerificationKey } from '../../circuits/lib/manifest.ts';
import type { CircuitId } from '../../circuits/lib/params.ts';
import type { Verifier } from './verifier.ts';

export interface KeyVersionsOptions {
  /** The manifest the verifier starts from (every entry active). */
  baseManifest: (opts: { signal?: AbortSignal }) => Promise<Manifest>;
  /** The shared verifier (the dispatcher's proof check uses the same one). */
  verifier: () => Promise<Verifier>;
  /** Whether `verifier()` has already been called (so reading versions does not load it). */
  verifierLoaded: () => boolean;
}

export interface ActiveVersion {
  circuit: CircuitId;
  version: number;
}

const keyOf = (circuit: string, version: number) => `${circuit}@v${version}`;

export class KeyVersions {
  /** Entries added at runtime, beyond the base manifest (their files live in the same directory). */
  private readonly added = new Map<string, ManifestEntry>();

  /** Read once, as the verifier reads it once: later edits on disk need addVersion. */
  private base: Promise<Manifest> | undefined;

  constructor(private readonly opts: KeyVersionsOptions) {}

  /** Activates a version (or re-activates a retired one); proofs for it verify from now on. */
  async addVersion(
    entry: ManifestEntry,
    opts: { vkey?: VerificationKey; signal?: AbortSignal } = {},
  ): Promise<void> {
    await (await this.opts.verifier()).addVersion(entry, opts);
    this.added.set(keyOf(entry.circuit, entry.version), entry);
  }

  /** Proofs for this version are refused with PROOF_VERSION_RETIRED from now on. */
  async retireVersion(circuit: CircuitId, version: number): Promise<void> {
    (await this.opts.verifier()).retireVersion(circuit, version);
  }

  async activeVersions(opts: { signal?: AbortSignal } = {}): Promise<ActiveVersion[]> {
    return (await this.activeManifest(opts)).circuits.map((e) => ({
      circuit: e.circuit,
      version: e.version,
    }));
  }

  /** The manifest workers get: base and added entries that the verifier currently accepts. */
  async activeManifest(opts: { signal?: AbortSignal } = {}): Promise<Manifest> {
    this.base ??= this.opts.baseManifest(opts);
    this.base.catch(() => {
      this.base = undefined;
    });
    const base = await this.base;
    const entries = new Map<string, ManifestEntry>();
    for (const e of base.circuits) entries.set(keyOf(e.circuit, e.version), e);
    for (const [key, e] of this.added) entries.set(key, e);
    if (!this.opts.verifierLoaded()) return { ...base, circuits: [...entries.values()] };
    const active = new Set(
      (await this.opts.verifier()).activeVersions().map((v) => keyOf(v.circuit, v.version)),
    );
    return { ...base, circuits: [...entries.entries()].filter(([k]) => active.has(k)).map(([, e]) => e) };
  }
}
