/** Typed errors of the verified-digest log; the wire codes are the LOG_* group of ErrorCode. */
import { type ErrorCode, ShardmeshError } from '../../protocol/errors.ts';

/** A log record, batch or sync exchange failed a check. `details` names origin and seq. */
export class LogError extends ShardmeshError {
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(code, message, details, options);
    this.name = 'LogError';
  }
}
