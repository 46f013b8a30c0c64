/**
 * The output side of one bidirectional stream: each event a handler yields becomes one event-stream message on
 * the HTTP/2 stream, written only as fast as the client reads (a full write waits for 'drain'). A `PayloadPart`
 * carries its bytes as the payload and DataType / CompletionState as string headers; `ModelStreamError` and
 * `InternalStreamFailure` are exception messages with a JSON body ({Message, ErrorCode}) and end the stream. A
 * failure of the input itself (a refused event signature) is an event-stream `error` message (`:error-code`,
 * `:error-message`), which the SDK raises as an error of that name. A `{reset: true}` from the handler resets the
 * HTTP/2 stream instead (INTERNAL_ERROR), for tests of a stream that breaks without an event.
 */

import { constants, type ServerHttp2Stream } from 'http2';
import { encodeMessage, type MessageHeaders } from '../io/event-codec';
import type { BidiOutputEvent } from './bidi-types';

const str = (value: string): { type: 'string'; value: string } => ({ type: 'string', value });

export function encodeOutputEvent(event: Exclude<BidiOutputEvent, { reset: true }>): Buffer {
  if ('part' in event) {
    const headers: MessageHeaders = {
      ':event-type': str('PayloadPart'),
      ':content-type': str('application/octet-stream'),
      ':message-type': str('event'),
      ...(event.dataType !== undefined ? { DataType: str(event.dataType) } : {}),
      ...(event.completionState !== undefined ? { CompletionState: str(event.completionState) } : {}),
    };
    const body = typeof event.part === 'string' ? Buffer.from(event.part, 'utf8') : event.part;
    return encodeMessage({ headers, body });
  }
  const body =
    event.error === 'ModelStreamError'
      ? { Message: event.message, ...(event.errorCode !== undefined ? { ErrorCode: event.errorCode } : {}) }
      : { Message: event.message };
  return encodeMessage({
    headers: { ':exception-type': str(event.error), ':content-type': str('application/json'), ':message-type': str('exception') },
    body: Buffer.from(JSON.stringify(body)),
  });
}

/** An event-stream `error` message: a failure that is not one of the stream's modeled events. */
export function encodeErrorMessage(code: string, message: string): Buffer {
  return encodeMessage({
    headers: { ':error-code': str(code), ':error-message': str(message), ':message-type': str('error') },
    body: new Uint8Array(0),
  });
}

/** Resolves once the stream can take more, or is gone. */
function drained(stream: ServerHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

export function writable(stream: ServerHttp2Stream): boolean {
  return !stream.destroyed && !stream.closed && stream.writable;
}

/**
 * Writes the handler's events until they end, an exception event ends them, `stop()` says so, or the stream goes
 * away. Resolves 'ended' (every event written; the caller ends the stream), 'exception', or 'stopped'.
 */
export async function pumpOutput(
  stream: ServerHttp2Stream,
  output: AsyncIterable<BidiOutputEvent>,
  stopped: () => boolean,
  onPart: () => void,
): Promise<'ended' | 'exception' | 'stopped'> {
  const iterator = output[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return stopped() || !writable(stream) ? 'stopped' : 'ended';
      if (stopped() || !writable(stream)) return 'stopped';
      if ('reset' in next.value) {
        stream.close(constants.NGHTTP2_INTERNAL_ERROR);
        return 'stopped';
      }
      const flushed = stream.write(encodeOutputEvent(next.value));
      if (!('part' in next.value)) return 'exception';
      onPart();
      if (!flushed) await drained(stream);
    }
  } finally {
    // Let the handler clean up (it may be waiting for input when the stream goes away).
    void iterator.return?.()?.catch(() => undefined);
  }
}
