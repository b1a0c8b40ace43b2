/**
 * Installs a global `Buffer` in the dedicated worker, before anything else is evaluated (import
 * this first). circomlibjs (Poseidon, for the prover's circuit inputs) pulls in blake-hash, which
 * calls `Buffer.from` when its module loads; browsers have no Buffer, and the bundler polyfills
 * only imports of 'buffer', not the global.
 */
import { Buffer } from 'node:buffer';

const scope = globalThis as { Buffer?: unknown };
scope.Buffer ??= Buffer;
