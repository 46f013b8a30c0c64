/**
 * The control-plane client of a config node: a SageMakerClient built by the same buildClientConfig as its SageMaker
 * Runtime client (region, retries, timeouts, proxy and TLS, credentials, assumed role, AWS IoT), with the
 * Control-plane URL (`apiEndpointUrl`) as its endpoint when set; blank, the SDK resolves the region's, FIPS and
 * dual-stack as for the runtime client. It knows the URL it calls, so a failure to reach it can name it.
 *
 * The SDK package is loaded on the first discovery request, not when Node-RED starts: only the edit dialogs use it.
 * No Node-RED import.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { buildClientConfig, type ClientSettings, type ConfigCredentials, type NetworkSettings } from '../config/client-config';

export type SageMakerSdk = typeof import('@aws-sdk/client-sagemaker');

export interface ControlPlane {
  readonly sdk: SageMakerSdk;
  readonly client: SageMakerClient;
  /** the URL the client calls (scheme, host, port, and path when not "/") */
  url(): string;
  destroy(): void;
}

/** The parts of an HTTP request the URL is read from. */
interface RequestLine {
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
}

/** `https://host[:port][/path]` of a request as the HTTP handler sends it. */
export function urlOf(request: RequestLine): string | undefined {
  if (!request.hostname) return undefined;
  const protocol = (request.protocol ?? 'https:').replace(/:?$/, ':');
  const port = request.port ? `:${request.port}` : '';
  const path = request.path && request.path !== '/' ? request.path : '';
  return `${protocol}//${request.hostname}${port}${path}`;
}

/** The region's control-plane URL without FIPS or dual-stack: what the SDK's endpoint rules give by default. */
export const regionDefaultUrl = (region: string): string => `https://api.sagemaker.${region}.amazonaws.com`;

/** The URL the settings name before a client is made: the Control-plane URL, or the region's default. */
export function settingsUrl(settings: Pick<ClientSettings, 'apiEndpointUrl' | 'region'>): string {
  return settings.apiEndpointUrl?.replace(/\/$/, '') ?? regionDefaultUrl(settings.region);
}

export async function createControlPlane(settings: ClientSettings, creds: ConfigCredentials, network: NetworkSettings): Promise<ControlPlane> {
  const sdk: SageMakerSdk = await import('@aws-sdk/client-sagemaker');
  const client = new sdk.SageMakerClient(buildClientConfig(settings, creds, network, 'api'));
  let called = settings.apiEndpointUrl ? settingsUrl(settings) : await regionUrl(client, settings.region);
  // After the endpoint is resolved and before the request is signed and sent: the URL of every attempt.
  client.middlewareStack.add(
    (next) => async (args) => {
      const url = urlOf(args.request as RequestLine);
      if (url) called = url;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'discoveryUrlMiddleware', override: true },
  );
  return { sdk, client, url: () => called, destroy: () => client.destroy() };
}

/** The region's control-plane URL as the SDK resolves it (FIPS and dual-stack from its own configuration). */
async function regionUrl(client: SageMakerClient, region: string): Promise<string> {
  const fallback = regionDefaultUrl(region);
  try {
    const { config } = client;
    const endpoint = config.endpointProvider(
      { Region: region, UseFIPS: await config.useFipsEndpoint(), UseDualStack: await config.useDualstackEndpoint() },
      {},
    );
    return endpoint.url.href.replace(/\/$/, '') || fallback;
  } catch {
    return fallback;
  }
}
