/**
 * The configuration of the local endpoint server (`sagemaker-local`): a JSON file, command-line flags, or both
 * (flags win). Pure: it reads no file and starts nothing; each problem is a ConfigError whose message names the
 * field (as the file spells it, or the flag) and the rule it breaks, and never quotes a secret.
 */

import { parseArgs } from 'util';
import type { ServerCredentials } from './types';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8777;
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

export interface ThrottleConfig {
  /** requests per second */
  rate: number;
  /** requests let through at once; default max(1, ceil(rate)) */
  burst?: number;
}

/** The built-in demo model (an anomaly score per sensor series). */
export interface DemoRoute {
  kind: 'demo';
  /** |z| at or above which a reading is an anomaly; default 3 */
  threshold?: number;
  throttle?: ThrottleConfig;
}

/** A model container on this machine that follows SageMaker's container contract. */
export interface ContainerRouteConfig {
  kind: 'container';
  /** `http://host:port` */
  url: string;
  /** seconds a call may take; default 60 */
  timeoutSeconds?: number;
  throttle?: ThrottleConfig;
}

export type RouteConfig = DemoRoute | ContainerRouteConfig;

export interface LocalServerConfig {
  host: string;
  port: number;
  region: string;
  accountId: string;
  credentials: ServerCredentials[];
  endpoints: Record<string, RouteConfig>;
  /** one log line per request; default true */
  log: boolean;
}

/** A configuration that cannot work; the message names the field and the rule. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------------------

const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;
const ACCOUNT_ID = /^[0-9]{12}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9_]{1,128}$/;

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

function fail(field: string, rule: string, value?: unknown, secret = false): never {
  throw new ConfigError(`${field} ${rule}${secret || value === undefined ? '' : ` (got ${show(value)})`}`);
}

function onlyKeys(obj: Raw, field: string, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      fail(`${field === '' ? '' : `${field}.`}${key}`, `is not a known setting (known: ${allowed.join(', ')})`);
    }
  }
}

function text(value: unknown, field: string, secret = false): string {
  if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a non-empty text', value, secret);
  return value;
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be a whole number from ${min} to ${max}`, value);
  }
  return value;
}

function positive(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(field, 'must be a number above 0', value);
  return value;
}

function containerUrl(value: unknown, field: string): string {
  const raw = text(value, field);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(field, 'must be a URL like http://127.0.0.1:8080 (the container\'s host and port)', value);
  }
  if (url.protocol !== 'http:' || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    fail(field, 'must be a URL like http://127.0.0.1:8080 (http, the container\'s host and port, no path)', value);
  }
  return url.origin;
}

function throttleOf(value: unknown, field: string): ThrottleConfig {
  if (!isObject(value)) fail(field, 'must be an object like {"rate": 10, "burst": 20}', value);
  onlyKeys(value, field, ['rate', 'burst']);
  const rate = positive(value.rate, `${field}.rate`);
  if (value.burst === undefined) return { rate };
  return { rate, burst: wholeNumber(value.burst, `${field}.burst`, 1, 1_000_000) };
}

function routeOf(value: unknown, field: string): RouteConfig {
  if (!isObject(value)) fail(field, 'must be an object like {"model": "demo"} or {"container": "http://127.0.0.1:8080"}', value);
  const hasModel = value.model !== undefined;
  const hasContainer = value.container !== undefined;
  if (hasModel === hasContainer) {
    fail(field, 'must name exactly one of "model" (the built-in "demo") and "container" (a URL like http://127.0.0.1:8080)');
  }
  const throttle = value.throttle === undefined ? {} : { throttle: throttleOf(value.throttle, `${field}.throttle`) };
  if (hasModel) {
    onlyKeys(value, field, ['model', 'threshold', 'throttle']);
    if (value.model !== 'demo') fail(`${field}.model`, 'must be "demo" (the built-in model)', value.model);
    const threshold = value.threshold === undefined ? {} : { threshold: positive(value.threshold, `${field}.threshold`) };
    return { kind: 'demo', ...threshold, ...throttle };
  }
  onlyKeys(value, field, ['container', 'timeoutSeconds', 'throttle']);
  const timeout =
    value.timeoutSeconds === undefined ? {} : { timeoutSeconds: wholeNumber(value.timeoutSeconds, `${field}.timeoutSeconds`, 1, 3600) };
  return { kind: 'container', url: containerUrl(value.container, `${field}.container`), ...timeout, ...throttle };
}

function credentialOf(value: unknown, field: string): ServerCredentials {
  if (!isObject(value)) fail(field, 'must be an object like {"accessKeyId": "...", "secretAccessKey": "..."}');
  onlyKeys(value, field, ['accessKeyId', 'secretAccessKey', 'sessionToken']);
  const accessKeyId = text(value.accessKeyId, `${field}.accessKeyId`);
  if (!ACCESS_KEY_ID.test(accessKeyId)) fail(`${field}.accessKeyId`, 'must be 1 to 128 letters, digits or underscores', accessKeyId);
  const secretAccessKey = text(value.secretAccessKey, `${field}.secretAccessKey`, true);
  const token = value.sessionToken === undefined ? {} : { sessionToken: text(value.sessionToken, `${field}.sessionToken`, true) };
  return { accessKeyId, secretAccessKey, ...token };
}

const TOP_LEVEL = ['host', 'port', 'region', 'accountId', 'credentials', 'endpoints', 'log'] as const;

/**
 * Checks a configuration in the file's shape (after flags were merged in) and fills in the defaults. `source`
 * (the file name, or "the command line") starts each error message.
 */
export function validateConfig(raw: unknown, source = 'the configuration'): LocalServerConfig {
  try {
    if (!isObject(raw)) fail('the configuration', 'must be a JSON object');
    onlyKeys(raw, '', TOP_LEVEL);
    const host = raw.host === undefined ? DEFAULT_HOST : text(raw.host, 'host');
    const port = raw.port === undefined ? DEFAULT_PORT : wholeNumber(raw.port, 'port', 0, 65535);
    const region = raw.region === undefined ? DEFAULT_REGION : text(raw.region, 'region');
    if (!REGION.test(region)) fail('region', 'must be an AWS region such as us-east-1', region);
    const accountId = raw.accountId === undefined ? DEFAULT_ACCOUNT_ID : text(raw.accountId, 'accountId');
    if (!ACCOUNT_ID.test(accountId)) fail('accountId', 'must be 12 digits', accountId);
    const log = raw.log === undefined ? true : raw.log;
    if (typeof log !== 'boolean') fail('log', 'must be true or false', log);

    if (!Array.isArray(raw.credentials) || raw.credentials.length === 0) {
      fail(
        'credentials',
        'must list at least one key pair the server accepts, like [{"accessKeyId": "...", "secretAccessKey": "..."}] (or give --access-key-id and --secret-access-key)',
      );
    }
    const credentials = raw.credentials.map((c, i) => credentialOf(c, `credentials[${i}]`));
    const ids = new Set<string>();
    credentials.forEach((c, i) => {
      if (ids.has(c.accessKeyId)) fail(`credentials[${i}].accessKeyId`, 'is listed twice', c.accessKeyId);
      ids.add(c.accessKeyId);
    });

    if (!isObject(raw.endpoints) || Object.keys(raw.endpoints).length === 0) {
      fail(
        'endpoints',
        'must route at least one endpoint name, like {"my-endpoint": {"model": "demo"}} (or give --demo NAME or --container NAME=URL)',
        raw.endpoints,
      );
    }
    const endpoints: Record<string, RouteConfig> = {};
    for (const [name, route] of Object.entries(raw.endpoints)) {
      if (name.length > 63 || !ENDPOINT_NAME.test(name)) {
        fail(`endpoints["${name}"]`, 'is not an endpoint name: at most 63 letters, digits and hyphens, starting and ending with a letter or digit');
      }
      endpoints[name] = routeOf(route, `endpoints.${name}`);
    }
    return { host, port, region, accountId, credentials, endpoints, log };
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${source}: ${err.message}`);
    throw err;
  }
}

/** Parses a configuration file's text (errors name the file). */
export function parseConfigText(textValue: string, source: string): unknown {
  try {
    return JSON.parse(textValue);
  } catch (err) {
    throw new ConfigError(`${source}: not valid JSON: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------------

export const USAGE = `Usage: sagemaker-local [options]

A local server that speaks the SageMaker Runtime API (InvokeEndpoint, InvokeEndpointWithResponseStream,
InvokeEndpointAsync) on 127.0.0.1, checks each request's SigV4 signature against the keys it was given, and
routes each endpoint name to the built-in demo model or to a model container on this machine. Point an AWS SDK
client (or the sagemaker-config node's Endpoint URL) at the URL it prints.

Options:
  -c, --config FILE            read the configuration from a JSON file (flags override it)
      --host HOST              address to listen on (default ${DEFAULT_HOST})
  -p, --port PORT              port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
      --region REGION          region the signatures must be scoped to (default ${DEFAULT_REGION})
      --account-id ID          account named in "endpoint not found" errors (default ${DEFAULT_ACCOUNT_ID})
      --access-key-id ID       access key ID the server accepts
      --secret-access-key KEY  its secret access key (made up for local use: never a real AWS key)
      --demo NAME              route endpoint NAME to the built-in demo model (repeatable)
      --container NAME=URL     route endpoint NAME to the model container at URL, e.g.
                               my-model=http://127.0.0.1:8080 (repeatable)
      --throttle NAME=RATE[:BURST]
                               answer ThrottlingException when endpoint NAME gets more than RATE requests
                               per second (BURST at once) (repeatable)
  -q, --quiet                  no log line per request
  -h, --help                   show this help

Configuration file (every field optional except credentials and endpoints):
  {
    "host": "${DEFAULT_HOST}",
    "port": ${DEFAULT_PORT},
    "region": "${DEFAULT_REGION}",
    "accountId": "${DEFAULT_ACCOUNT_ID}",
    "credentials": [{ "accessKeyId": "AKIALOCALDEMO", "secretAccessKey": "local-demo-secret" }],
    "endpoints": {
      "sensor-anomaly": { "model": "demo", "threshold": 3, "throttle": { "rate": 20, "burst": 40 } },
      "my-model": { "container": "http://127.0.0.1:8080", "timeoutSeconds": 60 }
    },
    "log": true
  }

Routes served: POST /endpoints/NAME/invocations, /endpoints/NAME/invocations-response-stream and
/endpoints/NAME/async-invocations. Stop with Ctrl-C.`;

export interface CommandLine {
  help: boolean;
  /** the --config file, to be read and merged under the flags with `mergeConfig` */
  configFile?: string;
  /** the flags in the configuration file's shape */
  flags: Raw;
  /** --throttle entries, applied after merging (they may name an endpoint of the file) */
  throttles: Record<string, ThrottleConfig>;
}

function splitPair(value: string, flag: string, example: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new ConfigError(`${flag} must be NAME=${example} (got ${JSON.stringify(value)})`);
  return [value.slice(0, eq), value.slice(eq + 1)];
}

function flagNumber(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${flag} must be a number (got ${JSON.stringify(value)})`);
  return n;
}

/** Parses the command line (without `node` and the script). Unknown flags and bad values are ConfigErrors. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string', short: 'c' },
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
        region: { type: 'string' },
        'account-id': { type: 'string' },
        'access-key-id': { type: 'string' },
        'secret-access-key': { type: 'string' },
        demo: { type: 'string', multiple: true },
        container: { type: 'string', multiple: true },
        throttle: { type: 'string', multiple: true },
        quiet: { type: 'boolean', short: 'q' },
      },
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message} (see sagemaker-local --help)`);
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const list = (name: string): string[] => (values[name] as string[] | undefined) ?? [];

  const flags: Raw = {};
  if (str('host') !== undefined) flags.host = str('host');
  if (str('port') !== undefined) {
    const port = flagNumber(str('port') as string, '--port');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a whole number from 0 to 65535 (got ${str('port')})`);
    flags.port = port;
  }
  if (str('region') !== undefined) flags.region = str('region');
  if (str('account-id') !== undefined) flags.accountId = str('account-id');
  const keyId = str('access-key-id');
  const secret = str('secret-access-key');
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new ConfigError('--access-key-id and --secret-access-key go together: give both or neither');
  }
  if (keyId !== undefined) flags.credentials = [{ accessKeyId: keyId, secretAccessKey: secret }];
  const endpoints: Raw = {};
  for (const name of list('demo')) endpoints[name] = { model: 'demo' };
  for (const pair of list('container')) {
    const [name, url] = splitPair(pair, '--container', 'URL, e.g. my-model=http://127.0.0.1:8080');
    endpoints[name] = { container: url };
  }
  if (Object.keys(endpoints).length > 0) flags.endpoints = endpoints;
  if (values.quiet === true) flags.log = false;

  const throttles: Record<string, ThrottleConfig> = {};
  for (const pair of list('throttle')) {
    const [name, spec] = splitPair(pair, '--throttle', 'RATE[:BURST], e.g. my-model=5:10');
    const [rateText, burstText, extra] = spec.split(':');
    if (extra !== undefined) throw new ConfigError(`--throttle must be NAME=RATE[:BURST] (got ${JSON.stringify(pair)})`);
    const rate = flagNumber(rateText, `--throttle ${name}: RATE`);
    if (rate <= 0) throw new ConfigError(`--throttle ${name}: RATE must be above 0 (got ${rateText})`);
    const throttle: ThrottleConfig = { rate };
    if (burstText !== undefined) {
      const burst = flagNumber(burstText, `--throttle ${name}: BURST`);
      if (!Number.isInteger(burst) || burst < 1) throw new ConfigError(`--throttle ${name}: BURST must be a whole number, at least 1 (got ${burstText})`);
      throttle.burst = burst;
    }
    throttles[name] = throttle;
  }
  return { help: values.help === true, configFile: str('config'), flags, throttles };
}

/**
 * The file's configuration with the command line's on top (flag endpoints are added to, or replace, the file's),
 * checked. `fileRaw` is the parsed file or undefined without one.
 */
export function mergeConfig(fileRaw: unknown, cli: CommandLine, source = 'the command line'): LocalServerConfig {
  if (fileRaw !== undefined && !isObject(fileRaw)) throw new ConfigError(`${source}: the configuration must be a JSON object`);
  const file = fileRaw ?? {};
  const endpoints = { ...(isObject(file.endpoints) ? file.endpoints : {}), ...(isObject(cli.flags.endpoints) ? cli.flags.endpoints : {}) };
  const merged: Raw = { ...file, ...cli.flags };
  if (file.endpoints !== undefined && !isObject(file.endpoints)) merged.endpoints = file.endpoints; // reported by validateConfig
  else if (Object.keys(endpoints).length > 0 || file.endpoints !== undefined) merged.endpoints = endpoints;
  const config = validateConfig(merged, source);
  for (const [name, throttle] of Object.entries(cli.throttles)) {
    const route = config.endpoints[name];
    if (!route) throw new ConfigError(`--throttle ${name}: there is no endpoint ${name} (routed: ${Object.keys(config.endpoints).join(', ')})`);
    route.throttle = throttle;
  }
  return config;
}
