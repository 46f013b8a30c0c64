/**
 * Our own HTTP CONNECT tunnel through an http:// or https:// forward proxy: the raw socket to a target host:port,
 * inside which TLS (for HTTPS targets) runs end to end with the config node's TLS options. Used by the HTTP/1.1
 * keep-alive agents of the SDK's Node HTTP handler (TunnelAgents) and by HTTP/2 (http2ConnectOptionsThroughProxy,
 * for NodeHttp2Handler's `nodeHttp2ConnectOptions`), which no agent package can tunnel.
 *
 * The proxy's user and password travel only in the Proxy-Authorization header (Basic, as Node-RED core's HTTP
 * request node sends them); errors name the proxy by its origin, never with its credentials. No Node-RED import.
 */
import * as http from 'http';
import * as https from 'https';
import { isIP, type Socket } from 'net';
import * as tls from 'tls';
import { Duplex } from 'stream';
import type { SecureClientSessionOptions } from 'http2';
import { FlowError } from '../shared/flow-error';
import { redactUrl } from './proxy';

/** What a core `tls-config` node's addTLSOptions() fills in. */
export interface TlsOptions extends tls.SecureContextOptions {
  rejectUnauthorized?: boolean;
  servername?: string;
  ALPNProtocols?: string[];
}

/** How long the proxy may take to answer a CONNECT when no connection timeout is configured. */
export const DEFAULT_TUNNEL_TIMEOUT = 30_000;

export interface TunnelOptions {
  /** the proxy; a user and password in it (percent-encoded) are sent as Basic authentication */
  proxy: string | URL;
  /** from the tls-config node: the CA and verification setting also apply to the TLS to an https:// proxy */
  tls?: TlsOptions;
  /** ms for the proxy to answer the CONNECT (from the moment the tunnel is asked for); 0: no limit */
  timeout?: number;
}

export interface TunnelTarget {
  host: string;
  port: number;
}

/**
 * Why a tunnel could not be opened. `status` is the proxy's answer to CONNECT when it answered (refused);
 * otherwise `code` is the network's (ECONNREFUSED, ETIMEDOUT, ...), so callers classify it as a connection failure.
 */
export class TunnelError extends Error {
  readonly code: string;
  constructor(
    message: string,
    readonly proxy: string,
    readonly target: string,
    readonly status?: number,
    code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProxyTunnelError';
    this.code = code ?? 'ERR_PROXY_TUNNEL';
  }
}

/** The proxy as errors show it: scheme, host and port only. */
function proxyOrigin(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** `host:port` as a CONNECT request names it (IPv6 in brackets). */
export function authorityOf(target: TunnelTarget): string {
  const host = target.host.replace(/^\[|\]$/g, '');
  return `${host.includes(':') ? `[${host}]` : host}:${target.port}`;
}

/** The Proxy-Authorization header for the URL's user and password, if it has any. */
function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(pair).toString('base64')}` };
}

/**
 * Asks the proxy for a tunnel to `target`; calls back once with the connected socket (for an https:// proxy, the
 * TLS socket to the proxy) or a TunnelError. Returns a function that abandons the attempt.
 */
export function openTunnel(options: TunnelOptions, target: TunnelTarget, callback: (err: Error | null, socket?: Duplex) => void): () => void {
  const proxy = typeof options.proxy === 'string' ? new URL(options.proxy) : options.proxy;
  const shown = proxyOrigin(proxy);
  const authority = authorityOf(target);
  const secure = proxy.protocol === 'https:';
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  const proxyTls = secure
    ? {
        ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
        ...(options.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.tls.rejectUnauthorized } : {}),
        ...(isIP(proxyHost) ? {} : { servername: proxyHost }),
      }
    : {};
  let done = false;
  const finish = (err: Error | null, socket?: Duplex): void => {
    if (done) {
      socket?.destroy();
      return;
    }
    done = true;
    clearTimeout(timer);
    callback(err, socket);
  };
  const request = (secure ? https : http).request({
    ...proxyTls,
    method: 'CONNECT',
    host: proxyHost,
    port: Number(proxy.port) || (secure ? 443 : 80),
    path: authority,
    setHost: false,
    headers: { host: authority, ...proxyAuthorization(proxy) },
    agent: false,
  });
  const timeout = options.timeout ?? DEFAULT_TUNNEL_TIMEOUT;
  const timer = timeout > 0
    ? setTimeout(() => {
        const message = `The proxy ${shown} did not open the tunnel to ${authority} within ${timeout} ms`;
        finish(new TunnelError(message, shown, authority, undefined, 'ETIMEDOUT'));
        request.destroy();
      }, timeout)
    : undefined;
  request.once('connect', (response: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      socket.destroy();
      finish(new TunnelError(`The proxy ${shown} answered status ${status} to CONNECT ${authority}`, shown, authority, status));
      return;
    }
    // Bytes the target sent right behind the proxy's answer (an h2c server's SETTINGS) come first.
    if (head.length > 0) socket.unshift(head);
    finish(null, socket);
  });
  request.once('error', (err: Error & { code?: string }) => {
    const message = `The proxy ${shown} could not be reached for the tunnel to ${authority}: ${err.message}`;
    finish(new TunnelError(message, shown, authority, undefined, err.code, { cause: err }));
  });
  request.end();
  return () => {
    if (done) return;
    finish(new TunnelError(`The tunnel to ${authority} through ${shown} was abandoned`, shown, authority, undefined, 'ECONNABORTED'));
    request.destroy();
  };
}

/**
 * The FlowError a refused CONNECT becomes (proxyAuthFailed for 407, proxyRefused otherwise), showing `proxy` with any
 * password redacted; undefined for other errors. Looks into `cause` too: HTTP/2 cancels a session's pending streams
 * with ERR_HTTP2_STREAM_CANCEL caused by the socket's error.
 */
export function refusedTunnelFlowError(err: unknown, proxy: string): FlowError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e instanceof Error; depth++) {
    if (e instanceof TunnelError && e.status !== undefined) {
      return new FlowError(e.status === 407 ? 'proxyAuthFailed' : 'proxyRefused', { proxy: redactUrl(proxy), status: e.status, target: e.target });
    }
    e = e.cause;
  }
  return undefined;
}

/** What an agent adds to Node's own: where its tunnels go and how long the proxy may take. */
export interface TunnelAgentOptions {
  proxy: string | URL;
  /** ms for the proxy to answer each CONNECT; DEFAULT_TUNNEL_TIMEOUT when not given, 0: no limit */
  tunnelTimeout?: number;
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

/** The target of an agent's connection, as Node's Agent hands it to createConnection. */
function agentTarget(options: http.ClientRequestArgs, defaultPort: number): TunnelTarget {
  return { host: options.host ?? options.hostname ?? 'localhost', port: Number(options.port) || defaultPort };
}

/**
 * An http.Agent whose connections to plain-HTTP targets are CONNECT tunnels through the proxy (as hpagent's
 * HttpProxyAgent did, so an HTTPS-only CONNECT proxy serves both). Keep-alive reuses the tunnels.
 */
export class HttpTunnelAgent extends http.Agent {
  private readonly tunnel: TunnelOptions;

  constructor(options: http.AgentOptions & TunnelAgentOptions & { tls?: TlsOptions }) {
    const { proxy, tunnelTimeout, tls: tlsOptions, ...agentOptions } = options;
    super(agentOptions);
    this.tunnel = { proxy: typeof proxy === 'string' ? new URL(proxy) : proxy, tls: tlsOptions, timeout: tunnelTimeout };
  }

  createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
    openTunnel(this.tunnel, agentTarget(options, 80), (err, socket) => callback?.(err, socket as Duplex));
    return undefined;
  }
}

/**
 * An https.Agent whose connections are CONNECT tunnels through the proxy, with TLS to the target end to end inside
 * them, made by Node's own https.Agent (so its TLS options, session cache and keep-alive apply).
 */
export class HttpsTunnelAgent extends https.Agent {
  private readonly tunnel: TunnelOptions;

  constructor(options: https.AgentOptions & TunnelAgentOptions) {
    const { proxy, tunnelTimeout, ...agentOptions } = options;
    super(agentOptions);
    // The CA and verification setting also apply to an https:// proxy.
    const { ca, rejectUnauthorized } = agentOptions;
    this.tunnel = { proxy: typeof proxy === 'string' ? new URL(proxy) : proxy, tls: { ca, rejectUnauthorized }, timeout: tunnelTimeout };
  }

  createConnection(options: https.RequestOptions, callback?: ConnectCallback): Duplex | null | undefined {
    openTunnel(this.tunnel, agentTarget(options, 443), (err, socket) => {
      if (err || !socket) {
        callback?.(err ?? new Error('no tunnel socket'), socket as Duplex);
        return;
      }
      let secure: Duplex | null | undefined;
      try {
        secure = super.createConnection({ ...options, socket } as https.RequestOptions);
      } catch (e) {
        socket.destroy();
        callback?.(e as Error, socket);
        return;
      }
      callback?.(null, secure as Duplex);
    });
    return undefined;
  }
}

/**
 * A Duplex that stands for a tunnel's socket before the proxy has answered: what is written waits, then goes
 * through; what the target sends comes out; the tunnel's failure is this stream's error. HTTP/2 needs its
 * connection synchronously (http2.connect's createConnection), which a CONNECT cannot give.
 */
export class TunnelStream extends Duplex {
  private socket?: Duplex;
  private readonly waiting: { chunk: Buffer; encoding: BufferEncoding; callback: (err?: Error | null) => void }[] = [];
  private ending?: (err?: Error | null) => void;
  /** abandons the CONNECT still under way */
  private cancel?: () => void;

  constructor(options: TunnelOptions, target: TunnelTarget) {
    super();
    this.cancel = openTunnel(options, target, (err, socket) => {
      this.cancel = undefined;
      if (err || !socket) this.destroy(err ?? new Error('no tunnel socket'));
      else this.attach(socket);
    });
  }

  private attach(socket: Duplex): void {
    if (this.destroyed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err: Error) => this.destroy(err));
    // A close without an error after both sides ended is the normal end; otherwise the tunnel broke.
    socket.on('close', () => {
      if (!this.destroyed) this.destroy(this.readableEnded ? undefined : Object.assign(new Error('the tunnel closed'), { code: 'ECONNRESET' }));
    });
    for (const w of this.waiting.splice(0)) socket.write(w.chunk, w.encoding, w.callback);
    if (this.ending) {
      const callback = this.ending;
      this.ending = undefined;
      socket.end(() => callback());
    }
  }

  _read(): void {
    this.socket?.resume();
  }

  _write(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.socket) this.socket.write(chunk, encoding, callback);
    else this.waiting.push({ chunk, encoding, callback });
  }

  _final(callback: (err?: Error | null) => void): void {
    if (!this.socket) this.ending = callback;
    else if (this.socket.destroyed) callback();
    else this.socket.end(() => callback());
  }

  _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.cancel?.();
    this.cancel = undefined;
    this.socket?.destroy();
    // Writes still waiting for the tunnel will never go: their callbacks learn why.
    for (const w of this.waiting.splice(0)) w.callback(err ?? new Error('the tunnel closed'));
    callback(err);
  }
}

/** A target given as a URL (or string): host and port, with the scheme's default port. */
function targetOfUrl(url: URL): TunnelTarget & { secure: boolean } {
  const secure = url.protocol !== 'http:';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (secure ? 443 : 80), secure };
}

/**
 * Options for http2.connect(url, options) (NodeHttp2Handler's `nodeHttp2ConnectOptions`) whose createConnection
 * opens a CONNECT tunnel through `proxy` to `target` (or, when target is undefined, to the URL http2.connect is
 * given) and, for an https: target, TLS inside it with the tls-config node's options and ALPN "h2"; an http: target
 * speaks h2c in the tunnel. A refused or failed tunnel destroys the session with a TunnelError (the streams see it
 * as `cause` of ERR_HTTP2_STREAM_CANCEL; see refusedTunnelFlowError).
 */
export function http2ConnectOptionsThroughProxy(
  proxy: string | URL,
  target?: string | URL,
  tlsOptions?: TlsOptions,
  timeout?: number,
): SecureClientSessionOptions {
  const tunnel: TunnelOptions = { proxy: typeof proxy === 'string' ? new URL(proxy) : proxy, tls: tlsOptions, timeout };
  const fixed = target === undefined ? undefined : typeof target === 'string' ? new URL(target) : target;
  return {
    createConnection: (authority: URL): Duplex => {
      const to = targetOfUrl(fixed ?? authority);
      const stream = new TunnelStream(tunnel, to);
      if (!to.secure) return stream;
      const servername = tlsOptions?.servername ?? (isIP(to.host) ? undefined : to.host);
      return tls.connect({
        ...tlsOptions,
        socket: stream,
        ...(servername ? { servername } : {}),
        ALPNProtocols: tlsOptions?.ALPNProtocols ?? ['h2'],
      });
    },
  };
}
