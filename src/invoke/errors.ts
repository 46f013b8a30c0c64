/**
 * Maps what the SDK throws to words a flow builder understands (an i18n key and parameters) and to the
 * `msg.sagemaker.error` details. Never copies credentials: only the error's own fields are read.
 */
import { FlowError, type FlowErrorParams } from '../shared/flow-error';
import { bodyText, excerpt } from './body-excerpt';
import { contentTypeOf } from '../config/answer-body';
import { NETWORK_CODE, NO_CREDENTIALS_NAMES, NOT_TLS, TLS_CODE, UNREACHABLE_CODE } from '../config/failure-codes';

export interface ErrorDetails {
  name: string;
  message: string;
  statusCode?: number;
  originalStatusCode?: number;
  originalMessage?: string;
  logStreamArn?: string;
  errorCode?: string;
  requestId?: string;
  attempts?: number;
  retryable?: boolean;
  /** stream mode: the parts that had arrived when the stream failed */
  partsReceived?: number;
  /** UnexpectedResponse: the content type of the answer that was not SageMaker's */
  contentType?: string;
  /** async results: the inference and its locations; an S3 failure: the object it was about */
  inferenceId?: string;
  outputLocation?: string;
  failureLocation?: string;
  location?: string;
}

export interface MappedError {
  key: string;
  params: FlowErrorParams;
  details: ErrorDetails;
  /** a short code for the node status, e.g. "ModelError" or "timeout" */
  short: string;
}

export interface ErrorContext {
  endpointName: string;
  /** the per-attempt timeout in ms: the config node's, or the message's own (`timeoutFromMsg`) */
  timeoutMs: number;
  /** the timeout was msg.requestTimeout, not the config node's */
  timeoutFromMsg?: boolean;
  maxAttempts: number;
  /** the endpoint URL the client talks to, when the config node sets one */
  endpointUrl?: string;
  /** stream mode: parts received before the failure; set once the stream has started */
  partsReceived?: number;
  /** stream mode: the failure came while the stream's parts were read, after the service answered */
  midStream?: boolean;
}

/** SageMaker Runtime's own error types (the SDK's modelled exceptions): msg.sagemaker.error.name keeps them. */
export const SERVICE_ERROR_NAMES = [
  'ValidationError',
  'ModelError',
  'ModelNotReadyException',
  'ModelStreamError',
  'InternalStreamFailure',
  'InternalFailure',
  'ServiceUnavailable',
  'InternalDependencyException',
] as const;

/** AWS's names for refused credentials or signatures (403); another 403 is named AccessDeniedException. */
export const AUTH_ERROR_NAMES = [
  'AccessDeniedException',
  'ExpiredTokenException',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
] as const;

/**
 * Every value `msg.sagemaker.error.name` takes, and no other: a flow can switch on it. The node's help and the
 * README list exactly these (a test checks). What the service or the network called the failure, when that is
 * not one of these, is kept in `errorCode`.
 */
export const ERROR_NAMES = [
  // the node refused or ended the message itself
  'ConfigurationError',
  'InvalidInput',
  'QueueFull',
  'AbortError',
  // an async result (asyncResult wait): the model's failure object, no result in time, S3 refusing
  'AsyncInferenceFailed',
  'AsyncTimeout',
  'NoSuchBucket',
  'S3Error',
  // SageMaker answered with an error
  ...SERVICE_ERROR_NAMES,
  'ThrottlingException',
  'PayloadTooLarge',
  ...AUTH_ERROR_NAMES,
  'ServiceError',
  // no usable answer
  'TimeoutError',
  'NetworkError',
  'TLSError',
  'ProxyError',
  'CredentialsProviderError',
  'UnexpectedResponse',
  'InvalidResponse',
  'UnknownError',
] as const;

export type ErrorName = (typeof ERROR_NAMES)[number];

const SERVICE_NAMES: ReadonlySet<string> = new Set(SERVICE_ERROR_NAMES);
const AUTH_NAMES: ReadonlySet<string> = new Set(AUTH_ERROR_NAMES);
/** Names other AWS services and SDK versions give to throttling. */
const THROTTLING_NAMES = new Set(['ThrottlingException', 'TooManyRequestsException', 'ThrottledException', 'RequestLimitExceeded', 'SlowDown']);

/**
 * Whether a failure means SageMaker (or the credentials endpoint on the way to it) could not be reached: the
 * connection refused or reset, a name that does not resolve, a network down, no answer within the timeout. Not an
 * answer of any kind (4xx, 5xx, ModelError), and not a stream that had already sent parts. What onUnreachable hold
 * holds.
 */
export function isUnreachable(mapped: MappedError): boolean {
  const { name, errorCode, partsReceived } = mapped.details;
  if (partsReceived) return false;
  if (name === 'TimeoutError') return true;
  return name === 'NetworkError' && errorCode !== undefined && UNREACHABLE_CODE.test(errorCode);
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown; attempts?: unknown };
  $response?: { statusCode?: unknown; headers?: unknown; body?: unknown };
  /** the SDK's copy of a body its XML (and, in some versions, JSON) parser could not read */
  $responseBodyText?: unknown;
  OriginalStatusCode?: unknown;
  OriginalMessage?: unknown;
  LogStreamArn?: unknown;
  ErrorCode?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Drops undefined fields so `msg.sagemaker.error` holds only what is known. */
function compact(details: ErrorDetails): ErrorDetails {
  for (const key of Object.keys(details) as (keyof ErrorDetails)[]) {
    if (details[key] === undefined) delete details[key];
  }
  return details;
}

/** What a failure is: the message (an i18n key), the documented name, the status code and extra parameters. */
interface Kind {
  key: string;
  name: ErrorName;
  short: string;
  extra?: FlowErrorParams;
}

/** What the SDK, the service, the proxy or the network said, as read from the error. */
interface Facts {
  name: string;
  statusCode?: number;
  code?: string;
  message?: string;
  /** set when the answer is not SageMaker's (see foreignAnswer) */
  foreign?: ForeignAnswer;
}

/** An answer that is not SageMaker's: its status, content type and the start of its body in words. */
interface ForeignAnswer {
  status: number;
  contentType: string;
  /** `body "…"`, `an empty body`, … as the message shows it */
  body: string;
}

/** The body of the answer as far as it was kept (see config/answer-body.ts): text, or bytes, or unknown. */
function keptBody(e: SdkErrorShape): { text?: string; bytes?: number } | undefined {
  if (typeof e.$responseBodyText === 'string') return { text: e.$responseBodyText };
  const body = e.$response?.body;
  if (typeof body === 'string') return { text: body };
  if (body instanceof Uint8Array) return { text: bodyText(body), bytes: body.byteLength };
  return undefined;
}

/**
 * The answer, when it is not SageMaker's: the SDK could not read it at all (no `$fault`: its parser threw), or it
 * is an error without a type whose body is not JSON. A failure of the connection (a code) or a timeout while the
 * body was read is not about the answer's content.
 */
function foreignAnswer(e: SdkErrorShape, name: string, code: string | undefined): ForeignAnswer | undefined {
  const status = num(e.$response?.statusCode);
  if (status === undefined || code !== undefined || name === 'TimeoutError' || name === 'AbortError') return undefined;
  const contentType = contentTypeOf(e.$response?.headers);
  const unreadable = !('$fault' in e);
  const untyped = name === 'Unknown' && !/json/i.test(contentType) && !(status === 413 && contentType === '');
  if (!unreadable && !untyped) return undefined;
  const kept = keptBody(e);
  let body = 'a body that was not kept';
  if (kept?.text !== undefined) {
    const words = excerpt(kept.text, contentType);
    body = words ? `body "${words}"` : 'an empty body';
  } else if (kept?.bytes !== undefined) body = kept.bytes ? `a body of ${kept.bytes} bytes that is not text` : 'an empty body';
  return { status, contentType, body };
}

/**
 * The kind of a failure that is not a FlowError: the service's own stream and model errors, then the connection
 * (by its code), timeouts and aborts, an answer that is not SageMaker's, then the service's error types, and last
 * the HTTP status.
 */
function classify(f: Facts, ctx: ErrorContext): Kind {
  const { name, statusCode, code } = f;
  const url = ctx.endpointUrl ?? 'the regional endpoint';
  if (name === 'ModelError') return { key: 'modelError', name, short: name };
  if (name === 'ModelStreamError') return { key: 'modelStreamError', name, short: name };
  if (name === 'InternalStreamFailure') return { key: 'streamFailure', name, short: 'StreamFailure' };
  // Before the name: the SDK's HTTP handler renames a reset or broken pipe ("socket hang up") TimeoutError, so
  // that it is retried, but the config node's timeout did not run out. Its own timeouts carry ETIMEDOUT or no code.
  if (code && TLS_CODE.test(code)) {
    // No TLS at all behind an https:// URL: the scheme is wrong, not the certificates.
    const key = /^https:/i.test(url) && NOT_TLS.test(f.message ?? '') ? 'notTls' : 'tlsFailed';
    return { key, name: 'TLSError', short: 'TLS', extra: { code, url } };
  }
  if (code && NETWORK_CODE.test(code) && !(name === 'TimeoutError' && code === 'ETIMEDOUT')) {
    // SageMaker was reached and answered: the connection broke in the middle of the stream.
    if (ctx.midStream) return { key: 'streamBroken', name: 'NetworkError', short: code, extra: { code } };
    return { key: 'network', name: 'NetworkError', short: code, extra: { code, url } };
  }
  if (name === 'TimeoutError') {
    // The words name whose timeout ran out: the config node's, or the message's own msg.requestTimeout.
    const of = ctx.timeoutFromMsg ? 'Msg' : '';
    if (ctx.partsReceived !== undefined) return { key: `streamTimeout${of}`, name, short: 'timeout', extra: { timeout: ctx.timeoutMs } };
    return { key: `timeout${of}`, name, short: 'timeout', extra: { timeout: ctx.timeoutMs, maxAttempts: ctx.maxAttempts } };
  }
  if (name === 'AbortError') return { key: 'aborted', name, short: 'aborted' };
  if (f.foreign) {
    const { status, body } = f.foreign;
    const contentType = f.foreign.contentType || 'none';
    const extra = { status, contentType, body, ...(ctx.endpointUrl ? { url: ctx.endpointUrl } : {}) };
    const short = `${status} ${contentType.split(';')[0]}`;
    return { key: ctx.endpointUrl ? 'unexpectedResponseAt' : 'unexpectedResponse', name: 'UnexpectedResponse', short, extra };
  }
  if (name === 'ValidationError') return { key: 'validationError', name, short: name };
  if (name === 'ModelNotReadyException') return { key: 'modelNotReady', name, short: 'ModelNotReady' };
  if (THROTTLING_NAMES.has(name) || statusCode === 429) return { key: 'throttled', name: 'ThrottlingException', short: 'throttled' };
  if (AUTH_NAMES.has(name) || statusCode === 403) {
    return { key: 'authFailed', name: AUTH_NAMES.has(name) ? (name as ErrorName) : 'AccessDeniedException', short: 'auth' };
  }
  if (NO_CREDENTIALS_NAMES.has(name)) return { key: 'noCredentials', name: 'CredentialsProviderError', short: 'credentials' };
  // Over the body limit the service answers 413 without an error type (the SDK names it "Unknown").
  if (statusCode === 413) return { key: 'payloadTooLarge', name: 'PayloadTooLarge', short: '413' };
  const serviceName: ErrorName = SERVICE_NAMES.has(name) ? (name as ErrorName) : 'ServiceError';
  if (statusCode !== undefined && statusCode >= 500) return { key: 'serviceFailure', name: serviceName, short: String(statusCode) };
  if (statusCode !== undefined) return { key: 'serviceError', name: serviceName, short: String(statusCode) };
  return { key: 'unexpected', name: 'UnknownError', short: name };
}

/**
 * The names of the failures of AWS IoT's credentials provider (config/iot-credentials.ts): a refusal or an answer
 * that cannot be used is CredentialsProviderError, a certificate problem TLSError, a network failure NetworkError
 * (which onUnreachable hold holds, like SageMaker's own).
 */
const IOT_ERROR_NAMES: Readonly<Record<string, ErrorName>> = {
  iotForbidden: 'CredentialsProviderError',
  iotFailed: 'CredentialsProviderError',
  iotBadAnswer: 'CredentialsProviderError',
  iotUntrusted: 'TLSError',
  iotCertRefused: 'TLSError',
  iotUnreachable: 'NetworkError',
};

/**
 * A FlowError that reached the SDK's caller: thrown by our own request handler (a proxy that refused its tunnel)
 * or credentials provider (a role that could not be assumed). Already in words; named here.
 */
function mapFlowError(error: FlowError): MappedError {
  const p = error.params;
  const status = typeof p.status === 'number' ? p.status : undefined;
  let name: ErrorName = 'UnknownError';
  let message = typeof p.message === 'string' && p.message ? p.message : error.key;
  let errorCode: string | undefined;
  if (error.key === 'proxyRefused' || error.key === 'proxyAuthFailed') {
    name = 'ProxyError';
    message = `The proxy ${String(p.proxy)} answered status ${String(p.status)} to CONNECT ${String(p.target)}`;
  } else if (error.key === 'assumeRoleFailed') {
    name = 'CredentialsProviderError';
    errorCode = typeof p.name === 'string' ? p.name : undefined;
  } else if (error.key in IOT_ERROR_NAMES) {
    name = IOT_ERROR_NAMES[error.key];
    errorCode = typeof p.code === 'string' ? p.code : undefined;
    message = `AWS IoT credentials provider ${String(p.endpoint)}: ${error.key}${typeof p.message === 'string' ? `: ${p.message}` : ''}`;
  }
  return { key: error.key, params: p, details: compact({ name, message, statusCode: status, errorCode }), short: name };
}

export function mapError(error: unknown, ctx: ErrorContext): MappedError {
  if (error instanceof FlowError) return mapFlowError(error);
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkErrorShape;
  const rawName = str(e.name) ?? 'Error';
  const message = str(e.message) ?? rawName;
  const statusCode = num(e.$metadata?.httpStatusCode) ?? num(e.$response?.statusCode);
  const attempts = num(e.$metadata?.attempts);
  const code = str(e.code);
  const foreign = foreignAnswer(e, rawName, code);
  const kind = classify({ name: rawName, statusCode, code, message, foreign }, ctx);
  // The name the service or the network gave, when the documented name had to differ (an unknown error type).
  const ownName = statusCode !== undefined && !foreign && kind.name !== rawName && rawName !== 'Unknown' ? rawName : undefined;
  const details = compact({
    name: kind.name,
    // Not the parser's "Unexpected token '<'": what came back. (The node redacts secrets in it, as in the message.)
    message: foreign ? `status ${foreign.status}, content type ${foreign.contentType || 'none'}, ${foreign.body}` : message,
    statusCode,
    originalStatusCode: num(e.OriginalStatusCode),
    originalMessage: str(e.OriginalMessage),
    logStreamArn: str(e.LogStreamArn),
    errorCode: str(e.ErrorCode) ?? code ?? ownName,
    requestId: str(e.$metadata?.requestId),
    attempts,
    retryable: e.$retryable === undefined ? undefined : Boolean(e.$retryable),
    partsReceived: ctx.partsReceived,
    contentType: foreign?.contentType || undefined,
  });
  const params: FlowErrorParams = {
    endpoint: ctx.endpointName,
    name: rawName,
    message,
    status: statusCode ?? '',
    attempts: attempts ?? 1,
    parts: ctx.partsReceived ?? 0,
    ...kind.extra,
  };
  if (kind.name === 'ModelError') return modelError(details, params);
  if (kind.key === 'modelStreamError') params.errorCode = details.errorCode ?? 'none';
  return { key: kind.key, params, details, short: kind.short };
}

/** ModelError: the container's own status and words; the log stream only when the service gave one. */
function modelError(details: ErrorDetails, params: FlowErrorParams): MappedError {
  // "(log stream: not given)" would tell a user nothing.
  const logStream = details.logStreamArn;
  return {
    key: logStream ? 'modelErrorLogged' : 'modelError',
    params: {
      ...params,
      originalStatus: details.originalStatusCode ?? 'unknown',
      originalMessage: details.originalMessage ?? details.message,
      ...(logStream ? { logStream } : {}),
    },
    details,
    short: 'ModelError',
  };
}
