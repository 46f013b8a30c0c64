/**
 * The config node's S3 clients, for async results (polling the output and failure locations) and uploads of
 * inputs too big for the inline body. Built from the same settings as the SageMaker client: region, request
 * handler (proxy, TLS, keep-alive agents and the socket limit, timeouts, abort signal), and the SageMaker client's
 * own resolved credentials provider, so a role is assumed once and its cached session serves both services.
 *
 * Two clients share one request handler: `transfer` retries as the config node says (uploads), `poll` makes one
 * attempt per request, because the poller must count every request it makes against its rate ceiling (a failed
 * poll is retried at the next check anyway). No Node-RED import.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { buildClientConfig, type ClientSettings, type ConfigCredentials, type NetworkSettings } from './client-config';

export interface S3Clients {
  /** one attempt per request: every request the poller makes passes its rate ceiling */
  poll: S3Client;
  /** the config node's retries: uploads */
  transfer: S3Client;
  destroy(): void;
}

/** The S3 client configuration: the SageMaker client's, but S3's endpoint and the SageMaker client's credentials. */
export function s3ClientConfig(
  settings: ClientSettings,
  creds: ConfigCredentials,
  network: NetworkSettings,
  sagemaker: Pick<SageMakerRuntimeClient, 'config'>,
): S3ClientConfig {
  // No role and no endpoint here: the credentials come from the SageMaker client (which holds the role's provider),
  // and the SageMaker endpoint URL is not S3's.
  const base = buildClientConfig({ ...settings, role: undefined, endpointUrl: undefined, authMode: 'chain' }, creds, network);
  const config: S3ClientConfig = {
    region: base.region,
    maxAttempts: base.maxAttempts,
    retryMode: base.retryMode,
    cacheMiddleware: base.cacheMiddleware,
    requestHandler: base.requestHandler,
    credentials: sagemaker.config.credentials,
    // S3-compatible stores (and the local server) do not all know the SDK's newer default checksums: compute and
    // check them only where S3 requires them.
    // A bucket in another region than the config node's: follow S3's redirect instead of failing every check.
    followRegionRedirects: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (settings.s3EndpointUrl) {
    config.endpoint = settings.s3EndpointUrl;
    config.forcePathStyle = true;
  }
  return config;
}

/** Both clients, sharing one request handler (destroyed once, with them). */
export function createS3Clients(
  settings: ClientSettings,
  creds: ConfigCredentials,
  network: NetworkSettings,
  sagemaker: Pick<SageMakerRuntimeClient, 'config'>,
): S3Clients {
  const config = s3ClientConfig(settings, creds, network, sagemaker);
  const transfer = new S3Client(config);
  const poll = new S3Client({ ...config, maxAttempts: 1 });
  return {
    poll,
    transfer,
    destroy: () => {
      poll.destroy();
      transfer.destroy();
    },
  };
}
