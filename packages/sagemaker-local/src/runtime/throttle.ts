/**
 * Throttling for the local endpoint server: a token bucket per endpoint, answering as SageMaker Runtime does when
 * an endpoint's request rate is exceeded: `ThrottlingException`, HTTP 400. The AWS SDK classes that error name as
 * throttling and retries it with backoff, so a client sees the same retries it would see against the service.
 */

import type { EndpointError, EndpointHandler } from './types';
import { errorStatus } from './wire';

export interface ThrottleOptions {
  /** sustained requests per second (tokens added per second); > 0 */
  rate: number;
  /** the most requests let through at once (bucket size); >= 1, default max(1, ceil(rate)) */
  burst?: number;
  /** a clock in milliseconds, for tests; default `performance.now()` */
  now?: () => number;
}

/** A token bucket: starts full, refills `rate` tokens per second up to `burst`; each request takes one. */
export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(options: ThrottleOptions) {
    if (!(typeof options.rate === 'number' && Number.isFinite(options.rate) && options.rate > 0)) {
      throw new RangeError(`throttle rate must be a number of requests per second above 0 (got ${String(options.rate)})`);
    }
    const burst = options.burst ?? Math.max(1, Math.ceil(options.rate));
    if (!(Number.isInteger(burst) && burst >= 1)) {
      throw new RangeError(`throttle burst must be a whole number of requests, at least 1 (got ${String(options.burst)})`);
    }
    this.rate = options.rate;
    this.burst = burst;
    this.tokens = burst;
    this.now = options.now ?? (() => performance.now());
    this.last = this.now();
  }

  /** Takes a token if there is one; false when the request is over the rate. */
  take(): boolean {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The service's answer to a throttled request. (The service itself often sends no message at all.) */
export function throttlingError(endpointName: string, bucket: TokenBucket): EndpointError {
  return {
    error: 'ThrottlingException',
    status: errorStatus('ThrottlingException'),
    message: `Rate exceeded for endpoint ${endpointName} (this local server allows ${bucket.rate} requests per second, bursts of ${bucket.burst}).`,
  };
}

/**
 * Wraps an endpoint's handler with its own token bucket. A request that finds the bucket empty is answered with
 * ThrottlingException and never reaches the handler. The server calls handlers only for authenticated, valid
 * requests to a known endpoint, so only those count.
 */
export function throttle(handler: EndpointHandler, options: ThrottleOptions): EndpointHandler {
  const bucket = new TokenBucket(options);
  return (req) => (bucket.take() ? handler(req) : throttlingError(req.endpointName, bucket));
}
