/**
 * Credentials from AWS IoT Core's credentials provider (`authMode` `iot`): the device proves who it is with its
 * X.509 certificate over mutual TLS, and `GET https://<endpoint>/role-aliases/<alias>/credentials` answers the role
 * alias's temporary credentials. No SDK provider does this, so it is here, on Node's https with the config node's
 * proxy (our CONNECT tunnel) and the certificate, key and CA of a core `tls-config` node.
 *
 * The provider fetches on every call: the SageMaker client memoizes it like any credential provider (the SDK's rule:
 * asked again once less than five minutes of the credentials' lifetime remain, concurrent asks coalesced into one
 * fetch), and the S3 and bidirectional-stream clients use that client's memoized provider, so one fetch serves every
 * node of the config node. Failures are FlowErrors that say what to fix; the private key never reaches one.
 * No Node-RED import.
 */
import * as https from 'https';
import type { IncomingMessage } from 'http';
import type { AwsCredentialIdentity } from '@smithy/types';
import { FlowError } from '../shared/flow-error';
import { proxyForUrl, proxyUrlWithAuth, type ProxyEnv } from './proxy';
import { HttpsTunnelAgent, refusedTunnelFlowError, type TlsOptions } from './tunnel';

/** The header AWS IoT reads the thing name from. */
export const THING_NAME_HEADER = 'x-amzn-iot-thingname';

/** The largest answer read (the credentials are well under 4 KB). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A reset this soon after the handshake is read as the provider refusing the device certificate (TLS 1.3 tells late). */
const REFUSAL_WINDOW_MS = 2000;

export interface IotSettings {
  /** the credentials endpoint: a host (as `aws iot describe-endpoint` prints it) or an https:// URL */
  endpoint: string;
  roleAlias: string;
  thingName?: string;
}

export interface IotNetwork {
  /** the device certificate, its key and the CA, from a `tls-config` node */
  tls: TlsOptions;
  proxyEnv?: ProxyEnv;
  proxyAuth?: { username?: string; password?: string };
  /** ms the endpoint (and the proxy) may take */
  timeoutMs: number;
}

/** The credentials URL of a role alias at an endpoint (a host, or an https:// URL whose path is the base). */
export function iotCredentialsUrl(endpoint: string, roleAlias: string): URL {
  const base = /^https:\/\//i.test(endpoint) ? endpoint.replace(/\/+$/, '') : `https://${endpoint}`;
  return new URL(`${base}/role-aliases/${encodeURIComponent(roleAlias)}/credentials`);
}

/** What the words of a failure name: the endpoint, the role alias and the thing name sent. */
interface Named {
  endpoint: string;
  roleAlias: string;
  thingName: string;
}

/** AWS IoT's answer as credentials, or the FlowError that says why it cannot be used. */
export function parseIotAnswer(status: number, body: string, named: Named): AwsCredentialIdentity {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  const said = typeof message === 'string' && message ? message : body.slice(0, 200).replace(/\s+/g, ' ').trim() || 'no message';
  if (status === 403) {
    const thing = named.thingName ? `thing name ${named.thingName}` : 'no thing name (x-amzn-iot-thingname not sent)';
    return fail('iotForbidden', { endpoint: named.endpoint, roleAlias: named.roleAlias, thing, message: said });
  }
  if (status !== 200) return fail('iotFailed', { endpoint: named.endpoint, status, message: said });
  const c = (parsed as { credentials?: Record<string, unknown> } | undefined)?.credentials;
  const expiration = typeof c?.expiration === 'string' ? new Date(c.expiration) : undefined;
  if (!c || typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string' || typeof c.sessionToken !== 'string' || !expiration || Number.isNaN(expiration.getTime())) {
    return fail('iotBadAnswer', { endpoint: named.endpoint });
  }
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration };
}

function fail(key: string, params: Record<string, string | number>): never {
  throw new FlowError(key, params);
}

/** Node's and OpenSSL's codes for a server certificate we do not trust (unknown CA, wrong name, expired). */
const UNTRUSTED = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_TLS_CERT_ALTNAME_INVALID$)/;
/** OpenSSL's alerts: the other side refused the handshake (a bad or unknown certificate, one that was needed). */
const ALERT = /^ERR_SSL_.*ALERT/;
const CLOSED = /^(ECONNRESET|EPIPE|ERR_STREAM_PREMATURE_CLOSE)$/;

/** How far the connection had come when it failed. */
export interface Progress {
  /** the TCP (or tunnel) connection was made */
  connected: boolean;
  /** ms since the TLS handshake finished; undefined: it did not */
  sinceHandshakeMs?: number;
}

/** A failed request to the endpoint as the FlowError that says what to fix. */
export function iotRequestError(err: Error & { code?: string }, named: Named, progress: Progress, proxy: string): FlowError {
  if (err instanceof FlowError) return err;
  const refused = proxy ? refusedTunnelFlowError(err, proxy) : undefined;
  if (refused) return refused;
  const code = err.code ?? 'ERR';
  const { endpoint } = named;
  if (UNTRUSTED.test(code)) return new FlowError('iotUntrusted', { endpoint, code, message: err.message });
  const justAfter = progress.sinceHandshakeMs === undefined || progress.sinceHandshakeMs < REFUSAL_WINDOW_MS;
  if (ALERT.test(code) || (progress.connected && justAfter && (CLOSED.test(code) || /socket hang up/i.test(err.message)))) {
    return new FlowError('iotCertRefused', { endpoint, code, message: err.message });
  }
  return new FlowError('iotUnreachable', { endpoint, code, message: err.message });
}

/** Options for one request: the tls-config node's, Node's defaults for the rest. */
function requestOptions(url: URL, settings: IotSettings, network: IotNetwork): { options: https.RequestOptions; proxy: string } {
  const { tls } = network;
  const tlsOptions: https.AgentOptions = {
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  };
  const proxy = network.proxyEnv ? proxyForUrl(url, network.proxyEnv) : '';
  const agent = proxy
    ? new HttpsTunnelAgent({ proxy: proxyUrlWithAuth(proxy, network.proxyAuth), tunnelTimeout: network.timeoutMs, keepAlive: false, ...tlsOptions })
    : false;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (settings.thingName) headers[THING_NAME_HEADER] = settings.thingName;
  return { options: { ...tlsOptions, method: 'GET', headers, agent, timeout: network.timeoutMs }, proxy };
}

/** One GET of the role alias's credentials. */
export function fetchIotCredentials(settings: IotSettings, network: IotNetwork): Promise<AwsCredentialIdentity> {
  const url = iotCredentialsUrl(settings.endpoint, settings.roleAlias);
  const named: Named = { endpoint: url.host, roleAlias: settings.roleAlias, thingName: settings.thingName ?? '' };
  const { options, proxy } = requestOptions(url, settings, network);
  return new Promise((resolve, reject) => {
    const progress: Progress = { connected: false };
    let securedAt: number | undefined;
    const failed = (err: Error & { code?: string }): void => {
      if (securedAt !== undefined) progress.sinceHandshakeMs = Date.now() - securedAt;
      reject(iotRequestError(err, named, progress, proxy));
    };
    const request = https.request(url, options, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      response.on('error', failed);
      response.on('end', () => {
        try {
          resolve(parseIotAnswer(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), named));
        } catch (err) {
          reject(err);
        }
      });
    });
    request.on('socket', (socket) => {
      socket.once('connect', () => (progress.connected = true));
      socket.once('secureConnect', () => {
        progress.connected = true;
        securedAt = Date.now();
      });
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${network.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', failed);
    request.end();
  });
}

/** The provider of the config node's credentials with `authMode` `iot` (the SDK client memoizes it). */
export function iotCredentialsProvider(settings: IotSettings, network: IotNetwork): () => Promise<AwsCredentialIdentity> {
  return () => fetchIotCredentials(settings, network);
}
