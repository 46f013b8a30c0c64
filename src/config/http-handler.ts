/**
 * The SDK request handler of a config node that uses a proxy or a TLS config node: the SDK's own Node HTTP handler,
 * one per route (direct, or through one proxy URL), chosen per request by the target's host and port.
 *
 * Through a proxy, our own CONNECT tunnel (tunnel.ts) carries each connection and, for HTTPS targets, TLS runs end
 * to end inside it. Its agents are Node's own http/https Agents, so keep-alive (tunnels are reused) and the socket
 * limit apply as with the SDK's default agents. The TLS options (CA, client certificate, verification) go to every
 * HTTPS agent, and the CA and verification setting to the connection to an https:// proxy. No Node-RED import.
 */
import { Agent as HttpAgent } from 'http';
import { Agent as HttpsAgent } from 'https';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { HttpTunnelAgent, HttpsTunnelAgent, refusedTunnelFlowError, type TlsOptions } from './tunnel';
import { proxyForUrl, proxyUrlWithAuth, type ProxyEnv } from './proxy';
import { currentAbortSignal, currentRequestTimeout } from './abort-context';
import { keepUnexpectedBody } from './answer-body';

/** The SDK's socket limit per agent (NodeHttpHandler's default): the least a config node's agents allow. */
export const MAX_SOCKETS = 50;

/**
 * The socket limit of a config node's agents, which its invoke nodes raise to the sum of their in-flight limits,
 * so that no request waits for a socket (and the SDK never warns "socket usage at capacity"). Node's Agent reads
 * `maxSockets` for each request, so a change applies at once to the agents already made.
 */
export class SocketLimit {
  private readonly agents = new Set<HttpAgent>();
  private current: number;
  private reserved = 0;

  constructor(initial: number = MAX_SOCKETS) {
    this.current = initial;
  }

  get value(): number {
    return this.current;
  }

  /** Puts an agent under this limit; returns it. */
  track<A extends HttpAgent>(agent: A): A {
    agent.maxSockets = this.current;
    this.agents.add(agent);
    return agent;
  }

  set(value: number): void {
    this.current = value;
    for (const agent of this.agents) agent.maxSockets = value;
  }

  /**
   * Raises the limit by `count` (an invoke node's maxInFlight) above what is already reserved, never below
   * MAX_SOCKETS, the SDK's default; the function returned gives them back (once).
   */
  reserve(count: number): () => void {
    this.reserved += count;
    this.set(Math.max(MAX_SOCKETS, this.reserved));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reserved -= count;
      this.set(Math.max(MAX_SOCKETS, this.reserved));
    };
  }
}

export type { TlsOptions } from './tunnel';

export interface ConnectionOptions {
  /** the per-attempt timeouts of the config node */
  timeouts: Pick<NodeHttpHandlerOptions, 'requestTimeout' | 'connectionTimeout' | 'socketTimeout' | 'throwOnRequestTimeout'>;
  /** proxy variables (from an `http proxy` node or the environment); undefined: never a proxy */
  proxyEnv?: ProxyEnv;
  /** user and password of the `http proxy` node, sent to its proxy as Basic authentication */
  proxyAuth?: { username?: string; password?: string };
  /** from a `tls-config` node */
  tls?: TlsOptions;
  /** the socket limit the agents follow; MAX_SOCKETS when not given */
  sockets?: SocketLimit;
}

type HandleArgs = Parameters<NodeHttpHandler['handle']>;
type HandleResult = ReturnType<NodeHttpHandler['handle']>;

export interface KeepAliveAgents {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
}

/**
 * The keep-alive agents of one route, direct or through `proxyUrl` (with its credentials), under the socket limit
 * (MAX_SOCKETS when none is given). Every agent a config node's client uses is made here.
 */
export function keepAliveAgents(options: {
  tls?: TlsOptions;
  sockets?: SocketLimit;
  proxyUrl?: string | URL;
  /** ms for the proxy to answer a CONNECT (the config node's connection timeout) */
  tunnelTimeout?: number;
}): KeepAliveAgents {
  const tls = options.tls ?? {};
  const limits = { keepAlive: true, maxSockets: options.sockets?.value ?? MAX_SOCKETS };
  let agents: KeepAliveAgents;
  if (!options.proxyUrl) {
    agents = { httpAgent: new HttpAgent(limits), httpsAgent: new HttpsAgent({ ...limits, ...tls }) };
  } else {
    const tunnel = { proxy: options.proxyUrl, tunnelTimeout: options.tunnelTimeout };
    agents = {
      httpAgent: new HttpTunnelAgent({ ...limits, ...tunnel, tls }),
      httpsAgent: new HttpsTunnelAgent({ ...limits, ...tls, ...tunnel }),
    };
  }
  options.sockets?.track(agents.httpAgent);
  options.sockets?.track(agents.httpsAgent);
  return agents;
}

/** What the SDK asks of a request handler, as the two handlers here provide it. */
interface InnerHandler {
  handle(...args: HandleArgs): HandleResult;
  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void;
  httpHandlerConfigs(): NodeHttpHandlerOptions;
  destroy(): void;
}

/**
 * The config node's request handler: the SDK's Node HTTP handler (or the routing one, with a proxy or TLS node),
 * given the abort signal of the invoke node whose call it serves and the message's own request timeout, if any
 * (see abort-context.ts), so that closing a node destroys its requests in flight, and `msg.requestTimeout` applies,
 * while the client keeps its cached middleware.
 */
export class SignalHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(readonly inner: InnerHandler) {}

  handle(...[request, handlerOptions]: HandleArgs): HandleResult {
    const abortSignal = handlerOptions?.abortSignal ?? currentAbortSignal();
    // A message's own timeout (msg.requestTimeout) wins over the client's.
    const requestTimeout = currentRequestTimeout() ?? handlerOptions?.requestTimeout;
    const options =
      abortSignal === handlerOptions?.abortSignal && requestTimeout === handlerOptions?.requestTimeout
        ? handlerOptions
        : { ...handlerOptions, abortSignal, requestTimeout };
    // An answer the SDK cannot read (a proxy's HTML page) keeps its body, for the error to quote.
    return this.inner.handle(request, options).then((out) => keepUnexpectedBody(request, out));
  }

  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy();
  }
}

export class RoutingHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly routes = new Map<string, NodeHttpHandler>();
  private readonly agents = new Map<string, KeepAliveAgents>();
  private config: NodeHttpHandlerOptions;

  constructor(private readonly options: ConnectionOptions) {
    this.config = { ...options.timeouts };
  }

  /** The proxy URL a request to this URL goes through ('' = direct); exposed for tests and messages. */
  proxyFor(target: { protocol: string; hostname: string; port?: number | string }): string {
    return this.options.proxyEnv ? proxyForUrl(target, this.options.proxyEnv) : '';
  }

  handle(...[request, handlerOptions]: HandleArgs): HandleResult {
    const proxy = this.proxyFor({ protocol: request.protocol, hostname: request.hostname, port: request.port });
    let handler: NodeHttpHandler;
    try {
      handler = this.route(proxy);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!proxy) return handler.handle(request, handlerOptions);
    return handler.handle(request, handlerOptions).catch((err: unknown) => {
      throw refusedTunnelFlowError(err, proxy) ?? err;
    });
  }

  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    this.config = { ...this.config, [key]: value };
    for (const handler of this.routes.values()) handler.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return { ...this.config };
  }

  destroy(): void {
    for (const handler of this.routes.values()) handler.destroy();
    this.routes.clear();
    for (const { httpAgent, httpsAgent } of this.agents.values()) {
      httpAgent.destroy();
      httpsAgent.destroy();
    }
    this.agents.clear();
  }

  /** The agents of one route ('' = direct), made on first use; exposed so their limits can be checked. */
  agentsFor(proxy: string): KeepAliveAgents {
    let agents = this.agents.get(proxy);
    if (!agents) {
      const { tls, sockets, proxyAuth } = this.options;
      const proxyUrl = proxy ? proxyUrlWithAuth(proxy, proxyAuth) : undefined;
      agents = keepAliveAgents({ tls, sockets, proxyUrl, tunnelTimeout: this.config.connectionTimeout });
      this.agents.set(proxy, agents);
    }
    return agents;
  }

  /** The handler of one route: the SDK's Node HTTP handler over that route's agents, which keep their connections. */
  private route(proxy: string): NodeHttpHandler {
    let handler = this.routes.get(proxy);
    if (!handler) {
      handler = new NodeHttpHandler({ ...this.config, ...this.agentsFor(proxy) });
      this.routes.set(proxy, handler);
    }
    return handler;
  }
}
