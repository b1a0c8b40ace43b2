import { type ErrorCode, ShardmeshError } from '../../protocol/errors.ts';

/**
 * Every failure of the proof layer: bad input to a prover, an artifact whose hash does not match
 * the manifest, an unknown or retired key version, an invalid, mismatched or replayed proof.
 * `code` is the stable wire code; `details.field` names the public signal that did not match.
 */
export class ProofError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(code, message, details, options);
    this.name = 'ProofError';
  }
}
