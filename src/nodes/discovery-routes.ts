/**
 * The admin routes of endpoint discovery (src/shared/discovery.ts): the edit dialogs post a config node as it stands
 * in the dialog (saved or not, deployed or not) and get its account's endpoints, or one endpoint described. Node-RED
 * wiring only: the request is read by src/discovery/request, the calls made by src/discovery/service. Both routes
 * need DISCOVERY_PERMISSION (they receive secrets); no answer and no log holds a secret.
 */
import type { NodeAPI } from 'node-red';
import { CONFIG_NODE_TYPE, INVOKE_NODE_TYPE, MODULE_NAME } from '../shared/names';
import {
  DISCOVERY_ENDPOINTS_ROUTE,
  DISCOVERY_ENDPOINT_ROUTE,
  DISCOVERY_PERMISSION,
  type DiscoveryErrorJson,
  type EndpointDescriptionJson,
  type EndpointListJson,
} from '../shared/discovery';
import { FlowError } from '../shared/flow-error';
import { alongside, collectProblems } from '../shared/problems';
import { resolveClientSettings, type RawConfigSettings } from '../config/client-config';
import { Secrets } from '../config/secrets';
import { DiscoveryService, type DiscoveryAnswer, type DiscoveryTarget } from '../discovery/service';
import { mergeCredentials, readRequest, substituteEnv, type DiscoveryRequest } from '../discovery/request';
import { callProblem, problemJson, settingsProblem, type DiscoveryProblem, type Phrase } from '../discovery/problems';
import { networkOf, type NetworkNodeIds } from './config-network';

/** What the routes use of Express's request and response (Node-RED's admin app). */
interface Request {
  body?: unknown;
}
interface Response {
  set(field: string, value: string): Response;
  status(code: number): Response;
  json(body: unknown): Response;
}

type Answer = DiscoveryAnswer<EndpointListJson | EndpointDescriptionJson>;

/** The admin apps the routes were added to: a runtime that loads this file twice gets them once. */
const routed = new WeakSet<object>();
/** The runtimes' event emitters whose flows stopping closes the service (once each). */
const watched = new WeakSet<object>();
/** One service per process: its clients and answers serve every config node. */
let service: DiscoveryService | undefined;
/** How often idle clients are looked for. */
const SWEEP_MS = 60_000;

/** Node-RED's lookup of an environment variable for a node (its flow's and group's env, then the process's). */
interface EnvLookup {
  getSetting(node: object | undefined, name: string): unknown;
}

const isRequest = (r: DiscoveryRequest | DiscoveryProblem): r is DiscoveryRequest => !('kind' in r);

/** The one service of the process, made (with its idle sweep, which never keeps the process alive) at first use. */
function theService(): DiscoveryService {
  if (!service) {
    const made = (service = new DiscoveryService());
    setInterval(() => made.sweep(), SWEEP_MS).unref();
  }
  return service;
}

/** A problem's phrase in words: the config node's catalog, or the invoke node's. */
function wordsOf(RED: NodeAPI): (p: Phrase) => string {
  return (p) =>
    p.catalog === 'config'
      ? RED._(`${CONFIG_NODE_TYPE}.${p.key}`, p.params)
      : RED._(`${MODULE_NAME}/${INVOKE_NODE_TYPE}:${INVOKE_NODE_TYPE}.${p.key}`, p.params);
}

/**
 * The saved credentials of the deployed flows' node with that id, only when it is a config node of ours: a request
 * naming another node (another package's with credentials of the same names) gets none of its secrets.
 */
function savedCredentials(RED: NodeAPI, id: string): Record<string, unknown> | undefined {
  let type: string | undefined;
  RED.nodes.eachNode((n) => {
    if (n.id === id) type = n.type;
  });
  return type === CONFIG_NODE_TYPE ? (RED.nodes.getCredentials(id) as Record<string, unknown> | undefined) : undefined;
}

/**
 * The request's config node, checked as the config node checks itself (every problem at once), or the problem.
 * Every secret it holds (its credentials, the proxy's password, the TLS passphrase and key) joins `secrets`.
 */
function targetOf(RED: NodeAPI, request: DiscoveryRequest, secrets: Secrets): { target: DiscoveryTarget } | { problem: DiscoveryProblem } {
  const deployed = RED.nodes.getNode(request.id) ?? undefined;
  const lookup = (name: string): unknown => (RED.util as unknown as EnvLookup).getSetting(deployed, name);
  const creds = mergeCredentials(request.credentials, savedCredentials(RED, request.id), lookup);
  secrets.add(creds.secretAccessKey, creds.sessionToken);
  const def = substituteEnv(request.config, lookup) as RawConfigSettings & NetworkNodeIds;
  const redact = (text: string): string => secrets.redact(text);
  try {
    const { settings, network } = collectProblems(() => ({
      settings: alongside(() => resolveClientSettings({ ...def, id: request.id }, creds)),
      network: networkOf(RED, def, (...values) => secrets.add(...values), { missingKey: 'undeployedConfigNode' }),
    }));
    if (!settings) throw new Error('collectProblems throws when a check failed');
    return { target: { id: request.id, settings, creds, network, words: wordsOf(RED), redact } };
  } catch (err) {
    if (err instanceof FlowError) return { problem: settingsProblem(err) };
    throw err;
  }
}

/** A problem as the dialog reads it: 400 for the settings (and the request), 502 for the rest. */
function refuse(RED: NodeAPI, res: Response, problem: DiscoveryProblem, secrets: Secrets): void {
  const body: DiscoveryErrorJson = { error: problemJson(problem, wordsOf(RED), (text) => secrets.redact(text)) };
  res.set('Cache-Control', 'no-store').status(problem.kind === 'settings' ? 400 : 502).json(body);
}

/** The answer to a request whose body was read: the service's, or the problem of its config node's settings. */
async function answerOf(RED: NodeAPI, request: DiscoveryRequest, secrets: Secrets): Promise<Answer> {
  const resolved = targetOf(RED, request, secrets);
  if ('problem' in resolved) return { ok: false, problem: resolved.problem };
  const { target } = resolved;
  return request.endpointName !== undefined
    ? theService().endpoint(target, request.endpointName, request.refresh)
    : theService().endpoints(target, request.refresh);
}

/** A route's handler: the endpoint list, or (`needsEndpoint`) one endpoint described. */
function route(RED: NodeAPI, needsEndpoint: boolean) {
  return async (req: Request, res: Response): Promise<void> => {
    const request = readRequest(req.body, needsEndpoint);
    // The secrets as posted are redacted from the first word on, before they are checked.
    const posted = isRequest(request) ? request.credentials : {};
    const secrets = new Secrets(...[posted.secretAccessKey, posted.sessionToken].filter((v): v is string => typeof v === 'string'));
    if (!isRequest(request)) return refuse(RED, res, request, secrets);
    try {
      const result = await answerOf(RED, request, secrets);
      if (!result.ok) return refuse(RED, res, result.problem, secrets);
      res.set('Cache-Control', 'no-store').status(200).json(result.json);
    } catch (err) {
      // A bug, not the service's answer: still in words, still without a secret.
      const operation = needsEndpoint ? 'DescribeEndpoint' : 'ListEndpoints';
      refuse(RED, res, callProblem(err, { operation, url: '', timeoutMs: 0, maxAttempts: 0 }), secrets);
    }
  };
}

export function registerDiscoveryRoutes(RED: NodeAPI): void {
  if (routed.has(RED.httpAdmin)) return;
  routed.add(RED.httpAdmin);
  // When the flows stop (Node-RED stops, or a deploy restarts them) every client is destroyed and every answer
  // forgotten: nothing keeps a socket open after Node-RED, and a deploy may change the saved secrets, proxy and TLS.
  if (!watched.has(RED.events)) {
    watched.add(RED.events);
    RED.events.on('flows:stopped', () => service?.close());
  }
  const write = RED.auth.needsPermission(DISCOVERY_PERMISSION);
  RED.httpAdmin.post(`/${DISCOVERY_ENDPOINTS_ROUTE}`, write, route(RED, false));
  RED.httpAdmin.post(`/${DISCOVERY_ENDPOINT_ROUTE}`, write, route(RED, true));
}
