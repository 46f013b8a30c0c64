/**
 * The command line of `sagemaker-local`: its flags in the configuration file's shape, the usage text, and the file
 * and the flags merged and checked (config.ts). Pure. Every mistake is reported, not only the first.
 */

import { parseArgs } from 'util';
import { ConfigError, Problems } from './config-error';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_REGION,
  isObject,
  validateConfig,
  type LocalServerConfig,
  type Raw,
  type ThrottleConfig,
} from './config';

export const USAGE = `Usage: sagemaker-local [options]

A local server that speaks the SageMaker Runtime API (InvokeEndpoint, InvokeEndpointWithResponseStream,
InvokeEndpointAsync, and InvokeEndpointWithBidirectionalStream over HTTP/2 on a second port) on 127.0.0.1,
checks each request's SigV4 signature (and each bidirectional event's) against the keys it was given, and routes
each endpoint name to the built-in demo model or to a model container on this machine. Point an AWS SDK
client (or the sagemaker-config node's Endpoint URL) at the URL it prints.

Options:
  -c, --config FILE            read the configuration from a JSON file (flags override it)
      --host HOST              address to listen on (default ${DEFAULT_HOST}; another than loopback is warned about)
  -p, --port PORT              port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
      --bidi-port PORT         HTTP/2 port of the bidirectional streams (default PORT + 1; 0 picks a free one)
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
    "bidiPort": ${DEFAULT_PORT + 1},
    "region": "${DEFAULT_REGION}",
    "accountId": "${DEFAULT_ACCOUNT_ID}",
    "credentials": [{ "accessKeyId": "AKIALOCALDEMO", "secretAccessKey": "local-demo-secret" }],
    "endpoints": {
      "sensor-anomaly": { "model": "demo", "threshold": 3, "delayMs": 0, "throttle": { "rate": 20, "burst": 40 } },
      "sensor-sse": { "model": "demo", "stream": "sse" },
      "my-model": { "container": "http://127.0.0.1:8080", "timeoutSeconds": 60 },
      "batch": { "model": "demo", "async": { "outputPath": "s3://local-bucket/out/",
                 "failurePath": "s3://local-bucket/failures/", "delayMs": 2000 } }
    },
    "s3": { "buckets": ["local-bucket"] },
    "log": true
  }

Routes served: POST /endpoints/NAME/invocations, /endpoints/NAME/invocations-response-stream and
/endpoints/NAME/async-invocations (with an "async" section, the result is written to the S3 API), and, for the
buckets of the "s3" section, an S3 object API in path style: PUT/GET/HEAD/DELETE /BUCKET/KEY, signed for
service s3; on the HTTP/2 port (cleartext h2c), /endpoints/NAME/invocations-bidirectional-stream.
Stop with Ctrl-C.`;

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

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string', short: 'c' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'bidi-port': { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  'access-key-id': { type: 'string' },
  'secret-access-key': { type: 'string' },
  demo: { type: 'string', multiple: true },
  container: { type: 'string', multiple: true },
  throttle: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/**
 * `--port -1` as `--port=-1`: parseArgs takes a value that starts with a dash for the next flag and calls the
 * option "ambiguous", where the person meant a (bad) number that deserves the number's own rule.
 */
function joinNegativeNumbers(argv: readonly string[]): string[] {
  const valued = new Map<string, string>();
  for (const [name, option] of Object.entries(OPTIONS)) {
    if (option.type !== 'string') continue;
    valued.set(`--${name}`, name);
    if ('short' in option) valued.set(`-${option.short}`, name);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = valued.get(argv[i]);
    if (name !== undefined && i + 1 < argv.length && /^-[0-9.]/.test(argv[i + 1])) out.push(`--${name}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

function portFlag(raw: string, flag = '--port'): number {
  const port = flagNumber(raw, flag);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${flag} must be a whole number from 0 to 65535 (got ${raw})`);
  return port;
}

function throttleFlag(pair: string): [string, ThrottleConfig] {
  const [name, spec] = splitPair(pair, '--throttle', 'RATE[:BURST], e.g. my-model=5:10');
  const [rateText, burstText, extra] = spec.split(':');
  if (extra !== undefined) throw new ConfigError(`--throttle must be NAME=RATE[:BURST] (got ${JSON.stringify(pair)})`);
  const rate = flagNumber(rateText, `--throttle ${name}: RATE`);
  if (rate <= 0) throw new ConfigError(`--throttle ${name}: RATE must be above 0 (got ${rateText})`);
  if (burstText === undefined) return [name, { rate }];
  const burst = flagNumber(burstText, `--throttle ${name}: BURST`);
  if (!Number.isInteger(burst) || burst < 1) throw new ConfigError(`--throttle ${name}: BURST must be a whole number, at least 1 (got ${burstText})`);
  return [name, { rate, burst }];
}

/** --demo NAME and --container NAME=URL; one name routed two ways is a mistake, not "the last one wins". */
function endpointFlags(demos: string[], containers: string[], problems: Problems): Raw {
  const endpoints: Raw = {};
  const givenBy: Record<string, string> = {};
  const route = (name: string, flag: string, value: Raw): void => {
    const before = givenBy[name];
    if (before !== undefined && before !== flag) {
      problems.check(() => {
        throw new ConfigError(`${before} and ${flag} both route endpoint ${name}: give one route per endpoint name`);
      });
    }
    givenBy[name] = before ?? flag;
    endpoints[name] = value;
  };
  for (const name of demos) route(name, `--demo ${name}`, { model: 'demo' });
  for (const pair of containers) {
    const split = problems.check(() => splitPair(pair, '--container', 'URL, e.g. my-model=http://127.0.0.1:8080'));
    if (split) route(split[0], `--container ${pair}`, { container: split[1] });
  }
  return endpoints;
}

/** Parses the command line (without `node` and the script). Unknown flags and bad values are ConfigErrors. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: joinNegativeNumbers(argv), strict: true, allowPositionals: false, options: OPTIONS }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message} (see sagemaker-local --help)`);
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const list = (name: string): string[] => (values[name] as string[] | undefined) ?? [];
  const problems = new Problems();

  const flags: Raw = {};
  if (str('host') !== undefined) flags.host = str('host');
  const port = str('port');
  if (port !== undefined) flags.port = problems.check(() => portFlag(port));
  const bidiPort = str('bidi-port');
  if (bidiPort !== undefined) flags.bidiPort = problems.check(() => portFlag(bidiPort, '--bidi-port'));
  if (str('region') !== undefined) flags.region = str('region');
  if (str('account-id') !== undefined) flags.accountId = str('account-id');
  const keyId = str('access-key-id');
  const secret = str('secret-access-key');
  if ((keyId === undefined) !== (secret === undefined)) {
    problems.check(() => {
      throw new ConfigError('--access-key-id and --secret-access-key go together: give both or neither');
    });
  }
  if (keyId !== undefined) flags.credentials = [{ accessKeyId: keyId, secretAccessKey: secret }];
  const endpoints = endpointFlags(list('demo'), list('container'), problems);
  if (Object.keys(endpoints).length > 0) flags.endpoints = endpoints;
  if (values.quiet === true) flags.log = false;

  const throttles: Record<string, ThrottleConfig> = {};
  for (const pair of list('throttle')) {
    const parsed = problems.check(() => throttleFlag(pair));
    if (parsed) throttles[parsed[0]] = parsed[1];
  }
  problems.throwIfAny();
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
  const problems = new Problems();
  for (const [name, throttle] of Object.entries(cli.throttles)) {
    const route = config.endpoints[name];
    if (!route) {
      problems.check(() => {
        throw new ConfigError(`--throttle ${name}: there is no endpoint ${name} (routed: ${Object.keys(config.endpoints).join(', ')})`);
      });
    } else route.throttle = throttle;
  }
  problems.throwIfAny();
  return config;
}

/** Whether `host` is this machine's loopback: localhost, 127.0.0.0/8 or ::1 (also as an IPv4-mapped address). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The warning for a host other than loopback, or undefined: the server's only guard is SIGV4 with made-up keys. */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  return (
    `warning: listening on ${host}, not only on this machine's loopback: anyone who can reach this address can call ` +
    'its endpoints and read and write its S3 buckets, and its only protection is a SigV4 check against the made-up ' +
    'keys of its configuration. Use it on a network you trust, and never give it real AWS keys.'
  );
}
