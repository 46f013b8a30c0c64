/**
 * Endpoint discovery in the edit dialogs (issue 21), the pure part: the request built from the config node as the
 * dialog holds it, the offers narrowed as the user types, and what the dialog says about an endpoint (its summary,
 * the mode to pick, why a call failed) as locale keys with their parameters. No DOM and no Node-RED here, so each
 * is tested directly (test/editor-discovery.spec.js runs the bundle in node); src/editor/discovery.ts draws them.
 * The words themselves are in nodes/locales/en-US/sagemaker-invoke.json, under `discovery`.
 */
import {
  DISCOVERY_PERMISSION,
  SECRET_PLACEHOLDER,
  type DiscoveryProblemJson,
  type DiscoveryRequestJson,
  type EndpointDescriptionJson,
  type VariantJson,
} from '../shared/discovery';
import { CONFIG_CREDENTIALS, CONFIG_DEFAULTS, INVOKE_MODES, type InvokeMode } from '../shared/names';

/** A parameter of a sentence: a value, or a list of sentences said one after the other, comma-separated. */
export type Param = string | number | Words[];
/** One sentence of the dialog: its key under `discovery` in the locale file, and its parameters. */
export interface Words {
  key: string;
  params?: Record<string, Param>;
}
/** Node-RED's RED._ for the `discovery` section: a key and its parameters, the sentence. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** The node whose dialog asks: invoke (with its mode as chosen in the dialog) or bidi. */
export interface Asker {
  type: 'invoke' | 'bidi';
  mode?: string;
}

/** A config node as the editor holds it: its properties, and its credentials when the editor has them. */
export interface EditorConfigNode {
  id: string;
  credentials?: Record<string, unknown>;
  [property: string]: unknown;
}

/**
 * What the dialog posts for a config node: its id, every property of CONFIG_DEFAULTS as the dialog holds it (a
 * property the node lacks, as in a flow saved before it existed, is its default, as the runtime reads it), and the
 * credentials the editor holds. A secret the editor holds only as Node-RED's placeholder, or not at all (a deployed
 * config node whose dialog was not opened), is left out: the runtime takes the saved one.
 */
export function discoveryRequest(node: EditorConfigNode, extra: { endpointName?: string; refresh?: boolean } = {}): DiscoveryRequestJson {
  const config: DiscoveryRequestJson['config'] = { id: node.id };
  for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) config[key] = node[key] === undefined || node[key] === null ? value : node[key];
  const credentials: NonNullable<DiscoveryRequestJson['credentials']> = {};
  for (const key of Object.keys(CONFIG_CREDENTIALS) as (keyof typeof CONFIG_CREDENTIALS)[]) {
    const value = node.credentials?.[key];
    if (typeof value === 'string' && value !== '' && value !== SECRET_PLACEHOLDER) credentials[key] = value;
  }
  const request: DiscoveryRequestJson = { config };
  if (Object.keys(credentials).length) request.credentials = credentials;
  if (extra.endpointName !== undefined) request.endpointName = extra.endpointName;
  if (extra.refresh) request.refresh = true;
  return request;
}

/** The same config node as it stands (settings and credentials): one fetch each, within a dialog. */
export function requestKey(request: DiscoveryRequestJson): string {
  return JSON.stringify([request.config, request.credentials ?? {}]);
}

/** Where the typed text sits in a name, case-insensitive: the part before, the match, the part after. */
export interface Match {
  index: number;
  pre: string;
  match: string;
  post: string;
  exact: boolean;
}

export function matchOf(name: string, typed: string): Match | undefined {
  const index = name.toLowerCase().indexOf(typed.toLowerCase());
  if (index < 0) return undefined;
  const end = index + typed.length;
  return { index, pre: name.slice(0, index), match: name.slice(index, end), post: name.slice(end), exact: index === 0 && end === name.length };
}

/**
 * The offers for what is typed: every item whose name holds it (case-insensitive), the exact name first, then by
 * where the match starts, else in the order given (ListEndpoints' own: the newest first).
 */
export function offers<T extends { name: string }>(items: readonly T[], typed: string): { item: T; match: Match }[] {
  const found: { item: T; match: Match; order: number }[] = [];
  items.forEach((item, order) => {
    const match = matchOf(item.name, typed.trim());
    if (match) found.push({ item, match, order });
  });
  found.sort((a, b) => Number(b.match.exact) - Number(a.match.exact) || a.match.index - b.match.index || a.order - b.order);
  return found.map(({ item, match }) => ({ item, match }));
}

/** Whether a field's value names one endpoint the dialog can ask about: not blank, not an ${ENV_VAR}. */
export function askable(name: string): boolean {
  return name.trim() !== '' && !name.includes('${');
}

/** A variant in a few words: its instance type (and count), serverless, or only its name. */
export function variantWords(variant: VariantJson): Words {
  const name = variant.name;
  if (variant.serverless) {
    const memory = variant.serverless.memorySizeInMB;
    return memory ? { key: 'variantServerlessMemory', params: { name, memory } } : { key: 'variantServerless', params: { name } };
  }
  if (variant.instanceType) {
    return variant.currentInstanceCount !== undefined
      ? { key: 'variantInstances', params: { name, type: variant.instanceType, count: variant.currentInstanceCount } }
      : { key: 'variantInstance', params: { name, type: variant.instanceType } };
  }
  return { key: 'variantName', params: { name } };
}

/** What an offer shows beside a variant's name: its instance type, or serverless. */
export function variantDetail(variant: VariantJson): Words | undefined {
  if (variant.serverless) return { key: 'serverless' };
  return variant.instanceType ? { key: 'instanceType', params: { type: variant.instanceType } } : undefined;
}

/** The modes of the invoke node that call a real-time endpoint: every mode but async. */
const REALTIME_MODES = INVOKE_MODES.filter((mode) => mode !== 'async');

/**
 * When the node cannot call the endpoint as set: an asynchronous endpoint takes only InvokeEndpointAsync (mode
 * `async`), a real-time one never does (modes `invoke` and `stream`); a bidirectional stream is never asynchronous.
 */
export function modeAdvice(endpoint: Pick<EndpointDescriptionJson, 'async'>, asker: Asker): Words | undefined {
  const isAsync = endpoint.async !== undefined;
  if (asker.type === 'bidi') return isAsync ? { key: 'adviceBidiAsync' } : undefined;
  const mode = (INVOKE_MODES as readonly string[]).includes(asker.mode ?? '') ? (asker.mode as InvokeMode) : 'invoke';
  if (isAsync && mode !== 'async') return { key: 'adviceAsync', params: { mode, pick: 'async' } };
  if (!isAsync && mode === 'async') return { key: 'adviceRealtime', params: { mode, pick: REALTIME_MODES[0], or: REALTIME_MODES[1] } };
  return undefined;
}

/**
 * The summary line: status (with the reason when it failed), variants, asynchronous or serverless, inference
 * components. The mode advice is apart (modeAdvice), since it follows the mode as it changes.
 */
export function summaryWords(endpoint: EndpointDescriptionJson): Words[] {
  const words: Words[] = [];
  words.push(endpoint.failureReason
    ? { key: 'statusReason', params: { status: endpoint.status, reason: endpoint.failureReason } }
    : { key: 'status', params: { status: endpoint.status } });
  if (endpoint.variants.length) words.push({ key: 'variants', params: { list: endpoint.variants.map(variantWords) } });
  if (endpoint.async) words.push({ key: 'asynchronous' });
  if (endpoint.serverless) words.push({ key: 'serverless' });
  if (endpoint.inferenceComponents.length) {
    words.push({ key: 'components', params: { list: endpoint.inferenceComponents.map((c) => ({ key: 'component', params: { name: c.name, status: c.status } })) } });
  }
  return words;
}

/** Why a call failed, as the runtime said it: the IAM action refused, the URL not reached, or its own words. */
export function problemWords(problem: DiscoveryProblemJson): Words {
  if (problem.kind === 'denied' && problem.action) return { key: 'denied', params: { action: problem.action } };
  if (problem.kind === 'unreachable') {
    // The runtime's words name the URL it called; when they do not, the line does.
    return problem.url && !problem.message.includes(problem.url)
      ? { key: 'unreachableAt', params: { url: problem.url, message: problem.message } }
      : { key: 'unreachable', params: { message: problem.message } };
  }
  return { key: 'failed', params: { message: problem.message } };
}

function isProblem(value: unknown): value is DiscoveryProblemJson {
  const p = value as DiscoveryProblemJson | undefined;
  return !!p && typeof p === 'object' && typeof p.kind === 'string' && typeof p.message === 'string';
}

/**
 * Why a route's answer is not a list or a description: the runtime's problem (DiscoveryErrorJson) when it gave one,
 * else Node-RED's refusal (no token, or a user without the permission), no answer at all, or the HTTP status.
 */
export function failureWords(status: number, body: unknown, statusText: string): Words {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  if (isProblem(error)) return problemWords(error);
  if (status === 401 || status === 403) return { key: 'forbidden', params: { status, permission: DISCOVERY_PERMISSION } };
  if (status === 0) return { key: 'noAnswer' };
  return { key: 'httpFailed', params: { status, text: statusText || '' } };
}

/** A sentence in words: its parameters first (a list of sentences becomes one, comma-separated). */
export function say(words: Words, t: Translate): string {
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(words.params ?? {})) {
    params[name] = Array.isArray(value) ? value.map((w) => say(w, t)).join(t('separator')) : value;
  }
  return t(words.key, params);
}

/** Several sentences on one line. */
export function sayAll(words: readonly Words[], t: Translate): string {
  return words.map((w) => say(w, t)).join(t('joiner'));
}
