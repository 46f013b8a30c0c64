/**
 * A slow model: an endpoint's `delayMs` as a wrapper of its handler, so every call waits as a slow model makes it
 * wait. InvokeEndpoint is answered `delayMs` later; a response stream sends each part `delayMs` after the one
 * before (a model writing slowly); InvokeEndpointAsync is still accepted at once (the service queues it), and its
 * job, which calls the model as InvokeEndpoint, waits like any call. The bidirectional streams take the same
 * setting through their own route (models/demo-bidi), before each answer.
 */

import type { EndpointHandler, EndpointResult, StreamEvent } from './types';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The events of `stream`, each `delayMs` after the one before. */
async function* paced(stream: Iterable<StreamEvent> | AsyncIterable<StreamEvent>, delayMs: number): AsyncGenerator<StreamEvent> {
  for await (const event of stream) {
    await sleep(delayMs);
    yield event;
  }
}

/** `handler`, waiting `delayMs` before each answer (and before each part of a response stream). */
export function slowModel(handler: EndpointHandler, delayMs: number): EndpointHandler {
  if (delayMs <= 0) return handler;
  return async (req): Promise<EndpointResult> => {
    if (req.operation === 'async') return handler(req);
    const result = await handler(req);
    if ('stream' in result) return { ...result, stream: paced(result.stream, delayMs) };
    await sleep(delayMs);
    return result;
  };
}
