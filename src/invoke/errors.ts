/**
 * Maps what the SDK throws to words a flow builder understands (an i18n key and parameters) and to the
 * `msg.sagemaker.error` details. Never copies credentials: only the error's own fields are read.
 */
import { FlowError, type FlowErrorParams } from '../shared/flow-error';

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
  /** the config node's per-attempt timeout in ms */
  timeoutMs: number;
  maxAttempts: number;
  /** the endpoint URL the client talks to, when the config node sets one */
  endpointUrl?: string;
  /** stream mode: parts received before the failure; set once the stream has started */
  partsReceived?: number;
}

const AUTH_ERRORS = new Set([
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'AccessDeniedException',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

/** Node's and OpenSSL's codes for a TLS handshake that failed: an unknown CA, a wrong host name, an expired cert. */
const TLS_CODE = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_TLS_|ERR_SSL_)/;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown; attempts?: unknown };
  $response?: { statusCode?: unknown };
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

export function mapError(error: unknown, ctx: ErrorContext): MappedError {
  if (error instanceof FlowError) {
    return { key: error.key, params: error.params, details: { name: error.key, message: error.message }, short: error.key };
  }
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkErrorShape;
  const name = str(e.name) ?? 'Error';
  const message = str(e.message) ?? name;
  const statusCode = num(e.$metadata?.httpStatusCode) ?? num(e.$response?.statusCode);
  const attempts = num(e.$metadata?.attempts);
  const details = compact({
    name,
    message,
    statusCode,
    originalStatusCode: num(e.OriginalStatusCode),
    originalMessage: str(e.OriginalMessage),
    logStreamArn: str(e.LogStreamArn),
    errorCode: str(e.ErrorCode) ?? str(e.code),
    requestId: str(e.$metadata?.requestId),
    attempts,
    retryable: e.$retryable === undefined ? undefined : Boolean(e.$retryable),
    partsReceived: ctx.partsReceived,
  });
  const base: FlowErrorParams = {
    endpoint: ctx.endpointName,
    name,
    message,
    status: statusCode ?? '',
    attempts: attempts ?? 1,
    parts: ctx.partsReceived ?? 0,
  };
  const result = (key: string, short: string, extra: FlowErrorParams = {}): MappedError => ({
    key,
    params: { ...base, ...extra },
    details,
    short,
  });

  if (name === 'ModelError') {
    // The log stream is named only when the service gave one: "(log stream: not given)" tells a user nothing.
    const logStream = details.logStreamArn;
    return result(logStream ? 'modelErrorLogged' : 'modelError', 'ModelError', {
      originalStatus: details.originalStatusCode ?? 'unknown',
      originalMessage: details.originalMessage ?? message,
      ...(logStream ? { logStream } : {}),
    });
  }
  if (name === 'ModelStreamError') {
    return result('modelStreamError', 'ModelStreamError', { errorCode: details.errorCode ?? 'none' });
  }
  if (name === 'InternalStreamFailure') return result('streamFailure', 'StreamFailure');
  if (name === 'TimeoutError' && ctx.partsReceived !== undefined) {
    return result('streamTimeout', 'timeout', { timeout: ctx.timeoutMs });
  }
  if (name === 'ValidationError') return result('validationError', 'ValidationError');
  if (name === 'ModelNotReadyException') return result('modelNotReady', 'ModelNotReady');
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException' || statusCode === 429) {
    return result('throttled', 'throttled');
  }
  if (AUTH_ERRORS.has(name) || statusCode === 403) return result('authFailed', 'auth');
  if (name === 'TimeoutError') return result('timeout', 'timeout', { timeout: ctx.timeoutMs, maxAttempts: ctx.maxAttempts });
  if (name === 'AbortError') return result('aborted', 'aborted');
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') return result('noCredentials', 'credentials');
  const code = str(e.code);
  if (code && TLS_CODE.test(code)) {
    return result('tlsFailed', 'TLS', { code, url: ctx.endpointUrl ?? 'the regional endpoint' });
  }
  if (code && NETWORK_CODES.has(code)) {
    return result('network', code, { code, url: ctx.endpointUrl ?? 'the regional endpoint' });
  }
  // Over the body limit the service answers 413 without an error type (the SDK names it "Unknown").
  if (statusCode === 413) return result('payloadTooLarge', '413');
  if (statusCode !== undefined && statusCode >= 500) return result('serviceFailure', String(statusCode));
  if (statusCode !== undefined) return result('serviceError', String(statusCode));
  return result('unexpected', name);
}
