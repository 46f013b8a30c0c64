/**
 * A discovery route's request body (DiscoveryRequestJson) read and checked: the config node as the dialog has it
 * (only the properties a config node has), its credentials (blank or SECRET_PLACEHOLDER: the saved ones), `${ENV}`
 * values replaced as Node-RED replaces them when a flow starts, the endpoint to describe, and `refresh`. No
 * Node-RED import: the routes hand in the saved credentials and the environment's lookup.
 */
import { CONFIG_CREDENTIALS, CONFIG_DEFAULTS } from '../shared/names';
import { SECRET_PLACEHOLDER } from '../shared/discovery';
import type { ConfigCredentials } from '../config/client-config';
import { requestProblem, type DiscoveryProblem } from './problems';

export interface DiscoveryRequest {
  id: string;
  /** the config node's properties (CONFIG_DEFAULTS' keys) as posted, before ${ENV} substitution */
  config: Record<string, unknown>;
  /** the credentials as posted: blank or the placeholder mean "the saved one" */
  credentials: Record<string, unknown>;
  endpointName?: string;
  refresh: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const filled = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** The body checked: a config with an id (and, for one endpoint, its name), or the problem naming what is missing. */
export function readRequest(body: unknown, needsEndpoint: boolean): DiscoveryRequest | DiscoveryProblem {
  if (!isObject(body) || !isObject(body.config)) return requestProblem('config');
  const id = body.config.id;
  if (!filled(id)) return requestProblem('config.id');
  if (needsEndpoint && !filled(body.endpointName)) return requestProblem('endpointName');
  if (body.credentials !== undefined && !isObject(body.credentials)) return requestProblem('credentials');
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(CONFIG_DEFAULTS)) if (key in body.config) config[key] = body.config[key];
  return {
    id: id.trim(),
    config,
    credentials: isObject(body.credentials) ? body.credentials : {},
    ...(needsEndpoint ? { endpointName: String(body.endpointName).trim() } : {}),
    refresh: body.refresh === true,
  };
}

/**
 * The config node's credentials: each one posted, or the saved one when the dialog sent it blank or as the
 * placeholder; then `${NAME}` replaced (as Node-RED does for credentials too).
 */
export function mergeCredentials(
  posted: Record<string, unknown>,
  saved: Record<string, unknown> | undefined,
  lookup: (name: string) => unknown = () => undefined,
): ConfigCredentials {
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(CONFIG_CREDENTIALS)) {
    const value = posted[key];
    merged[key] = typeof value === 'string' && value !== '' && value !== SECRET_PLACEHOLDER ? value : saved?.[key];
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(substituteEnv(merged, lookup))) {
    if ((typeof value === 'string' || typeof value === 'number') && String(value) !== '') out[key] = String(value);
  }
  return out;
}

/** Node-RED's forms of an environment variable as a whole property value: ${NAME} (and the older $(NAME)). */
const ENV_VALUE = /^\$\{(\S+)\}$|^\$\((\S+)\)$/;

/**
 * Each string property that is `${NAME}` replaced by the variable's value, as Node-RED does when a flow starts;
 * a variable that is not set leaves the text as it is (as Node-RED leaves it).
 */
export function substituteEnv<T extends Record<string, unknown>>(props: T, lookup: (name: string) => unknown): T {
  const out: Record<string, unknown> = { ...props };
  for (const [key, value] of Object.entries(props)) {
    if (typeof value !== 'string') continue;
    const m = ENV_VALUE.exec(value);
    if (!m) continue;
    const found = lookup(m[1] ?? m[2]);
    if (found !== undefined) out[key] = found;
  }
  return out as T;
}
