/**
 * Why a discovery call failed, as the dialog shows it (DiscoveryProblemJson): the account refused the call (the IAM
 * action named), the service could not be reached (the URL named), the credentials were refused or could not be
 * had, no such endpoint, the config node's own settings, or anything else the service answered. The words are
 * phrases of the locale files (nodes/locales/en-US: the config node's `discovery.` and `errors.` keys, and the invoke
 * node's `errors.` for the failures of credentials and proxies both nodes meet); the routes turn them into text with
 * RED._ and redact the config node's secrets from it. No Node-RED import.
 */
import { DISCOVERY_ACTIONS, type DiscoveryOperation, type DiscoveryProblemJson, type DiscoveryProblemKind } from '../shared/discovery';
import { FlowError, type FlowErrorParams } from '../shared/flow-error';
import { FlowErrors } from '../shared/problems';
import { NETWORK_CODE, NO_CREDENTIALS_NAMES, NOT_TLS, TLS_CODE } from '../config/failure-codes';
import { ASSUME_ROLE_ACTION } from '../config/assume-role';
import { errorFacts, type ErrorFacts } from '../config/error-facts';

/** One message of a locale file: `catalog` the node type whose file holds it, `key` below that type. */
export interface Phrase {
  catalog: 'config' | 'invoke';
  key: string;
  params: FlowErrorParams;
}

export interface DiscoveryProblem {
  kind: DiscoveryProblemKind;
  phrases: Phrase[];
  action?: string;
  url?: string;
}

/** Where the failing call went, and what it was about: for the words. */
export interface CallContext {
  operation: DiscoveryOperation;
  /** the URL called: the Control-plane URL, or the region's */
  url: string;
  /** the per-attempt timeout and attempts of the config node */
  timeoutMs: number;
  maxAttempts: number;
  /** DescribeEndpoint and the calls after it */
  endpointName?: string;
}

/** AWS's names for a call the account's policies refuse (403). */
const DENIED_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnauthorizedException', 'NotAuthorized']);
/** AWS's names for credentials or signatures the service does not accept. */
const REFUSED_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
]);
/** The FlowErrors of our own credential providers (assumed role, AWS IoT), in the invoke node's words. */
const CREDENTIAL_FLOW_ERRORS = new Set(['assumeRoleFailed', 'iotForbidden', 'iotFailed', 'iotBadAnswer', 'iotUntrusted', 'iotCertRefused', 'iotUnreachable']);
/** The FlowErrors of our request handler: a proxy that refused the tunnel. */
const PROXY_FLOW_ERRORS = new Set(['proxyRefused', 'proxyAuthFailed']);

const discovery = (key: string, params: FlowErrorParams): Phrase => ({ catalog: 'config', key: `discovery.${key}`, params });

/** The config node's own settings problems (resolveClientSettings, the proxy and TLS nodes), in its own words. */
export function settingsProblem(err: FlowError): DiscoveryProblem {
  const errors = err instanceof FlowErrors ? err.errors : [err];
  return { kind: 'settings', phrases: errors.map((e) => ({ catalog: 'config', key: `errors.${e.key}`, params: e.params })) };
}

/** A request the route cannot serve: a field of its body missing or not of its type. */
export function requestProblem(field: string): DiscoveryProblem {
  return { kind: 'settings', phrases: [discovery('requestField', { field })] };
}

/** What a failed call means, from what the SDK, the service or the network threw. */
export function callProblem(error: unknown, ctx: CallContext): DiscoveryProblem {
  if (error instanceof FlowError) return flowErrorProblem(error, ctx.url);
  const facts = errorFacts(error);
  // The service's sentence, without its full stop: the words go on after it.
  const said = { ...facts, message: facts.message.replace(/\.+$/, '') };
  return networkProblem(said, ctx) ?? serviceProblem(said, ctx);
}

/** Our own providers' and request handler's failures (assumed role, AWS IoT, the proxy), in the invoke node's words. */
function flowErrorProblem(error: FlowError, url: string): DiscoveryProblem {
  const phrases: Phrase[] = [{ catalog: 'invoke', key: `errors.${error.key}`, params: error.params }];
  // STS refused AssumeRole: the action the credentials lack (or the role's trust policy refuses) is sts:AssumeRole.
  if (error.key === 'assumeRoleFailed' && DENIED_NAMES.has(String(error.params.name))) return { kind: 'denied', phrases, action: ASSUME_ROLE_ACTION };
  if (CREDENTIAL_FLOW_ERRORS.has(error.key)) return { kind: 'credentials', phrases };
  if (PROXY_FLOW_ERRORS.has(error.key)) return { kind: 'unreachable', phrases, url };
  return { kind: 'failed', phrases };
}

/** No answer: TLS failed, the connection could not be made or broke, or no answer in time; undefined otherwise. */
function networkProblem({ name, message, code }: ErrorFacts, ctx: CallContext): DiscoveryProblem | undefined {
  const { url } = ctx;
  if (code && TLS_CODE.test(code)) {
    const key = /^https:/i.test(url) && NOT_TLS.test(message) ? 'notTls' : 'tls';
    return { kind: 'unreachable', phrases: [discovery(key, { url, code, message })], url };
  }
  // A TimeoutError with ETIMEDOUT is the handler's own timeout; other codes are the connection's.
  if (code && NETWORK_CODE.test(code) && !(name === 'TimeoutError' && code === 'ETIMEDOUT')) {
    return { kind: 'unreachable', phrases: [discovery('unreachable', { url, code, message })], url };
  }
  if (name === 'TimeoutError') {
    return { kind: 'unreachable', phrases: [discovery('timeout', { url, timeout: ctx.timeoutMs, maxAttempts: ctx.maxAttempts })], url };
  }
  return undefined;
}

/** What the service (or the SDK's credential providers) answered: credentials, denied, not found, or failed. */
function serviceProblem({ name, message, status }: ErrorFacts, ctx: CallContext): DiscoveryProblem {
  const { operation } = ctx;
  if (REFUSED_CREDENTIALS.has(name)) return { kind: 'credentials', phrases: [discovery('credentialsRefused', { name, message })] };
  if (NO_CREDENTIALS_NAMES.has(name)) return { kind: 'credentials', phrases: [discovery('noCredentials', { name, message })] };
  if (DENIED_NAMES.has(name) || status === 403) {
    const action = DISCOVERY_ACTIONS[operation];
    return { kind: 'denied', phrases: [discovery('denied', { operation, action, name, message })], action };
  }
  if (operation === 'DescribeEndpoint' && name === 'ValidationException' && /could not find endpoint\b/i.test(message)) {
    return { kind: 'notFound', phrases: [discovery('notFound', { endpointName: ctx.endpointName ?? '', message })] };
  }
  const answered = status !== undefined ? `HTTP ${status}` : 'no HTTP answer';
  return { kind: 'failed', phrases: [discovery('failed', { operation, name, status: answered, message })] };
}

/** The problem as the routes answer it: its phrases in words, one after another, with every secret replaced. */
export function problemJson(
  problem: DiscoveryProblem,
  words: (phrase: Phrase) => string,
  redact: (text: string) => string,
): DiscoveryProblemJson {
  return {
    kind: problem.kind,
    message: redact(problem.phrases.map(words).join('; ')),
    ...(problem.action ? { action: problem.action } : {}),
    ...(problem.url ? { url: redact(problem.url) } : {}),
  };
}
