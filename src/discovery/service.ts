/**
 * Endpoint discovery for the edit dialogs: a config node's settings and credentials in, the endpoint list or one
 * endpoint's description out (or the problem that stopped it), through one control-plane client per config node
 * (ClientPool) and answers kept DISCOVERY_CACHE_SECONDS (AnswerCache), both keyed by the config node's id and the
 * fingerprint of what the client is made from. No Node-RED import: the routes (src/nodes) resolve the request.
 */
import { DISCOVERY_CACHE_SECONDS, type EndpointDescriptionJson, type EndpointListJson } from '../shared/discovery';
import type { ClientSettings, ConfigCredentials, NetworkSettings } from '../config/client-config';
import { descriptionJson, summaryJson } from './answers';
import { CallFailed, describeEndpoint, listEndpoints } from './calls';
import { createControlPlane, settingsUrl, type ControlPlane } from './client';
import { AnswerCache } from './cache';
import { fingerprint } from './fingerprint';
import { ClientPool } from './pool';
import { callProblem, problemJson, type CallContext, type DiscoveryProblem, type Phrase } from './problems';

/** A config node as the dialog has it, checked: whose client to use and what to make it from. */
export interface DiscoveryTarget {
  /** the config node's id */
  id: string;
  settings: ClientSettings;
  creds: ConfigCredentials;
  network: NetworkSettings;
  /** turns a problem's phrases into words (RED._ in the routes) */
  words: (phrase: Phrase) => string;
  /** replaces the config node's secrets in a text */
  redact: (text: string) => string;
}

/** What a request asks: for whom, which answer (its part of the cache key), whether anew, and about which endpoint. */
interface Ask {
  target: DiscoveryTarget;
  what: string;
  refresh: boolean;
  endpointName?: string;
}

export type DiscoveryAnswer<T> = { ok: true; json: T } | { ok: false; problem: DiscoveryProblem };

export interface DiscoveryOptions {
  cacheSeconds?: number;
  /** a client unused this long is destroyed */
  idleMs?: number;
  maxClients?: number;
  maxAnswers?: number;
  now?: () => number;
}

export class DiscoveryService {
  private readonly pool: ClientPool<ControlPlane>;
  private readonly cache: AnswerCache<EndpointListJson | EndpointDescriptionJson>;
  private readonly now: () => number;
  /** the answers being fetched, by cache key: a request for the same answer meanwhile waits for the same calls */
  private readonly inflight = new Map<string, Promise<DiscoveryAnswer<EndpointListJson | EndpointDescriptionJson>>>();

  constructor(options: DiscoveryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.pool = new ClientPool({ idleMs: options.idleMs ?? 5 * 60_000, maxClients: options.maxClients ?? 16, now: this.now });
    this.cache = new AnswerCache({ ttlMs: (options.cacheSeconds ?? DISCOVERY_CACHE_SECONDS) * 1000, maxEntries: options.maxAnswers ?? 500, now: this.now });
  }

  /** Every endpoint of the config node's account and region. */
  endpoints(target: DiscoveryTarget, refresh = false): Promise<DiscoveryAnswer<EndpointListJson>> {
    return this.answer({ target, what: 'endpoints', refresh }, async (plane) => {
      const endpoints = await listEndpoints(plane);
      return { endpoints: endpoints.map(summaryJson), url: plane.url(), fetchedAt: new Date(this.now()).toISOString() };
    });
  }

  /** One endpoint: its status, variants, async and serverless settings, inference components. */
  endpoint(target: DiscoveryTarget, endpointName: string, refresh = false): Promise<DiscoveryAnswer<EndpointDescriptionJson>> {
    return this.answer({ target, what: `endpoint\0${endpointName}`, refresh, endpointName }, async (plane) => {
      const parts = await describeEndpoint(plane, endpointName);
      const ctx = this.context(target, plane, endpointName);
      const problems = parts.failures.map((f) => problemJson(callProblem(f.error, { ...ctx, operation: f.operation }), target.words, target.redact));
      return descriptionJson({ ...parts, problems }, plane.url(), new Date(this.now()));
    });
  }

  /** Destroys the idle clients (a timer calls it). */
  sweep(): void {
    this.pool.sweep();
  }

  close(): void {
    this.pool.close();
    this.cache.clear();
    this.inflight.clear();
  }

  private async answer<T extends EndpointListJson | EndpointDescriptionJson>(
    ask: Ask,
    fetch: (plane: ControlPlane) => Promise<T>,
  ): Promise<DiscoveryAnswer<T>> {
    const { target, what, refresh } = ask;
    const print = fingerprint({ settings: target.settings, creds: target.creds, network: { ...target.network, sockets: undefined } });
    const key = `${target.id}\0${print}\0${what}`;
    if (!refresh) {
      const kept = this.cache.get(key) as T | undefined;
      if (kept) return { ok: true, json: kept };
      const fetching = this.inflight.get(key) as Promise<DiscoveryAnswer<T>> | undefined;
      if (fetching) return fetching;
    }
    const fetching = this.fetched(ask, print, fetch).then((answer) => {
      if (answer.ok) this.cache.set(key, answer.json);
      return answer;
    });
    this.inflight.set(key, fetching);
    try {
      return await fetching;
    } finally {
      if (this.inflight.get(key) === fetching) this.inflight.delete(key);
    }
  }

  /** The answer from the service, through the config node's client (a new one for a refresh), or its problem. */
  private async fetched<T extends EndpointListJson | EndpointDescriptionJson>(
    ask: Ask,
    print: string,
    fetch: (plane: ControlPlane) => Promise<T>,
  ): Promise<DiscoveryAnswer<T>> {
    const { target, refresh: renew, endpointName } = ask;
    const make = () => createControlPlane(target.settings, target.creds, target.network);
    let plane: ControlPlane | undefined;
    try {
      const json = await this.pool.use(target.id, print, make, (p) => {
        plane = p;
        return fetch(p);
      }, renew);
      return { ok: true, json };
    } catch (err) {
      const url = plane?.url() ?? settingsUrl(target.settings);
      const ctx = { ...this.context(target, plane, endpointName), url };
      if (err instanceof CallFailed) return { ok: false, problem: callProblem(err.error, { ...ctx, operation: err.operation }) };
      // The client could not be made (a credential provider that throws at once, say): as a failed first call.
      return { ok: false, problem: callProblem(err, { ...ctx, operation: endpointName === undefined ? 'ListEndpoints' : 'DescribeEndpoint' }) };
    }
  }

  private context(target: DiscoveryTarget, plane: ControlPlane | undefined, endpointName: string | undefined): Omit<CallContext, 'operation'> {
    return {
      url: plane?.url() ?? '',
      timeoutMs: target.settings.timeout,
      maxAttempts: target.settings.maxAttempts,
      ...(endpointName !== undefined ? { endpointName } : {}),
    };
  }
}
