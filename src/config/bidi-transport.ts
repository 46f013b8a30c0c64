/**
 * The bidi client's request handler: the SDK's NodeHttp2Handler, with an answer body that tells how the stream
 * ended. The SDK's handler ends the answer body quietly when its stream is closed early (its inactivity timeout,
 * an abort, the server resetting the stream), so the event-stream reader would take a broken stream for the model's
 * normal end; here an answer stream that closes without the server's END_STREAM fails with the reason
 * (TimeoutError, AbortError or StreamReset). And a stream whose connection failed (refused, an untrusted
 * certificate, a proxy that refused the tunnel) fails with that connection's own error, where the SDK's handler only
 * says the stream was aborted. No Node-RED import.
 */
import { AsyncLocalStorage } from 'async_hooks';
import type { SecureClientSessionOptions } from 'http2';
import { connect as netConnect, isIP } from 'net';
import { PassThrough, type Duplex, type Readable } from 'stream';
import { connect as tlsConnect } from 'tls';
import { NodeHttp2Handler, type NodeHttp2HandlerOptions } from '@smithy/node-http-handler';
import { refusedTunnelFlowError } from './tunnel';

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
  /** Node's own code for a stream the peer reset */
  readonly code = 'ERR_HTTP2_STREAM_ERROR';
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

/** The first error of the connection made for the request being handled (see watchedConnections). */
const connectionOfRequest = new AsyncLocalStorage<{ error?: Error }>();

/** Called with the answer's headers when a request made inside `run` gets its 200. */
export type ResponseHook = (headers: Record<string, string>) => void;
const responseHookOfCall = new AsyncLocalStorage<ResponseHook>();

/**
 * Runs `call` (an SDK send) with a hook told when its HTTP/2 stream's answer headers say 200: the stream is open,
 * which the SDK's send() for an event stream says only with the first answer event.
 */
export function withResponseHook<T>(hook: ResponseHook, call: () => T): T {
  return responseHookOfCall.run(hook, call);
}

/** The connection http2.connect makes by itself: TCP for h2c, TLS with ALPN h2 otherwise. */
function directConnection(authority: URL, tls: SecureClientSessionOptions): Duplex {
  const host = authority.hostname.replace(/^\[|\]$/g, '');
  const port = Number(authority.port) || (authority.protocol === 'http:' ? 80 : 443);
  if (authority.protocol === 'http:') return netConnect({ host, port });
  const servername = tls.servername ?? (isIP(host) ? undefined : host);
  return tlsConnect({ ...tls, host, port, ALPNProtocols: ['h2'], ...(servername ? { servername } : {}) });
}

/**
 * http2.connect options whose connections (direct, or the CONNECT tunnel's `createConnection`) report their first
 * error to the request that made them: http2.connect calls createConnection inside the handler's call, whose
 * async context carries the request's slot.
 */
export function watchedConnections(base: SecureClientSessionOptions = {}): SecureClientSessionOptions {
  const create = base.createConnection;
  const { createConnection: _ignored, ...tls } = base;
  return {
    ...base,
    createConnection: (authority: URL, options: SecureClientSessionOptions): Duplex => {
      const socket = create ? create(authority, options) : directConnection(authority, tls);
      const slot = connectionOfRequest.getStore();
      socket.on('error', (err: Error) => {
        if (slot) slot.error ??= err;
      });
      return socket;
    },
  };
}

/** NodeHttp2Handler with watched connections and answer bodies; the SDK sees the same handler (h2, config, destroy). */
export class BidiHttp2Handler {
  readonly metadata = { handlerProtocol: 'h2' };
  private readonly inner: NodeHttp2Handler;

  /** `proxy`: the proxy URL the connections go through, for the error of a refused tunnel (shown redacted) */
  constructor(
    private readonly options: NodeHttp2HandlerOptions,
    private readonly proxy?: string,
  ) {
    this.inner = new NodeHttp2Handler({ ...options, nodeHttp2ConnectOptions: watchedConnections(options.nodeHttp2ConnectOptions) });
  }

  handle(...[request, handlerOptions]: HandleArgs): HandleResult {
    const connection: { error?: Error } = {};
    return connectionOfRequest.run(connection, () => this.inner.handle(request, handlerOptions)).then(
      (out) => {
        const timeout = handlerOptions?.requestTimeout ?? this.options.requestTimeout;
        out.response.body = watchedBody(out.response.body as Http2Body, timeout, handlerOptions?.abortSignal as AbortSignal | undefined);
        if (out.response.statusCode === 200) {
          try {
            responseHookOfCall.getStore()?.(out.response.headers);
          } catch {
            // the caller's hook: its failure is not the stream's
          }
        }
        return out;
      },
      (err: unknown) => {
        const cause = connection.error ?? err;
        // A refused CONNECT (407 and others) in the same words as for the other calls.
        throw (this.proxy ? refusedTunnelFlowError(cause, this.proxy) : undefined) ?? cause;
      },
    );
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
