/**
 * The configuration of the local endpoint server (`sagemaker-local`): a JSON file, command-line flags, or both
 * (flags win; the flags are read by command-line.ts). Pure: it reads no file and starts nothing; a bad configuration is a ConfigError listing every
 * problem, each naming the field (as the file spells it, or the flag) and the rule it breaks, never quoting a secret.
 */

import { ConfigError, Problems } from './config-error';
import { fail, isObject, onlyKeys, text, wholeNumber } from './rules';
import { checkComponentNames, CONTROL_KEYS, controlSettingsOf, denyOf, type ControlSettings } from './endpoint-settings';
import { DEFAULT_VARIANT_NAME } from '../control/control-types';
import { findJsonProblem } from './json-error';
import type { ServerCredentials } from '../runtime/types';

export { ConfigError } from './config-error';
export { isObject, type Raw } from './rules';
export type { ControlSettings } from './endpoint-settings';

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

/**
 * An endpoint's asynchronous inference, named as in the endpoint config's AsyncInferenceConfig.OutputConfig
 * (S3OutputPath, S3FailurePath): InvokeEndpointAsync then runs the model in the background and writes its answer
 * (or, when it fails, a text saying why) to the server's own S3 API.
 */
export interface AsyncConfig {
  /** `s3://bucket/prefix` where answers go, as `<prefix>/<inference id>.out` */
  outputPath: string;
  /** `s3://bucket/prefix` where failures go, as `<prefix>/<inference id>-error.out`; without it they are only logged */
  failurePath?: string;
  /** milliseconds each job waits in the queue before its model runs (a realistic async feel); default 0 */
  delayMs: number;
  /** model invocations running at once for this endpoint; the rest wait their turn; default 4 */
  maxConcurrentInvocations: number;
}

/** The local S3 object API: its buckets and its in-memory limits. */
export interface S3Config {
  buckets: string[];
  /** default 64 MiB */
  maxObjectBytes: number;
  /** all objects together; default 512 MiB */
  maxTotalBytes: number;
}

/** The built-in demo model (an anomaly score per sensor series). */
export interface DemoRoute extends ControlSettings {
  kind: 'demo';
  /** |z| at or above which a reading is an anomaly; default 3 */
  threshold?: number;
  /** milliseconds the model waits before each answer, on every operation (a slow model); default 0 */
  delayMs?: number;
  /** the response stream: `parts` (default, the answer's bytes one part per reading) or `sse` (server-sent events) */
  stream?: 'parts' | 'sse';
  throttle?: ThrottleConfig;
  async?: AsyncConfig;
}

/** A model container on this machine that follows SageMaker's container contract. */
export interface ContainerRouteConfig extends ControlSettings {
  kind: 'container';
  /** `http://host:port` */
  url: string;
  /** seconds a call may take; default 60 */
  timeoutSeconds?: number;
  throttle?: ThrottleConfig;
  async?: AsyncConfig;
}

export type RouteConfig = DemoRoute | ContainerRouteConfig;

export interface LocalServerConfig {
  host: string;
  port: number;
  /** the HTTP/2 port of the bidirectional streams (InvokeEndpointWithBidirectionalStream); default port + 1, 0 when port is 0 */
  bidiPort: number;
  region: string;
  accountId: string;
  credentials: ServerCredentials[];
  endpoints: Record<string, RouteConfig>;
  /** the S3 object API, when the configuration names buckets */
  s3?: S3Config;
  /** one log line per request; default true */
  log: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------------------

const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;
const ACCOUNT_ID = /^[0-9]{12}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9_]{1,128}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_PATH = /^s3:\/\/([^/]+)(\/.*)?$/;
/** The first path segment of SageMaker's operations, which a bucket of the same name would shadow for unsigned requests. */
const RESERVED_BUCKET = 'endpoints';
const MiB = 1024 * 1024;

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
  const problems = new Problems();
  problems.check(() => onlyKeys(value, field, ['rate', 'burst']));
  const rate = problems.check(() => positive(value.rate, `${field}.rate`));
  const burst = value.burst === undefined ? {} : problems.check(() => ({ burst: wholeNumber(value.burst, `${field}.burst`, 1, 1_000_000) }));
  problems.throwIfAny();
  return { rate: rate as number, ...burst };
}

function demoStream(value: unknown, field: string): 'parts' | 'sse' {
  if (value !== 'parts' && value !== 'sse') fail(field, 'must be "parts" (the answer\'s bytes, a part per reading) or "sse" (server-sent events)', value);
  return value;
}

function routeOf(value: unknown, field: string): RouteConfig {
  if (!isObject(value)) fail(field, 'must be an object like {"model": "demo"} or {"container": "http://127.0.0.1:8080"}', value);
  const hasModel = value.model !== undefined;
  const hasContainer = value.container !== undefined;
  if (hasModel === hasContainer) {
    fail(field, 'must name exactly one of "model" (the built-in "demo") and "container" (a URL like http://127.0.0.1:8080)');
  }
  const problems = new Problems();
  const throttle = value.throttle === undefined ? {} : problems.check(() => ({ throttle: throttleOf(value.throttle, `${field}.throttle`) }));
  const async = value.async === undefined ? {} : problems.check(() => ({ async: asyncOf(value.async, `${field}.async`) }));
  const control = problems.check(() => controlSettingsOf(value, field, DEFAULT_VARIANT_NAME)) ?? {};
  if (hasModel) {
    problems.check(() => onlyKeys(value, field, ['model', 'threshold', 'delayMs', 'stream', 'throttle', 'async', ...CONTROL_KEYS]));
    if (value.model !== 'demo') problems.check(() => fail(`${field}.model`, 'must be "demo" (the built-in model)', value.model));
    const threshold = value.threshold === undefined ? {} : problems.check(() => ({ threshold: positive(value.threshold, `${field}.threshold`) }));
    const delayMs = value.delayMs === undefined ? {} : problems.check(() => ({ delayMs: wholeNumber(value.delayMs, `${field}.delayMs`, 0, 60000) }));
    const stream = value.stream === undefined ? {} : problems.check(() => ({ stream: demoStream(value.stream, `${field}.stream`) }));
    problems.throwIfAny();
    return { kind: 'demo', ...threshold, ...delayMs, ...stream, ...throttle, ...async, ...control };
  }
  problems.check(() => onlyKeys(value, field, ['container', 'timeoutSeconds', 'throttle', 'async', ...CONTROL_KEYS]));
  const timeout =
    value.timeoutSeconds === undefined
      ? {}
      : problems.check(() => ({ timeoutSeconds: wholeNumber(value.timeoutSeconds, `${field}.timeoutSeconds`, 1, 3600) }));
  const url = problems.check(() => containerUrl(value.container, `${field}.container`));
  problems.throwIfAny();
  return { kind: 'container', url: url as string, ...timeout, ...throttle, ...async, ...control };
}

/** `s3://bucket/prefix`, without trailing slashes (objects are named `<path>/<name>`). */
function s3Path(value: unknown, field: string): string {
  const raw = text(value, field);
  const match = S3_PATH.exec(raw);
  if (!match || !BUCKET_NAME.test(match[1])) fail(field, 'must be an S3 location like s3://my-bucket/async-output/', value);
  return raw.replace(/\/+$/, '');
}

/** The bucket of a checked `s3Path`. */
function bucketOf(path: string): string {
  return (S3_PATH.exec(path) as RegExpExecArray)[1];
}

function asyncOf(value: unknown, field: string): AsyncConfig {
  if (!isObject(value)) fail(field, 'must be an object like {"outputPath": "s3://my-bucket/async-output/", "failurePath": "s3://my-bucket/async-failures/"}', value);
  const problems = new Problems();
  problems.check(() => onlyKeys(value, field, ['outputPath', 'failurePath', 'delayMs', 'maxConcurrentInvocations']));
  const outputPath = problems.check(() => s3Path(value.outputPath, `${field}.outputPath`));
  const failure = value.failurePath === undefined ? {} : problems.check(() => ({ failurePath: s3Path(value.failurePath, `${field}.failurePath`) }));
  const delayMs = value.delayMs === undefined ? 0 : problems.check(() => wholeNumber(value.delayMs, `${field}.delayMs`, 0, 3_600_000));
  const concurrency =
    value.maxConcurrentInvocations === undefined ? 4 : problems.check(() => wholeNumber(value.maxConcurrentInvocations, `${field}.maxConcurrentInvocations`, 1, 1000));
  problems.throwIfAny();
  return { outputPath: outputPath as string, ...failure, delayMs: delayMs as number, maxConcurrentInvocations: concurrency as number };
}

function s3Of(value: unknown): S3Config {
  if (!isObject(value)) fail('s3', 'must be an object like {"buckets": ["my-bucket"]}', value);
  const problems = new Problems();
  problems.check(() => onlyKeys(value, 's3', ['buckets', 'maxObjectBytes', 'maxTotalBytes']));
  const buckets = problems.check(() => {
    if (!Array.isArray(value.buckets) || value.buckets.length === 0) fail('s3.buckets', 'must list at least one bucket name, like ["my-bucket"]', value.buckets);
    const seen = new Set<string>();
    const inner = new Problems();
    value.buckets.forEach((b, i) =>
      inner.check(() => {
        const f = `s3.buckets[${i}]`;
        if (typeof b !== 'string' || !BUCKET_NAME.test(b) || b.includes('..')) {
          fail(f, 'must be a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit', b);
        }
        if (b === RESERVED_BUCKET) fail(f, `cannot be "${RESERVED_BUCKET}" (the first path segment of SageMaker's operations on this server)`);
        if (seen.has(b)) fail(f, 'is listed twice', b);
        seen.add(b);
      }),
    );
    inner.throwIfAny();
    return value.buckets as string[];
  });
  const maxObjectBytes = value.maxObjectBytes === undefined ? 64 * MiB : problems.check(() => wholeNumber(value.maxObjectBytes, 's3.maxObjectBytes', 1, 1024 * MiB));
  const maxTotalBytes = value.maxTotalBytes === undefined ? 512 * MiB : problems.check(() => wholeNumber(value.maxTotalBytes, 's3.maxTotalBytes', 1, 16 * 1024 * MiB));
  problems.throwIfAny();
  return { buckets: buckets as string[], maxObjectBytes: maxObjectBytes as number, maxTotalBytes: maxTotalBytes as number };
}

/** Every async output and failure path names a bucket the S3 API serves. */
function checkAsyncBuckets(endpoints: Record<string, RouteConfig>, s3: S3Config | undefined, problems: Problems): void {
  for (const [name, route] of Object.entries(endpoints)) {
    if (!route.async) continue;
    for (const [key, path] of [['outputPath', route.async.outputPath], ['failurePath', route.async.failurePath]] as const) {
      if (path === undefined) continue;
      const bucket = bucketOf(path);
      if (s3?.buckets.includes(bucket)) continue;
      problems.check(() =>
        fail(
          `endpoints.${name}.async.${key}`,
          s3 === undefined
            ? `names bucket "${bucket}", but there is no "s3": {"buckets": ["${bucket}"]} section to serve it`
            : `names bucket "${bucket}", which s3.buckets does not list (${s3.buckets.join(', ')})`,
        ),
      );
    }
  }
}

function credentialOf(value: unknown, field: string): ServerCredentials {
  if (!isObject(value)) fail(field, 'must be an object like {"accessKeyId": "...", "secretAccessKey": "..."}');
  const problems = new Problems();
  problems.check(() => onlyKeys(value, field, ['accessKeyId', 'secretAccessKey', 'sessionToken', 'deny']));
  const accessKeyId = problems.check(() => {
    const id = text(value.accessKeyId, `${field}.accessKeyId`);
    if (!ACCESS_KEY_ID.test(id)) fail(`${field}.accessKeyId`, 'must be 1 to 128 letters, digits or underscores', id);
    return id;
  });
  const secretAccessKey = problems.check(() => text(value.secretAccessKey, `${field}.secretAccessKey`, true));
  const token = value.sessionToken === undefined ? {} : problems.check(() => ({ sessionToken: text(value.sessionToken, `${field}.sessionToken`, true) }));
  const deny = value.deny === undefined ? {} : problems.check(() => ({ deny: denyOf(value.deny, `${field}.deny`) }));
  problems.throwIfAny();
  return { accessKeyId: accessKeyId as string, secretAccessKey: secretAccessKey as string, ...token, ...deny };
}

function credentialsOf(value: unknown): ServerCredentials[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail(
      'credentials',
      'must list at least one key pair the server accepts, like [{"accessKeyId": "...", "secretAccessKey": "..."}] (or give --access-key-id and --secret-access-key)',
    );
  }
  const problems = new Problems();
  const credentials = value.map((c, i) => problems.check(() => credentialOf(c, `credentials[${i}]`)));
  const ids = new Set<string>();
  credentials.forEach((c, i) => {
    if (c && ids.has(c.accessKeyId)) problems.check(() => fail(`credentials[${i}].accessKeyId`, 'is listed twice', c.accessKeyId));
    if (c) ids.add(c.accessKeyId);
  });
  problems.throwIfAny();
  return credentials as ServerCredentials[];
}

function endpointsOf(value: unknown): Record<string, RouteConfig> {
  if (!isObject(value) || Object.keys(value).length === 0) {
    fail('endpoints', 'must route at least one endpoint name, like {"my-endpoint": {"model": "demo"}} (or give --demo NAME or --container NAME=URL)', value);
  }
  const problems = new Problems();
  const endpoints: Record<string, RouteConfig> = {};
  for (const [name, route] of Object.entries(value)) {
    if (name.length > 63 || !ENDPOINT_NAME.test(name)) {
      problems.check(() =>
        fail(`endpoints["${name}"]`, 'is not an endpoint name: at most 63 letters, digits and hyphens, starting and ending with a letter or digit'),
      );
    }
    const checked = problems.check(() => routeOf(route, `endpoints.${name}`));
    if (checked) endpoints[name] = checked;
  }
  checkComponentNames(endpoints, problems);
  problems.throwIfAny();
  return endpoints;
}

/**
 * The HTTP/2 port: given, or the next one after `port` (0, any free port, when `port` is 0). It cannot be `port`
 * itself unless both are 0: the HTTP/1.1 operations and the HTTP/2 streams listen apart, as the service's do.
 */
function bidiPortOf(value: unknown, port: number | undefined): number {
  if (value === undefined) {
    if (port === undefined || port === 0) return 0;
    if (port === 65535) fail('bidiPort', 'must be given when port is 65535 (its default is port + 1)');
    return port + 1;
  }
  const bidiPort = wholeNumber(value, 'bidiPort', 0, 65535);
  if (bidiPort !== 0 && bidiPort === port) fail('bidiPort', 'must differ from port (the HTTP/2 streams listen on their own port)', value);
  return bidiPort;
}

const TOP_LEVEL = ['host', 'port', 'bidiPort', 'region', 'accountId', 'credentials', 'endpoints', 's3', 'log'] as const;

/**
 * Checks a configuration in the file's shape (after flags were merged in) and fills in the defaults. `source`
 * (the file name, or "the command line") starts each error message.
 */
export function validateConfig(raw: unknown, source = 'the configuration'): LocalServerConfig {
  if (!isObject(raw)) throw new ConfigError(`${source}: the configuration must be a JSON object`);
  const problems = new Problems();
  // Each setting on its own, so that every mistake is reported at once.
  const field = <T>(run: () => T): T => problems.check(run) as T;
  field(() => onlyKeys(raw, '', TOP_LEVEL));
  const host = field(() => (raw.host === undefined ? DEFAULT_HOST : text(raw.host, 'host')));
  const port = field(() => (raw.port === undefined ? DEFAULT_PORT : wholeNumber(raw.port, 'port', 0, 65535)));
  const bidiPort = field(() => bidiPortOf(raw.bidiPort, port));
  const region = field(() => {
    const r = raw.region === undefined ? DEFAULT_REGION : text(raw.region, 'region');
    return REGION.test(r) ? r : fail('region', 'must be an AWS region such as us-east-1', r);
  });
  const accountId = field(() => {
    const a = raw.accountId === undefined ? DEFAULT_ACCOUNT_ID : text(raw.accountId, 'accountId');
    return ACCOUNT_ID.test(a) ? a : fail('accountId', 'must be 12 digits', a);
  });
  const log = field(() => (raw.log === undefined || typeof raw.log === 'boolean' ? raw.log !== false : fail('log', 'must be true or false', raw.log)));
  const credentials = field(() => credentialsOf(raw.credentials));
  const endpoints = field(() => endpointsOf(raw.endpoints));
  const s3 = raw.s3 === undefined ? undefined : field(() => s3Of(raw.s3));
  // Only when the s3 section itself is sound, so one mistake is not reported twice.
  if (endpoints && (raw.s3 === undefined || s3)) checkAsyncBuckets(endpoints, s3, problems);
  problems.throwIfAny(source);
  return { host, port, bidiPort, region, accountId, credentials, endpoints, ...(s3 ? { s3 } : {}), log };
}

/** Parses a configuration file's text (errors name the file). */
export function parseConfigText(textValue: string, source: string): unknown {
  // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
  const json = textValue.charCodeAt(0) === 0xfeff ? textValue.slice(1) : textValue;
  try {
    return JSON.parse(json);
  } catch (err) {
    const at = findJsonProblem(json);
    const where = at ? `line ${at.line}, column ${at.column}: ${at.reason}` : (err as Error).message;
    throw new ConfigError(`${source}: not valid JSON: ${where}`);
  }
}
