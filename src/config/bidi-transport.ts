/**
 * The bidi client's request handler: the SDK's NodeHttp2Handler, with an answer body that tells how the stream
 * ended. The SDK's handler ends the answer body quietly when its stream is closed early (its inactivity timeout,
 * an abort, the server resetting the stream), so the event-stream reader would take a broken stream for the model's
 * normal end; here an answer stream that closes without the server's END_STREAM fails with the reason
 * (TimeoutError, AbortError or StreamReset). No Node-RED import.
 */
import { PassThrough, type Readable } from 'stream';
import { NodeHttp2Handler, type NodeHttp2HandlerOptions } from '@smithy/node-http-handler';

type HandleArgs = Parameters<NodeHttp2Handler['handle']>;
type HandleResult = ReturnType<NodeHttp2Handler['handle']>;

/** The answer stream was reset (by the server, or its connection dropped), not by a timeout or abort of ours. */
export class StreamResetError extends Error {
  constructor(readonly http2Code: number) {
    super(
      http2Code === 0
        ? 'The HTTP/2 stream closed before the server ended it'
        : `The HTTP/2 stream was reset before the server ended it (HTTP/2 error code ${http2Code})`,
    );
    this.name = 'StreamReset';
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const err = new Error(reason instanceof Error ? reason.message : 'The stream was aborted');
  err.name = 'AbortError';
  return err;
}

/** What the HTTP/2 answer body is: Node's ClientHttp2Stream, a Readable with its reset code. */
type Http2Body = Readable & { rstCode?: number };

/**
 * The body, piped (with backpressure) into one that ends only when the stream has closed, and then by how: Node
 * emits the answer's 'end' before it learns of a reset (RST_STREAM with an error code), so 'end' alone proves
 * nothing. A close with code NO_ERROR is the server's normal end (after END_STREAM a server may reset a stream whose
 * input is still open, with NO_ERROR); a timeout or abort of ours, or any other code, fails the body.
 */
export function watchedBody(stream: Http2Body, timeoutMs: number | undefined, signal?: AbortSignal): Readable {
  const out = new PassThrough();
  let timedOut = false;
  let streamError: Error | undefined;
  stream.once('timeout', () => (timedOut = true));
  stream.on('error', (err: Error) => (streamError ??= err));
  stream.once('close', () => {
    const code = stream.rstCode ?? 0;
    if (signal?.aborted) out.destroy(abortError(signal));
    else if (timedOut) {
      const err = new Error(`The stream had no data in either direction for ${timeoutMs} ms`);
      err.name = 'TimeoutError';
      out.destroy(err);
    } else if (code !== 0) out.destroy(new StreamResetError(code));
    else if (streamError) out.destroy(streamError);
    else out.end();
  });
  stream.pipe(out, { end: false });
  return out;
}

/** NodeHttp2Handler with watched answer bodies; the SDK sees the same handler (h2, config, destroy). */
export class BidiHttp2Handler {
  readonly metadata = { handlerProtocol: 'h2' };
  private readonly inner: NodeHttp2Handler;

  constructor(private readonly options: NodeHttp2HandlerOptions) {
    this.inner = new NodeHttp2Handler(options);
  }

  handle(...[request, handlerOptions]: HandleArgs): HandleResult {
    return this.inner.handle(request, handlerOptions).then((out) => {
      const timeout = handlerOptions?.requestTimeout ?? this.options.requestTimeout;
      out.response.body = watchedBody(out.response.body as Http2Body, timeout, handlerOptions?.abortSignal as AbortSignal | undefined);
      return out;
    });
  }

  updateHttpClientConfig(key: keyof NodeHttp2HandlerOptions, value: NodeHttp2HandlerOptions[typeof key]): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttp2HandlerOptions {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
