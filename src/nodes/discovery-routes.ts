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
/** One service per process: its clients and answers serve every config node. */
let service: DiscoveryService | undefined;
/** How often idle clients are looked for. */
const SWEEP_MS = 60_000;

/** Node-RED's lookup of an environment variable for a node (its flow's and group's env, then the process's). */
interface EnvLookup {
  getSetting(node: object | undefined, name: string): unknown;
}

export function registerDiscoveryRoutes(RED: NodeAPI): void {
  if (routed.has(RED.httpAdmin)) return;
  routed.add(RED.httpAdmin);
  if (!service) {
    service = new DiscoveryService();
    const running = service;
    setInterval(() => running.sweep(), SWEEP_MS).unref();
  }
  const discovery = service;
  const write = RED.auth.needsPermission(DISCOVERY_PERMISSION);

  const words = (p: Phrase): string =>
    p.catalog === 'config'
      ? RED._(`${CONFIG_NODE_TYPE}.${p.key}`, p.params)
      : RED._(`${MODULE_NAME}/${INVOKE_NODE_TYPE}:${INVOKE_NODE_TYPE}.${p.key}`, p.params);

  /** The request's config node, checked as the config node checks itself; or the problem. */
  function targetOf(request: DiscoveryRequest): { target: DiscoveryTarget } | { problem: DiscoveryProblem; redact: (t: string) => string } {
    const deployed = RED.nodes.getNode(request.id) ?? undefined;
    const lookup = (name: string): unknown => (RED.util as unknown as EnvLookup).getSetting(deployed, name);
    const saved = RED.nodes.getCredentials(request.id) as Record<string, unknown> | undefined;
    const creds = mergeCredentials(request.credentials, saved, lookup);
    const def = substituteEnv(request.config, lookup) as RawConfigSettings & NetworkNodeIds;
    const secrets = new Secrets(creds.secretAccessKey, creds.sessionToken);
    const redact = (text: string): string => secrets.redact(text);
    try {
      const { settings, network } = collectProblems(() => ({
        settings: alongside(() => resolveClientSettings({ ...def, id: request.id }, creds)),
        network: networkOf(RED, def, (...values) => secrets.add(...values), { missingKey: 'undeployedConfigNode' }),
      }));
      if (!settings) throw new Error('collectProblems throws when a check failed');
      return { target: { id: request.id, settings, creds, network, words, redact } };
    } catch (err) {
      if (err instanceof FlowError) return { problem: settingsProblem(err), redact };
      throw err;
    }
  }

  function answer(res: Response, result: Answer | { problem: DiscoveryProblem }, redact: (t: string) => string): void {
    res.set('Cache-Control', 'no-store');
    if ('ok' in result && result.ok) {
      res.status(200).json(result.json);
      return;
    }
    const problem = (result as { problem: DiscoveryProblem }).problem;
    const body: DiscoveryErrorJson = { error: problemJson(problem, words, redact) };
    res.status(problem.kind === 'settings' ? 400 : 502).json(body);
  }

  function route(needsEndpoint: boolean) {
    return async (req: Request, res: Response): Promise<void> => {
      const request = readRequest(req.body, needsEndpoint);
      if ('kind' in request) return answer(res, { problem: request }, (t) => t);
      let redact = (t: string): string => t;
      try {
        const resolved = targetOf(request);
        redact = 'target' in resolved ? resolved.target.redact : resolved.redact;
        if (!('target' in resolved)) return answer(res, resolved, redact);
        const { target } = resolved;
        const result: Answer = request.endpointName !== undefined
          ? await discovery.endpoint(target, request.endpointName, request.refresh)
          : await discovery.endpoints(target, request.refresh);
        answer(res, result, redact);
      } catch (err) {
        // A bug, not the service's answer: still in words, still without a secret.
        const operation = needsEndpoint ? 'DescribeEndpoint' : 'ListEndpoints';
        answer(res, { problem: callProblem(err, { operation, url: '', timeoutMs: 0, maxAttempts: 0 }) }, redact);
      }
    };
  }

  RED.httpAdmin.post(`/${DISCOVERY_ENDPOINTS_ROUTE}`, write, route(false));
  RED.httpAdmin.post(`/${DISCOVERY_ENDPOINT_ROUTE}`, write, route(true));
}
