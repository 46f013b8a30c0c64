/**
 * Checks the config node's settings and turns them into one client configuration, which the SageMaker Runtime client
 * (invoke), the SageMaker client (the control plane, for endpoint discovery) and the S3 clients are all built from.
 */
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import {
  AUTH_MODES,
  CONFIG_DEFAULTS,
  CONFIG_LIMITS,
  RETRY_MODES,
  type AuthMode,
  type RetryMode,
} from '../shared/names';
import { CONFIG_FIELD_RULES, choiceError, enforceRule, wholeNumber } from '../shared/rules';
import { FlowError } from '../shared/flow-error';
import { collectProblems, problem } from '../shared/problems';
import { assumeRoleProvider, defaultRoleSessionName, type MasterCredentials, type RoleSettings } from './assume-role';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { RoutingHttpHandler, SignalHandler, keepAliveAgents, type SocketLimit, type TlsOptions } from './http-handler';
import type { ProxyEnv } from './proxy';
import { iotCredentialsProvider, type IotSettings } from './iot-credentials';

/** The config node's properties as Node-RED hands them over (after ${ENV_VAR} substitution). */
export interface RawConfigSettings {
  region?: unknown;
  endpointUrl?: unknown;
  bidiEndpointUrl?: unknown;
  apiEndpointUrl?: unknown;
  authMode?: unknown;
  profile?: unknown;
  profileFile?: unknown;
  maxAttempts?: unknown;
  retryMode?: unknown;
  timeout?: unknown;
  roleArn?: unknown;
  externalId?: unknown;
  roleSessionName?: unknown;
  roleDurationSeconds?: unknown;
  stsEndpointUrl?: unknown;
  s3EndpointUrl?: unknown;
  s3MaxRequestRate?: unknown;
  iotCredentialsEndpoint?: unknown;
  iotRoleAlias?: unknown;
  iotThingName?: unknown;
  /** the config node's name and id: the default role session name is made from them */
  name?: unknown;
  id?: unknown;
}

export interface ConfigCredentials {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

export interface ClientSettings {
  region: string;
  endpointUrl?: string;
  /** where bidirectional streams go; undefined: the region's HTTP2 endpoint */
  bidiEndpointUrl?: string;
  /** where the SageMaker API (control plane) is called; undefined: the region's, as the SDK resolves it */
  apiEndpointUrl?: string;
  authMode: AuthMode;
  profile?: string;
  profileFile?: string;
  maxAttempts: number;
  retryMode: RetryMode;
  timeout: number;
  /** set when the config node assumes a role */
  role?: RoleSettings;
  /** S3 (async results, uploads): an endpoint URL addressed path-style; absent: the regional endpoint */
  s3EndpointUrl?: string;
  /** the most S3 requests per second the async result poller makes */
  s3MaxRequestRate: number;
  /** authMode iot: AWS IoT Core's credentials provider and role alias */
  iot?: IotSettings;
}

/** How the client reaches AWS: proxy and TLS, from the config nodes the config node points at (or the environment). */
export interface NetworkSettings {
  /** proxy variables from an `http proxy` node or the environment; undefined: no proxy */
  proxyEnv?: ProxyEnv;
  /** user and password of the `http proxy` node */
  proxyAuth?: { username?: string; password?: string };
  /** options from a `tls-config` node */
  tls?: TlsOptions;
  /** authMode iot: the device certificate, its key and the CA, from the `iotTls` node */
  iotTls?: TlsOptions;
  /** the socket limit of the client's agents (keep-alive agents are made for it); the SDK's default when absent */
  sockets?: SocketLimit;
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v).trim());

function checkShape(field: keyof typeof CONFIG_FIELD_RULES, value: string): void {
  enforceRule(CONFIG_FIELD_RULES[field], value, field);
}

function integer(field: keyof typeof CONFIG_LIMITS, raw: unknown): number {
  return wholeNumber(field, raw, CONFIG_LIMITS[field], CONFIG_DEFAULTS[field]);
}

function oneOf<T extends string>(field: string, raw: unknown, allowed: readonly T[], fallback: T): T {
  const t = text(raw);
  if (t === '') return fallback;
  const err = choiceError(field, t, allowed);
  return err ? problem(err, fallback) : (t as T);
}

/** A required field left blank: recorded with the other problems (see shared/problems). */
const missing = (field: string): void => problem(new FlowError('missingField', { field }), undefined);

/**
 * Validates the settings and credentials together; throws a FlowError naming the field and the rule, or, when
 * several are wrong, a FlowErrors naming each (as the editor marks them all at once).
 */
export function resolveClientSettings(raw: RawConfigSettings, creds: ConfigCredentials): ClientSettings {
  return collectProblems(() => resolveEachSetting(raw, creds));
}

function resolveEachSetting(raw: RawConfigSettings, creds: ConfigCredentials): ClientSettings {
  const region = text(raw.region);
  if (region === '') missing('region');
  else checkShape('region', region);

  const endpointUrl = text(raw.endpointUrl) || undefined;
  if (endpointUrl) checkShape('endpointUrl', endpointUrl);
  const bidiEndpointUrl = text(raw.bidiEndpointUrl) || undefined;
  if (bidiEndpointUrl) checkShape('bidiEndpointUrl', bidiEndpointUrl);
  const apiEndpointUrl = text(raw.apiEndpointUrl) || undefined;
  if (apiEndpointUrl) checkShape('apiEndpointUrl', apiEndpointUrl);

  const authMode = oneOf('authMode', raw.authMode, AUTH_MODES, CONFIG_DEFAULTS.authMode);
  const settings: ClientSettings = {
    region,
    endpointUrl,
    ...(bidiEndpointUrl ? { bidiEndpointUrl } : {}),
    ...(apiEndpointUrl ? { apiEndpointUrl } : {}),
    authMode,
    maxAttempts: integer('maxAttempts', raw.maxAttempts),
    retryMode: oneOf('retryMode', raw.retryMode, RETRY_MODES, CONFIG_DEFAULTS.retryMode),
    timeout: integer('timeout', raw.timeout),
    s3MaxRequestRate: integer('s3MaxRequestRate', raw.s3MaxRequestRate),
  };
  const s3EndpointUrl = text(raw.s3EndpointUrl);
  if (s3EndpointUrl) {
    checkShape('s3EndpointUrl', s3EndpointUrl);
    settings.s3EndpointUrl = s3EndpointUrl;
  }
  if (authMode === 'keys') {
    if (!creds.accessKeyId) missing('accessKeyId');
    if (!creds.secretAccessKey) missing('secretAccessKey');
  } else if (authMode === 'profile') {
    const profile = text(raw.profile);
    if (profile === '') missing('profile');
    else checkShape('profile', profile);
    settings.profile = profile;
    settings.profileFile = text(raw.profileFile) || undefined;
  } else if (authMode === 'iot') {
    settings.iot = resolveIot(raw);
  }
  const role = resolveRole(raw);
  if (role) settings.role = role;
  return settings;
}

/** authMode iot: the credentials endpoint and role alias (required) and the thing name (optional), checked. */
function resolveIot(raw: RawConfigSettings): IotSettings {
  const endpoint = text(raw.iotCredentialsEndpoint);
  if (endpoint === '') missing('iotCredentialsEndpoint');
  else checkShape('iotCredentialsEndpoint', endpoint);
  const roleAlias = text(raw.iotRoleAlias);
  if (roleAlias === '') missing('iotRoleAlias');
  else checkShape('iotRoleAlias', roleAlias);
  const thingName = text(raw.iotThingName);
  if (thingName) checkShape('iotThingName', thingName);
  return { endpoint, roleAlias, ...(thingName ? { thingName } : {}) };
}

/** The role to assume, checked against STS's rules; undefined when no role ARN is set. */
function resolveRole(raw: RawConfigSettings): RoleSettings | undefined {
  const roleArn = text(raw.roleArn);
  if (roleArn === '') return undefined;
  checkShape('roleArn', roleArn);
  const externalId = text(raw.externalId) || undefined;
  if (externalId) checkShape('externalId', externalId);
  const roleSessionName = text(raw.roleSessionName) || defaultRoleSessionName(text(raw.name), text(raw.id));
  checkShape('roleSessionName', roleSessionName);
  const stsEndpointUrl = text(raw.stsEndpointUrl) || undefined;
  if (stsEndpointUrl) checkShape('stsEndpointUrl', stsEndpointUrl);
  return {
    roleArn,
    ...(externalId ? { externalId } : {}),
    roleSessionName,
    durationSeconds: integer('roleDurationSeconds', raw.roleDurationSeconds),
    ...(stsEndpointUrl ? { stsEndpointUrl } : {}),
  };
}

/** Which service a client configuration is for: its endpoint URL setting. */
export type ClientService = 'runtime' | 'api';

/**
 * What every client of a config node is built from, whichever the service: the SDK clients' configurations
 * (SageMakerRuntimeClientConfig, SageMakerClientConfig, S3ClientConfig) all take it as it is.
 */
export interface SharedClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: RetryMode;
  cacheMiddleware: boolean;
  requestHandler: SignalHandler;
  /** the service's endpoint URL when the config node sets one; absent: the SDK resolves the region's */
  endpoint?: string;
  credentials?: MasterCredentials;
}

/**
 * The client configuration for settings that passed resolveClientSettings: `service` runtime (the invoke calls,
 * `endpointUrl`) or api (the SageMaker control plane that endpoint discovery calls, `apiEndpointUrl`). Everything
 * else is the same for both: region, retries, timeouts, proxy and TLS, credentials and role. With a proxy or TLS
 * options the request handler is a RoutingHttpHandler (which the client destroys with itself); otherwise the SDK
 * makes its own. FIPS and dual-stack are left to the SDK's own configuration loading (AWS_USE_FIPS_ENDPOINT, ...).
 */
export function buildClientConfig(
  settings: ClientSettings,
  creds: ConfigCredentials,
  network: NetworkSettings = {},
  service: ClientService = 'runtime',
): SharedClientConfig {
  // One attempt may take `timeout` ms until the response starts; the socket may then idle that long
  // between body chunks. throwOnRequestTimeout makes the handler end the attempt instead of only logging.
  const timeouts = {
    requestTimeout: settings.timeout,
    throwOnRequestTimeout: true,
    socketTimeout: settings.timeout,
    connectionTimeout: settings.timeout,
  };
  const config: SharedClientConfig = {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryMode: settings.retryMode,
    // Resolve the middleware stack once per command instead of per call: this node adds no middleware, and the
    // SDK's per-call CPU is what bounds a node's throughput (see the README's Performance section).
    cacheMiddleware: true,
    // The SDK's Node HTTP handler (one per route with a proxy or TLS node), with our keep-alive agents when a socket
    // limit is given, behind SignalHandler, which gives each request the abort signal of the node that made it.
    requestHandler: new SignalHandler(
      network.proxyEnv || network.tls
        ? new RoutingHttpHandler({ timeouts, ...network })
        : new NodeHttpHandler(network.sockets ? { ...timeouts, ...keepAliveAgents({ sockets: network.sockets }) } : timeouts),
    ),
  };
  const endpoint = service === 'runtime' ? settings.endpointUrl : settings.apiEndpointUrl;
  if (endpoint) config.endpoint = endpoint;
  const base = baseCredentials(settings, creds, network, config.requestHandler);
  if (settings.role) {
    // The base credentials only call STS (through this client's request handler); SageMaker gets the role's.
    config.credentials = assumeRoleProvider(settings.role, settings.region, base);
  } else if (base) {
    config.credentials = base;
  }
  return config;
}

/** The credentials of `authMode`; undefined for the SDK's default provider chain. */
function baseCredentials(
  settings: ClientSettings,
  creds: ConfigCredentials,
  network: NetworkSettings,
  requestHandler: SignalHandler,
): MasterCredentials | undefined {
  // The nested clients of SSO and STS (web identity, a profile's role) use this client's request handler, so its
  // proxy and TLS settings apply to them too; container credentials and instance metadata (loopback and link-local)
  // are read directly, never through a proxy.
  const clientConfig = { requestHandler };
  switch (settings.authMode) {
    case 'keys':
      return {
        accessKeyId: creds.accessKeyId ?? '',
        secretAccessKey: creds.secretAccessKey ?? '',
        ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
      };
    case 'profile':
      return fromIni({
        profile: settings.profile,
        ...(settings.profileFile ? { filepath: settings.profileFile } : {}),
        // Each new client (a deploy, a discovery refresh) reads the file again, so an edited profile counts.
        ignoreCache: true,
        clientConfig,
      });
    case 'iot': {
      // The device certificate buys temporary credentials from AWS IoT Core (through the proxy, if any).
      const { proxyEnv, proxyAuth, iotTls } = network;
      if (!settings.iot || !iotTls) throw new FlowError('missingField', { field: 'iotTls' });
      return iotCredentialsProvider(settings.iot, { tls: iotTls, proxyEnv, proxyAuth, timeoutMs: settings.timeout });
    }
    case 'chain':
      // The SDK's default provider chain: environment, shared config and SSO, web identity, container and
      // instance roles.
      return fromNodeProviderChain({ clientConfig });
  }
}
