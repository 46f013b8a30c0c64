/**
 * Carries an invoke node's abort signal (and a message's own request timeout, `msg.requestTimeout`) to the SDK's
 * HTTP handler without passing per-call options to `client.send()`.
 *
 * Why: the SDK resolves a command's middleware stack once and reuses it (`cacheMiddleware`) only for calls made
 * without options. Passing `{ abortSignal }` to every send costs that cache, about a quarter of the SDK's CPU per
 * call on loopback (README, Performance). So the invoke node runs each call inside `withAbortSignal(signal, ...)`,
 * and the config node's request handler (`SignalHandler`) hands the signal of the call it serves to the SDK's own
 * Node HTTP handler as its `abortSignal`, which destroys the request when the signal fires. AsyncLocalStorage
 * follows the call through the SDK's promise chain, so each request gets the signal of the node that made it, even
 * when several nodes share one client.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What the call being served brings to its HTTP requests. */
interface CallContext {
  signal: AbortSignal;
  /** this call's per-attempt timeout in ms, instead of the client's */
  requestTimeout?: number;
}

const current = new AsyncLocalStorage<CallContext>();

/**
 * Runs `call` (a client.send) so that every HTTP request it makes is aborted when `signal` fires and, when
 * `requestTimeout` is given, times out after that many ms instead of the client's requestTimeout.
 */
export function withAbortSignal<T>(signal: AbortSignal, call: () => Promise<T>, requestTimeout?: number): Promise<T> {
  return current.run({ signal, requestTimeout }, call);
}

/** The abort signal of the call being served, if it runs inside withAbortSignal. */
export function currentAbortSignal(): AbortSignal | undefined {
  return current.getStore()?.signal;
}

/** The request timeout of the call being served, when it sets its own. */
export function currentRequestTimeout(): number | undefined {
  return current.getStore()?.requestTimeout;
}

/**
 * One attempt only: a call run inside withOneAttempt gets no retry from the SDK (the probe of an outage, see
 * invoke/hold.ts). Read by the retry strategy of config/one-attempt.ts; like the signal, it follows the call by
 * AsyncLocalStorage, so the client's maxAttempts and its middleware cache stay as they are.
 */
const oneAttempt = new AsyncLocalStorage<true>();

export function withOneAttempt<T>(call: () => Promise<T>): Promise<T> {
  return oneAttempt.run(true, call);
}

/** Whether the call being served runs inside withOneAttempt. */
export function inOneAttempt(): boolean {
  return oneAttempt.getStore() === true;
}
