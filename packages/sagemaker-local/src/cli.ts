#!/usr/bin/env node
/**
 * `sagemaker-local`: the local SageMaker Runtime endpoint server as a command. Reads a JSON configuration file
 * and/or flags (`--help` lists them), listens, logs one line per request (never a secret), and closes cleanly on
 * SIGINT or SIGTERM. Exit codes: 0 after --help or a clean stop, 2 for a bad configuration, 1 when it cannot start.
 */

import { readFileSync } from 'fs';
import { exposureWarning, mergeConfig, parseCommandLine, USAGE } from './config/command-line';
import { ConfigError, parseConfigText, type LocalServerConfig } from './config/config';
import { describeRoute, startLocalServer } from './local';

const EXIT_BAD_CONFIG = 2;
const EXIT_CANNOT_START = 1;

/** Reads the command line and the file it names into a checked configuration, or undefined for --help. */
export function loadConfig(argv: readonly string[]): LocalServerConfig | undefined {
  const cli = parseCommandLine(argv);
  if (cli.help) return undefined;
  let fileRaw: unknown;
  if (cli.configFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(cli.configFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`--config ${cli.configFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    fileRaw = parseConfigText(text, cli.configFile);
  }
  return mergeConfig(fileRaw, cli, cli.configFile ?? 'the command line');
}

function timestamp(): string {
  return new Date().toISOString();
}

async function main(argv: readonly string[]): Promise<void> {
  let config: LocalServerConfig | undefined;
  try {
    config = loadConfig(argv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`sagemaker-local: ${err.message}\n`);
    process.exitCode = EXIT_BAD_CONFIG;
    return;
  }
  if (!config) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = (line: string): void => {
    process.stdout.write(`${timestamp()} ${line}\n`);
  };
  const warning = exposureWarning(config.host);
  if (warning) process.stderr.write(`sagemaker-local: ${warning}\n`);
  let local;
  try {
    local = await startLocalServer(config, { log });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const busy = (e as { port?: number }).port ?? config.port;
    const flag = busy === config.bidiPort && busy !== config.port ? '--bidi-port' : '--port';
    const why = e.code === 'EADDRINUSE' ? `port ${busy} on ${config.host} is in use (choose another with ${flag})` : e.message;
    process.stderr.write(`sagemaker-local: cannot listen: ${why}\n`);
    process.exitCode = EXIT_CANNOT_START;
    return;
  }
  log(`sagemaker-local listening on ${local.url} (region ${config.region}; access key IDs: ${config.credentials.map((c) => c.accessKeyId).join(', ')})`);
  log(`bidirectional streams (HTTP/2) on ${local.bidiUrl}`);
  log(`SageMaker control plane (ListEndpoints, DescribeEndpoint, DescribeEndpointConfig, ListInferenceComponents) on ${local.url}`);
  for (const [name, route] of Object.entries(config.endpoints)) log(`  ${describeRoute(name, route)}`);
  if (config.s3) log(`  S3 buckets (path style, ${local.url}/BUCKET/KEY, signed for service s3): ${config.s3.buckets.join(', ')}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: closing`);
    void local.close().then(() => {
      process.exitCode = 0;
      // Nothing else keeps the process alive once the server and the health checks are gone.
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`sagemaker-local: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(EXIT_CANNOT_START);
  });
}
