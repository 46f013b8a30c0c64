/**
 * The config node's client for bidirectional streams: a SageMaker Runtime client set up for SageMaker Runtime HTTP2
 * (API 2025-10-01): the SDK's HTTP/2 handler with one session per stream, the service's own endpoint (port 8443)
 * or `bidiEndpointUrl`, the HTTP2 service's error registry, the SDK's event-signing handler, one attempt (a stream
 * cannot be replayed), and the same credentials provider, region, TLS options, proxy and timeout as the config
 * node's other calls. No Node-RED import.
 */
import { SageMakerRuntimeClient, type SageMakerRuntimeClientConfig } from '@aws-sdk/client-sagemaker-runtime';
import { eventStreamPayloadHandlerProvider } from '@aws-sdk/eventstream-handler-node';
import { resolveEventStreamConfig } from '@aws-sdk/middleware-eventstream';
import type { NodeHttp2HandlerOptions } from '@smithy/node-http-handler';
import { BidiHttp2Handler } from '../config/bidi-transport';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { BIDI_ERROR_REGISTRIES, HTTP2_API_VERSION, HTTP2_NAMESPACE } from './schemas';
import type { BidiClient } from './operation';
import type { ClientSettings, NetworkSettings } from '../config/client-config';
import { proxyForUrl, proxyUrlWithAuth, type ProxyEnv } from '../config/proxy';
import { http2ConnectOptionsThroughProxy, type TlsOptions } from '../config/tunnel';

/** The service's port for HTTP/2 (the other SageMaker Runtime operations use 443). */
export const BIDI_PORT = 8443;

/** The regional endpoint of SageMaker Runtime HTTP2, as the service model's endpoint rules build it. */
export function regionalBidiEndpoint(region: string, options: { fips?: boolean; dualStack?: boolean } = {}): string {
  const china = region.startsWith('cn-');
  const suffix = options.dualStack
    ? china
      ? 'api.amazonwebservices.com.cn'
      : 'api.aws'
    : china
      ? 'amazonaws.com.cn'
      : 'amazonaws.com';
  return `https://runtime${options.fips ? '-fips' : ''}.sagemaker.${region}.${suffix}:${BIDI_PORT}`;
}

/** True when the SDK's FIPS (or dual-stack) switch is on in the environment, as the SDK reads it. */
const envSwitch = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '').toLowerCase() === 'true';

/** The URL streams go to: `bidiEndpointUrl` when set, else the region's HTTP2 endpoint (FIPS / dual-stack per env). */
export function bidiEndpointFor(region: string, bidiEndpointUrl?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (bidiEndpointUrl) return bidiEndpointUrl;
  return regionalBidiEndpoint(region, {
    fips: envSwitch(env, 'AWS_USE_FIPS_ENDPOINT'),
    dualStack: envSwitch(env, 'AWS_USE_DUALSTACK_ENDPOINT'),
  });
}

export interface BidiClientOptions {
  region: string;
  /** blank: the regional endpoint; `http://` is HTTP/2 without TLS (prior knowledge), for local servers */
  bidiEndpointUrl?: string;
  /** ms: how long a stream (or its connection) may go without any frame in either direction */
  timeout: number;
  /** the config node's resolved provider (its SageMaker client's `config.credentials`), so role sessions are shared */
  credentials?: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /** from a tls-config node */
  tls?: TlsOptions;
  /** proxy variables (an `http proxy` node's or the environment's) */
  proxyEnv?: ProxyEnv;
  proxyAuth?: { username?: string; password?: string };
}

/** The proxy that applies to `endpoint` ('' = none), by the same rules as the config node's other calls. */
function proxyOf(endpoint: URL, options: BidiClientOptions): string {
  return options.proxyEnv ? proxyForUrl(endpoint, options.proxyEnv) : '';
}

/** The options of http2.connect: TLS, or a CONNECT tunnel through `proxy` (TLS inside it, end to end). */
function connectOptions(proxy: string, options: BidiClientOptions): NodeHttp2HandlerOptions['nodeHttp2ConnectOptions'] {
  if (proxy) {
    return http2ConnectOptionsThroughProxy(proxyUrlWithAuth(proxy, options.proxyAuth), undefined, options.tls, options.timeout);
  }
  return options.tls ? { ...options.tls } : undefined;
}

const ignore = (): void => undefined;
const QUIET_LOGGER = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Makes the bidi client; the caller destroys it (its sessions end with their streams). */
export function createBidiClient(options: BidiClientOptions): BidiClient {
  const endpoint = new URL(bidiEndpointFor(options.region, options.bidiEndpointUrl));
  const proxy = proxyOf(endpoint, options);
  const nodeHttp2ConnectOptions = connectOptions(proxy, options);
  // One HTTP/2 session per stream, as the SDK's other bidirectional clients do: a stream's flow control and failures
  // stay its own. The timeouts: no frame for `timeout` ms on the stream (or its connection) ends it.
  const handlerOptions: NodeHttp2HandlerOptions = {
    disableConcurrentStreams: true,
    requestTimeout: options.timeout,
    sessionTimeout: options.timeout,
    ...(nodeHttp2ConnectOptions ? { nodeHttp2ConnectOptions } : {}),
  };
  const requestHandler = new BidiHttp2Handler(handlerOptions, proxy || undefined);
  const config = {
    region: options.region,
    maxAttempts: 1,
    // The SDK's retry step warns on the console about every failed stream (it cannot be retried); the failure
    // itself reaches the caller, so that warning is dropped.
    logger: QUIET_LOGGER,
    requestHandler,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // The SDK's endpoint middleware asks this provider; the service model's rules give the same URL on 8443.
    endpointProvider: () => ({ url: endpoint }),
    protocolSettings: {
      defaultNamespace: HTTP2_NAMESPACE,
      errorTypeRegistries: BIDI_ERROR_REGISTRIES,
      version: HTTP2_API_VERSION,
    },
    eventStreamPayloadHandlerProvider,
  } as SageMakerRuntimeClientConfig;
  const client = new SageMakerRuntimeClient(config);
  // What the SDK's bidirectional clients do in their constructors: the event-stream payload handler (event signing).
  resolveEventStreamConfig(client.config as unknown as Parameters<typeof resolveEventStreamConfig>[0]);
  return client;
}

/**
 * The config node's bidi client, made on first use (most flows never open a stream) from the settings and network
 * of its SageMaker client, with that client's resolved credentials provider: one role session, one cache.
 */
export class LazyBidiClient {
  private client?: BidiClient;

  constructor(
    private readonly settings: ClientSettings,
    private readonly network: NetworkSettings,
    private readonly credentials: BidiClientOptions['credentials'],
  ) {}

  get(): BidiClient {
    this.client ??= createBidiClient({
      region: this.settings.region,
      bidiEndpointUrl: this.settings.bidiEndpointUrl,
      timeout: this.settings.timeout,
      credentials: this.credentials,
      tls: this.network.tls,
      proxyEnv: this.network.proxyEnv,
      proxyAuth: this.network.proxyAuth,
    });
    return this.client;
  }

  /** Closes the client's connections; the streams themselves end through their abort signals. */
  destroy(): void {
    this.client?.destroy();
    this.client = undefined;
  }
}
