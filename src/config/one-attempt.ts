/**
 * Lets one call of a client go out as a single attempt without touching the client's maxAttempts or passing
 * per-call options (which would cost the SDK's middleware cache, see abort-context.ts): the client's own retry
 * strategy is wrapped so that, for a call run inside withOneAttempt, it grants no retry. The SDK's retry middleware
 * then ends the call with the error of its first attempt. No Node-RED import.
 */
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { inOneAttempt } from './abort-context';

/** What the retry middleware reads of a client's resolved configuration. */
interface RetryConfig {
  retryStrategy: () => Promise<unknown>;
}

function isV2(strategy: unknown): strategy is RetryStrategyV2 {
  const s = strategy as Partial<RetryStrategyV2> | null;
  return typeof s?.acquireInitialRetryToken === 'function' && typeof s.refreshRetryTokenForRetry === 'function' && typeof s.recordSuccess === 'function';
}

/** The strategy, but no retry inside withOneAttempt. */
export function oneAttemptAware(strategy: RetryStrategyV2): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: (scope: string) => strategy.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: (token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> =>
      inOneAttempt() ? Promise.reject(info.error) : strategy.refreshRetryTokenForRetry(token, info),
    recordSuccess: (token: RetryToken) => strategy.recordSuccess(token),
  };
}

/** Wraps a client's retry strategy (once, after the client is made: the retry middleware reads it per call). */
export function allowOneAttempt(client: { config: RetryConfig }): void {
  const base = client.config.retryStrategy;
  let wrapped: Promise<unknown> | undefined;
  client.config.retryStrategy = () => (wrapped ??= base().then((s) => (isV2(s) ? oneAttemptAware(s) : s)));
}
