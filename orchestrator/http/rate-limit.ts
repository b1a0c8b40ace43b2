/**
 * A token bucket per API key: `ratePerSec` sustained, `burst` at once. In memory: a restart
 * refills every bucket, which errs on the side of serving researchers.
 */
import { ErrorCode, RequestError } from '../../protocol/errors.ts';

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token for `key` or throws RATE_LIMITED with the seconds to wait. */
  take(key: string): void {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSec);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSec = Math.ceil((1 - bucket.tokens) / this.ratePerSec);
      throw new RequestError(ErrorCode.RateLimited, 'too many requests', { retryAfterSec });
    }
    bucket.tokens -= 1;
  }
}
