/**
 * Starts the local endpoint server from a checked configuration: a SageMakerServer whose endpoints are the
 * built-in demo model or routes to local model containers, each behind its own throttle when one is configured.
 * Used by the `sagemaker-local` command and by `npm start`; importable for tests and for users' own scripts.
 */

import { SageMakerServer } from './runtime/sagemaker-server';
import type { EndpointHandler } from './runtime/types';
import type { LocalServerConfig, RouteConfig } from './config/config';
import { demoModel } from './models/demo-model';
import { ContainerRoute } from './models/container-route';
import { throttle } from './runtime/throttle';
import { slowModel } from './runtime/slow-model';
import { ObjectStore } from './s3/s3-store';
import { AsyncJobs } from './runtime/async-jobs';
import { BidiServer } from './bidi/bidi-server';
import type { BidiHandler } from './bidi/bidi-types';
import { demoBidi } from './models/demo-bidi';
import { containerBidi } from './models/container-bidi';
import type { EndpointSettings } from './control/control-types';

export interface LocalServerOptions {
  /** where the request log lines and container notices go; default nowhere */
  log?: (line: string) => void;
  /** for tests: milliseconds between container health checks (default 5000) */
  pingIntervalMs?: number;
}

export interface LocalServer {
  server: SageMakerServer;
  /** the base URL, e.g. http://127.0.0.1:8777 */
  url: string;
  /** the HTTP/2 server of the bidirectional streams */
  bidi: BidiServer;
  /** its base URL, e.g. http://127.0.0.1:8778 (HTTP/2 without TLS: the SDK's HTTP/2 handler speaks h2c to http://) */
  bidiUrl: string;
  config: LocalServerConfig;
  /** the container routes, by endpoint name */
  containers: Map<string, ContainerRoute>;
  /** the S3 API's objects, when the configuration names buckets */
  store?: ObjectStore;
  /** the async job queues, by endpoint name, for endpoints with an `async` section */
  asyncJobs: Map<string, AsyncJobs>;
  /** stops listening, ends open connections and the containers' health checks */
  close(): Promise<void>;
}

/** A one-line description of a route, without secrets, for the start-up log. */
export function describeRoute(name: string, route: RouteConfig): string {
  const target = route.kind === 'demo' ? 'the built-in demo model (anomaly score per series)' : `the container at ${route.url}`;
  const limit = route.throttle ? `, throttled at ${route.throttle.rate}/s` : '';
  const async = route.async
    ? `; async results to ${route.async.outputPath}/${route.async.failurePath ? `, failures to ${route.async.failurePath}/` : ''}`
    : '';
  return `${name} -> ${target}${limit}${async}${describeControl(route)}`;
}

/** What the control plane says of a route beyond the defaults (InService, AllTraffic on one ml.m5.large). */
function describeControl(route: RouteConfig): string {
  const parts = [
    ...(route.status === undefined ? [] : [`status ${route.status}`]),
    ...(route.variants === undefined ? [] : [`variants ${route.variants.map((v) => v.name).join(', ')}`]),
    ...(route.inferenceComponents === undefined ? [] : [`inference components ${route.inferenceComponents.map((c) => c.name).join(', ')}`]),
  ];
  return parts.length === 0 ? '' : `; ${parts.join('; ')}`;
}

/** What the control plane says of a configured endpoint: its own settings, and its async section's output config. */
export function endpointSettingsOf(route: RouteConfig): EndpointSettings {
  const { status, failureReason, variants, inferenceComponents, async } = route;
  return {
    ...(status === undefined ? {} : { status }),
    ...(failureReason === undefined ? {} : { failureReason }),
    ...(variants === undefined ? {} : { variants }),
    ...(inferenceComponents === undefined ? {} : { inferenceComponents }),
    ...(async === undefined
      ? {}
      : {
          async: {
            outputPath: async.outputPath,
            ...(async.failurePath === undefined ? {} : { failurePath: async.failurePath }),
            maxConcurrentInvocations: async.maxConcurrentInvocations,
          },
        }),
  };
}

/** An endpoint's bidirectional model: the demo's (scoring each part as it comes), or its container's WebSocket. */
function bidiOf(route: RouteConfig): BidiHandler {
  if (route.kind === 'demo') {
    return demoBidi({
      ...(route.threshold === undefined ? {} : { threshold: route.threshold }),
      ...(route.delayMs === undefined ? {} : { delayMs: route.delayMs }),
    });
  }
  return containerBidi({ url: route.url });
}

/** An endpoint's model: the demo model, or a route to its container. */
function modelOf(name: string, route: RouteConfig, options: LocalServerOptions): { handler: EndpointHandler; container?: ContainerRoute } {
  if (route.kind === 'demo') {
    const model = demoModel({
      ...(route.threshold === undefined ? {} : { threshold: route.threshold }),
      ...(route.stream === undefined ? {} : { stream: route.stream }),
    });
    return { handler: slowModel(model, route.delayMs ?? 0) };
  }
  const container = new ContainerRoute({
    url: route.url,
    ...(route.timeoutSeconds === undefined ? {} : { timeoutMs: route.timeoutSeconds * 1000 }),
    ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
    log: (line) => options.log?.(`${name}: ${line}`),
  });
  return { handler: container.handler, container };
}

export async function startLocalServer(config: LocalServerConfig, options: LocalServerOptions = {}): Promise<LocalServer> {
  const log = options.log;
  const containers = new Map<string, ContainerRoute>();
  const asyncJobs = new Map<string, AsyncJobs>();
  const store = config.s3 ? new ObjectStore(config.s3) : undefined;
  const endpoints: Record<string, EndpointHandler> = {};
  const bidiEndpoints: Record<string, BidiHandler> = {};
  const endpointSettings: Record<string, EndpointSettings> = {};
  for (const [name, route] of Object.entries(config.endpoints)) {
    endpointSettings[name] = endpointSettingsOf(route);
    const { handler, container } = modelOf(name, route, options);
    bidiEndpoints[name] = bidiOf(route);
    if (container) containers.set(name, container);
    const front = route.throttle ? throttle(handler, route.throttle) : handler;
    endpoints[name] = front;
    if (route.async && store) {
      // The queue calls the model itself: the throttle guards the front door, as the service's does.
      const jobs = new AsyncJobs({ endpointName: name, ...route.async, model: handler, store, log });
      asyncJobs.set(name, jobs);
      endpoints[name] = (req) => (req.operation === 'async' ? jobs.accept(req) : front(req));
    }
  }

  const server = new SageMakerServer({
    credentials: config.credentials,
    region: config.region,
    accountId: config.accountId,
    endpoints,
    endpointSettings,
    // The server's own line: method, path, status, error type, duration. Never a header, a query or a body.
    log: config.log && log ? log : undefined,
    // Keep memory flat in a long-running process: the record is for tests.
    maxRecordedRequests: 100,
    ...(store ? { objectStore: store } : {}),
    onHandlerError: (err, endpointName) => log?.(`${endpointName}: internal error: ${(err as Error)?.message ?? String(err)}`),
  });
  const bidi = new BidiServer({
    credentials: config.credentials,
    region: config.region,
    accountId: config.accountId,
    endpoints: bidiEndpoints,
    log: config.log && log ? log : undefined,
    maxRecordedStreams: 100,
    onHandlerError: (err, endpointName) => log?.(`${endpointName}: internal error: ${(err as Error)?.message ?? String(err)}`),
  });
  let url: string;
  let bidiUrl: string;
  try {
    url = await server.listen(config.port, config.host);
    bidiUrl = await bidi.listen(config.bidiPort, config.host);
  } catch (err) {
    for (const c of containers.values()) c.close();
    for (const j of asyncJobs.values()) j.close();
    await server.close();
    throw err;
  }
  // Health checks start now; a call before a container's first 200 from /ping waits for one more check.
  for (const c of containers.values()) void c.start();
  return {
    server,
    url,
    bidi,
    bidiUrl,
    config,
    containers,
    ...(store ? { store } : {}),
    asyncJobs,
    close: async () => {
      for (const j of asyncJobs.values()) j.close();
      for (const c of containers.values()) c.close();
      await Promise.all([server.close(), bidi.close()]);
    },
  };
}
