/**
 * The response stream's framing: each event of an endpoint's stream becomes one `application/vnd.amazon.eventstream`
 * message, written with the server's own codec (event-codec.ts: prelude, headers, payload, both CRCs), so the
 * client's decoder reads exactly what the service would send and the SDK's codec is checked, not reused.
 */

import type { ServerResponse } from 'http';
import { encodeMessage as encodeEventMessage } from '../io/event-codec';
import type { StreamEvent } from './types';

/** One event-stream message: a `PayloadPart` event of raw bytes, or an exception with a JSON body. */
function encodeMessage(kind: 'event' | 'exception', type: string, body: Uint8Array): Uint8Array {
  return encodeEventMessage({
    headers: {
      [kind === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type },
      ':content-type': { type: 'string', value: kind === 'event' ? 'application/octet-stream' : 'application/json' },
      ':message-type': { type: 'string', value: kind },
    },
    body,
  });
}

/** The message for one event: a payload part, or the exception that ends the stream. */
function encodeStreamEvent(event: StreamEvent): Uint8Array {
  if ('part' in event) return encodeMessage('event', 'PayloadPart', Buffer.from(event.part));
  const body =
    event.error === 'ModelStreamError'
      ? { Message: event.message, ...(event.errorCode !== undefined ? { ErrorCode: event.errorCode } : {}) }
      : { Message: event.message };
  return encodeMessage('exception', event.error, Buffer.from(JSON.stringify(body)));
}

function toAsyncIterator<T>(source: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<T>)[Symbol.asyncIterator]();
  const it = (source as Iterable<T>)[Symbol.iterator]();
  return {
    next: async () => it.next(),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}

/** Resolves when a response can take more data, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Writes each event to `res` as the iterable yields it (its headers already sent), calling `onPart` per payload
 * part. An exception event ends the stream; so does the client going away (`onGone`), which also ends the iterable
 * (its `return()`), so a handler's generator gets to clean up. Resolves 'ended' once every event is written (the
 * caller ends the response), or 'gone' when the client left first.
 */
export async function writeEventStream(
  res: ServerResponse,
  events: Iterable<StreamEvent> | AsyncIterable<StreamEvent>,
  progress: { onPart: () => void; onGone: () => void },
): Promise<'ended' | 'gone'> {
  let gone = false;
  const clientGone = new Promise<'gone'>((resolve) => {
    res.once('close', () => {
      if (res.writableFinished) return;
      gone = true;
      progress.onGone();
      resolve('gone');
    });
  });
  const iterator = toAsyncIterator(events);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), clientGone]);
      if (next === 'gone' || gone || next.done) break;
      const flushed = res.write(encodeStreamEvent(next.value));
      if (!('part' in next.value)) break;
      progress.onPart();
      if (!flushed) await drained(res);
    }
  } finally {
    // Let the handler's generator clean up (it may be waiting for the next event when the client leaves).
    if (gone && iterator.return) iterator.return().catch(() => undefined);
  }
  if (gone) return 'gone';
  await iterator.return?.();
  return 'ended';
}
