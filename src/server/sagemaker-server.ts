/**
 * A local HTTP server that speaks SageMaker Runtime's wire protocol (restJson1, SigV4) for its three operations:
 * InvokeEndpoint (`POST /endpoints/{name}/invocations`), InvokeEndpointWithResponseStream
 * (`.../invocations-response-stream`, an `application/vnd.amazon.eventstream` body) and InvokeEndpointAsync
 * (`.../async-invocations`, 202 with the output and failure locations in headers).
 *
 * Point an AWS SDK client at it with `endpoint: server.url` and it answers like the service: it verifies each
 * request's Signature Version 4 against the credentials it was given, checks the operation's input constraints,
 * hands the call to the handler registered for that endpoint name, and answers errors in the service's shape
 * (`x-amzn-ErrorType` header, JSON `message` body) with the service's HTTP statuses.
 *
 * Self-contained on purpose: Node's `http` and `crypto` plus the Smithy SigV4 signer, no test framework and no
 * Node-RED, so it serves tests and can run as a stand-alone local endpoint.
 */

import { createHash, randomUUID, timingSafeEqual } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { ServerOptions as HttpsServerOptions } from 'https';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { Sha256 } from './sha256';
import { SignatureV4 } from '@smithy/signature-v4';
import { Listener } from './listener';

// ---------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------

/** A key pair the server accepts. */
export interface ServerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests signed with this key must carry exactly this `x-amz-security-token`. */
  sessionToken?: string;
  /** When set (temporary credentials), requests received at or after this time get ExpiredTokenException. */
  expiration?: Date;
}

/** The operation a request calls: InvokeEndpoint, InvokeEndpointWithResponseStream or InvokeEndpointAsync. */
export type Operation = 'invoke' | 'stream' | 'async';

/** An authenticated call, as handed to an endpoint handler. */
export interface InvocationRequest {
  operation: Operation;
  endpointName: string;
  /** lower-cased request headers */
  headers: Record<string, string>;
  body: Buffer;
  /** from the verified signature */
  accessKeyId: string;
  /** x-amz-security-token when present */
  sessionToken?: string;
}

/** The error types SageMaker Runtime's InvokeEndpoint answers with. */
export type SageMakerErrorType =
  | 'ValidationError'
  | 'ModelError'
  | 'ModelNotReadyException'
  | 'ThrottlingException'
  | 'ServiceUnavailable'
  | 'InternalFailure'
  | 'InternalDependencyException';

/** A successful answer. `status` defaults to 200, `contentType` to `application/octet-stream`. */
export interface EndpointSuccess {
  status?: number;
  body?: string | Uint8Array;
  contentType?: string;
  /**
   * Raw response headers, sent with the case given, e.g. `x-Amzn-Invoked-Production-Variant`,
   * `X-Amzn-SageMaker-Custom-Attributes`, `X-Amzn-SageMaker-New-Session-Id`, `X-Amzn-SageMaker-Closed-Session-Id`.
   */
  headers?: Record<string, string>;
}

/** An error answer in the service's shape: `{"message": ..., ...fields}` and `x-amzn-ErrorType: error`. */
export interface EndpointError {
  error: SageMakerErrorType | string;
  message: string;
  /** defaults to `errorStatus(error)` */
  status?: number;
  /** extra body members, e.g. ModelError's `OriginalStatusCode`, `OriginalMessage`, `LogStreamArn` */
  fields?: Record<string, unknown>;
}

/** Never answer: the socket stays open until the client gives up or the server closes. */
export interface EndpointHang {
  hang: true;
}

/** Destroy the connection (TCP reset) without an answer. */
export interface EndpointReset {
  reset: true;
}

/** One event of a response stream: a payload part, or one of the two exceptions the stream can end with. */
export type StreamEvent =
  | { part: string | Uint8Array }
  | { error: 'ModelStreamError'; message: string; errorCode?: string }
  | { error: 'InternalStreamFailure'; message: string };

/**
 * A streamed answer: each event is written as one event-stream message as soon as the iterable yields it, and an
 * exception event ends the stream. To InvokeEndpoint (no streaming), the parts are joined into one body, and an
 * exception becomes a ModelError.
 */
export interface EndpointStream {
  stream: Iterable<StreamEvent> | AsyncIterable<StreamEvent>;
  /** the model's content type, sent as `X-Amzn-SageMaker-Content-Type` (`Content-Type` to InvokeEndpoint) */
  contentType?: string;
  /** extra response headers, e.g. `x-Amzn-Invoked-Production-Variant` */
  headers?: Record<string, string>;
}

/**
 * An accepted asynchronous invocation (202). Missing locations are made up under the server's `asyncOutputPrefix`.
 * A handler that answers an async call with an EndpointSuccess or EndpointStream has it accepted the same way.
 */
export interface EndpointAccepted {
  accepted: true;
  outputLocation?: string;
  failureLocation?: string;
  inferenceId?: string;
}

/** What an endpoint handler answers. */
export type EndpointResult = EndpointSuccess | EndpointError | EndpointHang | EndpointReset | EndpointStream | EndpointAccepted;

export type EndpointHandler = (req: InvocationRequest) => EndpointResult | Promise<EndpointResult>;

/** One request as the server saw it. `status` is 0 while unanswered, and stays 0 for `hang` and `reset`. */
export interface RecordedRequest {
  method: string;
  /** the raw path as received, without the query string */
  path: string;
  /** the operation its path names, when it names one */
  operation?: Operation;
  /** the decoded endpoint name, for the operations' paths */
  endpointName?: string;
  /** lower-cased request headers as received, Authorization and x-amz-security-token included: do not log them */
  headers: Record<string, string>;
  /** the request body (empty when it exceeded the payload limit) */
  body: Buffer;
  /** whether the SigV4 signature checked out */
  verified: boolean;
  /** the access key of a verified signature */
  accessKeyId?: string;
  status: number;
  /** the `x-amzn-ErrorType` answered, if any */
  errorType?: string;
  /** response stream: payload parts written so far */
  partsSent?: number;
  /** response stream: true once the stream was written to its end (false while open, or when the client left) */
  streamEnded?: boolean;
  /** true when the client closed the connection before the answer was complete */
  clientClosed?: boolean;
}

export interface SageMakerServerOptions {
  /** keys it accepts; signatures are checked against the secret of the access key named in the Authorization header */
  credentials: ServerCredentials[];
  /** default 'us-east-1'; the credential scope must name it */
  region?: string;
  endpoints?: Record<string, EndpointHandler>;
  /** one line per request: method, path, status, error type, duration; never a secret */
  log?: (line: string) => void;
  /** the account named in "Endpoint X of account Y not found."; default '123456789012' */
  accountId?: string;
  /** request body limit in bytes; default 6,291,456 (6 MB, the service's limit for real-time endpoints) */
  maxBodyBytes?: number;
  /** check the InvokeEndpoint input constraints (name patterns, header lengths) like the service; default true */
  validateInput?: boolean;
  /** keep at most this many entries in `requests`, dropping the oldest; default unlimited */
  maxRecordedRequests?: number;
  /** where made-up async output and failure locations go; default 's3://sagemaker-local-async' */
  asyncOutputPrefix?: string;
  /** called with whatever a handler threw (the client gets a 500 InternalFailure without the details) */
  onHandlerError?: (error: unknown, endpointName: string) => void;
  /** serve HTTPS with this key and certificate (and, with `requestCert`, ask for client certificates); url is then https:// */
  tls?: Pick<HttpsServerOptions, 'key' | 'cert' | 'ca' | 'requestCert' | 'rejectUnauthorized'>;
}

// ---------------------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------------------

/** The service's InvokeEndpoint payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** InvokeEndpointAsync's limit for an inline body. */
export const MAX_ASYNC_INLINE_BYTES = 128000;
/** How far past the limit an oversized body is still drained (so the client can read the 413), before hanging up. */
const OVERSIZE_SLACK_BYTES = 1024 * 1024;
/** Allowed distance between a signature's date and the server's clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const SIGNING_SERVICE = 'sagemaker';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const OPERATION_PATH = /^\/endpoints\/([^/]+)\/(invocations|invocations-response-stream|async-invocations)$/;
const OPERATION_OF_PATH: Readonly<Record<string, Operation>> = {
  invocations: 'invoke',
  'invocations-response-stream': 'stream',
  'async-invocations': 'async',
};
const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationError: 400,
  ModelError: 424,
  ModelNotReadyException: 429,
  ThrottlingException: 400,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  InternalDependencyException: 530,
  // authentication and protocol errors of AWS's front end
  IncompleteSignatureException: 400,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  MissingAuthenticationTokenException: 403,
  ExpiredTokenException: 403,
  AccessDeniedException: 403,
  UnknownOperationException: 404,
};

/** The service's HTTP status for an error type; 400 for types it does not know. */
export function errorStatus(type: string): number {
  return ERROR_STATUS[type] ?? 400;
}

// ---------------------------------------------------------------------------------------------------------------
// Input constraints (from the service model; Java regexes translated: \S = not [ \t\n\x0B\f\r], \p{Print} = ASCII 0x20-0x7E)
// ---------------------------------------------------------------------------------------------------------------

interface Constraint {
  /** the member name as the service spells it in validation messages */
  member: string;
  /** lower-cased request header, or undefined for the path's EndpointName */
  header?: string;
  min?: number;
  max: number;
  pattern?: { re: RegExp; source: string };
  /** an integer header (`RequestTTLSeconds`): min and max bound its value, not its length */
  integer?: boolean;
  /** do not echo the value in messages */
  sensitive?: boolean;
}

const NAME_PATTERN = { re: /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, source: '^[a-zA-Z0-9](-*[a-zA-Z0-9])*' };
const PRINTABLE_PATTERN = { re: /^[^ \t\n\x0B\f\r][\x20-\x7E]*$/, source: '\\A\\S[\\p{Print}]*\\z' };
const ASCII_PATTERN = { re: /^[\x00-\x7F]*$/, source: '\\p{ASCII}*' };

const ENDPOINT_NAME: Constraint = { member: 'endpointName', min: 1, max: 63, pattern: NAME_PATTERN };
const CUSTOM_ATTRIBUTES: Constraint = {
  member: 'customAttributes',
  header: 'x-amzn-sagemaker-custom-attributes',
  max: 1024,
  pattern: { re: /^[\x20-\x7E]*$/, source: '\\p{ASCII}*' },
  sensitive: true,
};
const TARGET_VARIANT: Constraint = { member: 'targetVariant', header: 'x-amzn-sagemaker-target-variant', max: 63, pattern: NAME_PATTERN };
const TARGET_CONTAINER: Constraint = {
  member: 'targetContainerHostname',
  header: 'x-amzn-sagemaker-target-container-hostname',
  max: 63,
  pattern: NAME_PATTERN,
};
const INFERENCE_ID: Constraint = {
  member: 'inferenceId',
  header: 'x-amzn-sagemaker-inference-id',
  min: 1,
  max: 64,
  pattern: PRINTABLE_PATTERN,
};
const INFERENCE_COMPONENT: Constraint = {
  member: 'inferenceComponentName',
  header: 'x-amzn-sagemaker-inference-component',
  max: 63,
  pattern: { re: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, source: '^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$' },
};
const PREFIX_AWARE_ID: Constraint = {
  member: 'prefixAwareId',
  header: 'x-amzn-sagemaker-prefix-aware-id',
  min: 1,
  max: 64,
  pattern: PRINTABLE_PATTERN,
};

/** Each operation's input constraints, from the service model. The headers differ: see the wire protocol. */
const CONSTRAINTS: Readonly<Record<Operation, readonly Constraint[]>> = {
  invoke: [
    ENDPOINT_NAME,
    { member: 'contentType', header: 'content-type', max: 1024, pattern: ASCII_PATTERN },
    { member: 'accept', header: 'accept', max: 1024, pattern: ASCII_PATTERN },
    CUSTOM_ATTRIBUTES,
    { member: 'targetModel', header: 'x-amzn-sagemaker-target-model', min: 1, max: 1024, pattern: PRINTABLE_PATTERN },
    TARGET_VARIANT,
    TARGET_CONTAINER,
    INFERENCE_ID,
    { member: 'enableExplanations', header: 'x-amzn-sagemaker-enable-explanations', min: 1, max: 64 },
    INFERENCE_COMPONENT,
    {
      member: 'sessionId',
      header: 'x-amzn-sagemaker-session-id',
      max: 256,
      pattern: { re: /^(NEW_SESSION|[a-zA-Z0-9](-*[a-zA-Z0-9])*)$/, source: '^(NEW_SESSION)$|^[a-zA-Z0-9](-*[a-zA-Z0-9])*$' },
    },
    PREFIX_AWARE_ID,
  ],
  stream: [
    ENDPOINT_NAME,
    { member: 'contentType', header: 'content-type', max: 1024, pattern: ASCII_PATTERN },
    { member: 'accept', header: 'x-amzn-sagemaker-accept', max: 1024, pattern: ASCII_PATTERN },
    CUSTOM_ATTRIBUTES,
    TARGET_VARIANT,
    TARGET_CONTAINER,
    INFERENCE_ID,
    INFERENCE_COMPONENT,
    // The response stream cannot open a session: NEW_SESSION is not allowed here.
    { member: 'sessionId', header: 'x-amzn-sagemaker-session-id', max: 256, pattern: NAME_PATTERN },
    PREFIX_AWARE_ID,
  ],
  async: [
    ENDPOINT_NAME,
    { member: 'contentType', header: 'x-amzn-sagemaker-content-type', max: 1024, pattern: ASCII_PATTERN },
    { member: 'accept', header: 'x-amzn-sagemaker-accept', max: 1024, pattern: ASCII_PATTERN },
    CUSTOM_ATTRIBUTES,
    INFERENCE_ID,
    {
      member: 'inputLocation',
      header: 'x-amzn-sagemaker-inputlocation',
      min: 1,
      max: 1024,
      pattern: { re: /^(https|s3):\/\/([^/]+)\/?(.*)$/, source: '^(https|s3)://([^/]+)/?(.*)$' },
    },
    {
      member: 's3OutputPathExtension',
      header: 'x-amzn-sagemaker-s3outputpathextension',
      min: 1,
      max: 512,
      pattern: { re: /^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$/, source: "^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$" },
    },
    {
      member: 'filename',
      header: 'x-amzn-sagemaker-filename',
      min: 1,
      max: 32,
      pattern: { re: /^(?!.*\..*\.)[a-zA-Z0-9][a-zA-Z0-9-_.]*$/, source: '^(?!.*\\..*\\.)[a-zA-Z0-9][a-zA-Z0-9-_\\.]*$' },
    },
    { member: 'requestTTLSeconds', header: 'x-amzn-sagemaker-requestttlseconds', min: 60, max: 21600, integer: true },
    {
      member: 'invocationTimeoutSeconds',
      header: 'x-amzn-sagemaker-invocationtimeoutseconds',
      min: 1,
      max: 3600,
      integer: true,
    },
  ],
};

/** One constraint's violations, in the service's words. */
function violations(c: Constraint, value: string): string[] {
  const subject = c.sensitive ? `Value at '${c.member}'` : `Value '${value}' at '${c.member}'`;
  const problems: string[] = [];
  if (c.integer) {
    const n = Number(value);
    if (!/^-?\d+$/.test(value)) problems.push(`${subject} failed to satisfy constraint: Member must be an integer`);
    else if (c.min !== undefined && n < c.min) {
      problems.push(`${subject} failed to satisfy constraint: Member must have value greater than or equal to ${c.min}`);
    } else if (n > c.max) {
      problems.push(`${subject} failed to satisfy constraint: Member must have value less than or equal to ${c.max}`);
    }
    return problems;
  }
  if (c.min !== undefined && value.length < c.min) {
    problems.push(`${subject} failed to satisfy constraint: Member must have length greater than or equal to ${c.min}`);
  }
  if (value.length > c.max) {
    problems.push(`${subject} failed to satisfy constraint: Member must have length less than or equal to ${c.max}`);
  }
  if (c.pattern && value.length > 0 && !c.pattern.re.test(value)) {
    problems.push(`${subject} failed to satisfy constraint: Member must satisfy regular expression pattern: ${c.pattern.source}`);
  }
  return problems;
}

/** The service's "N validation error(s) detected: ..." message, or undefined when the input is valid. */
function validateInvocation(
  operation: Operation,
  endpointName: string,
  headers: Record<string, string>,
  body: Buffer,
): string | undefined {
  const problems: string[] = [];
  for (const c of CONSTRAINTS[operation]) {
    const value = c.header === undefined ? endpointName : headers[c.header];
    if (value !== undefined) problems.push(...violations(c, value));
  }
  if (operation === 'async') {
    if (body.length > MAX_ASYNC_INLINE_BYTES) {
      problems.push(`Value at 'body' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ASYNC_INLINE_BYTES}`);
    }
  }
  if (problems.length === 0) return undefined;
  const n = problems.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`;
}

/** InvokeEndpointAsync takes its input from exactly one place: S3 or the inline body. */
function asyncInputProblem(headers: Record<string, string>, body: Buffer): string | undefined {
  const hasLocation = headers['x-amzn-sagemaker-inputlocation'] !== undefined;
  if (hasLocation && body.length > 0) return 'Specify either InputLocation or Body, not both.';
  if (!hasLocation && body.length === 0) return 'Either InputLocation or Body must be specified.';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// SigV4 verification
// ---------------------------------------------------------------------------------------------------------------

/** An HTTP request as the Smithy signer takes it. `sign`'s last overload is the HttpRequest one. */
type SignableRequest = Parameters<SignatureV4['sign']>[0];

/** Why a request failed authentication, as the service would answer it. */
class AuthFailure {
  constructor(
    readonly type: string,
    readonly message: string,
  ) {}
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex`. */
function parseAuthorization(value: string): ParsedAuthorization | AuthFailure {
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) {
    return new AuthFailure('IncompleteSignatureException', `Unsupported AWS 'algorithm': '${algorithm.slice(0, 40)}'`);
  }
  const params = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((p) => !params.get(p));
  if (missing.length > 0) {
    return new AuthFailure(
      'IncompleteSignatureException',
      missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '),
    );
  }
  const scope = (params.get('Credential') as string).split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || scope.some((s) => s.length === 0)) {
    return new AuthFailure(
      'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.",
    );
  }
  return {
    accessKeyId: scope[0],
    date: scope[1],
    region: scope[2],
    service: scope[3],
    signedHeaders: (params.get('SignedHeaders') as string).split(';'),
    signature: params.get('Signature') as string,
  };
}

/** `20240102T030405Z` → Date, or undefined when malformed. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Constant-time string comparison (lengths are not secret). */
function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

interface VerifyInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string>;
  /** every header's values, repeated headers kept apart (SigV4 joins them with ',') */
  distinctHeaders: Record<string, string[] | undefined>;
  body: Buffer;
}

/**
 * Verifies a request's SigV4 header signature by signing the same request again with the secret on file:
 * method, raw path (the signer escapes it the same way the client's signer did), query, only the headers the
 * client listed in SignedHeaders, the received body bytes, and the client's `x-amz-date` as the signing date.
 */
async function verifySignature(
  input: VerifyInput,
  credentials: ReadonlyMap<string, ServerCredentials>,
  region: string,
  now: number,
): Promise<{ accessKeyId: string; sessionToken?: string } | AuthFailure> {
  const authorization = input.headers['authorization'];
  if (!authorization) return new AuthFailure('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseAuthorization(authorization);
  if (auth instanceof AuthFailure) return auth;

  const amzDate = input.headers['x-amz-date'];
  if (!amzDate) {
    return new AuthFailure(
      'IncompleteSignatureException',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) {
    return new AuthFailure('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${amzDate.slice(0, 40)}'.`);
  }

  const known = credentials.get(auth.accessKeyId);
  if (!known) return new AuthFailure('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (known.expiration !== undefined && now >= known.expiration.getTime()) {
    return new AuthFailure('ExpiredTokenException', 'The security token included in the request is expired');
  }

  if (auth.service !== SIGNING_SERVICE) {
    return new AuthFailure('InvalidSignatureException', `Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`);
  }
  if (auth.region !== region) {
    return new AuthFailure('InvalidSignatureException', 'Credential should be scoped to a valid region.');
  }
  const shortDate = amzDate.slice(0, 8);
  if (auth.date !== shortDate) {
    return new AuthFailure(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date.slice(0, 20)}' != '${shortDate}', from '${amzDate}'.`,
    );
  }
  const skew = signingDate.getTime() - now;
  if (skew < -MAX_CLOCK_SKEW_MS) {
    return new AuthFailure(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now - MAX_CLOCK_SKEW_MS))} (${formatAmzDate(new Date(now))} - 5 min.)`,
    );
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    return new AuthFailure(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now + MAX_CLOCK_SKEW_MS))} (${formatAmzDate(new Date(now))} + 5 min.)`,
    );
  }

  const signed = new Set(auth.signedHeaders.map((h) => h.toLowerCase()));
  if (!signed.has('host') || !signed.has('x-amz-date')) {
    return new AuthFailure('InvalidSignatureException', "'Host' and 'X-Amz-Date' must be signed headers.");
  }

  // A payload hash header must be the hash of the body actually received (UNSIGNED-PAYLOAD is not accepted).
  const bodyHash = createHash('sha256').update(input.body).digest('hex');
  const claimedHash = input.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== bodyHash) {
    return new AuthFailure('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const sessionToken = input.headers['x-amz-security-token'];
  if (known.sessionToken !== undefined && (sessionToken === undefined || !safeEqual(sessionToken, known.sessionToken))) {
    return new AuthFailure('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }

  const headers: Record<string, string> = {};
  for (const name of signed) {
    const values = input.distinctHeaders[name];
    if (values !== undefined) headers[name] = values.map((v) => v.trim()).join(',');
  }
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(input.rawQuery)) {
    const prior = query[key];
    query[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  const request: SignableRequest = {
    method: input.method,
    protocol: 'http:',
    hostname: 'localhost',
    path: input.rawPath,
    query,
    headers,
    body: input.body,
  };
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region,
    sha256: Sha256,
    // Sign exactly the listed headers: do not add x-amz-content-sha256 unless the client signed it.
    applyChecksum: false,
    credentials: {
      accessKeyId: known.accessKeyId,
      secretAccessKey: known.secretAccessKey,
      // The signer adds the token as a signed header, so pass it only when the client signed it.
      sessionToken: signed.has('x-amz-security-token') ? sessionToken : undefined,
    },
  });
  const resigned = await signer.sign(request, {
    signingDate,
    signingRegion: region,
    signingService: SIGNING_SERVICE,
    // Headers a signer would normally skip (e.g. user-agent) still count when the client chose to sign them.
    signableHeaders: signed,
  });
  const expected = /Signature=([0-9a-f]+)/.exec(String(resigned.headers['authorization'] ?? ''))?.[1] ?? '';
  const resignedList = /SignedHeaders=([^,]+)/.exec(String(resigned.headers['authorization'] ?? ''))?.[1] ?? '';
  if (!safeEqual(expected, auth.signature.toLowerCase()) || resignedList !== [...signed].sort().join(';')) {
    return new AuthFailure(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { accessKeyId: known.accessKeyId, sessionToken };
}

// ---------------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------------

type BodyOutcome = { kind: 'ok'; body: Buffer } | { kind: 'oversize'; drained: boolean } | { kind: 'aborted' };

function isHang(r: EndpointResult): r is EndpointHang {
  return (r as EndpointHang).hang === true;
}
function isReset(r: EndpointResult): r is EndpointReset {
  return (r as EndpointReset).reset === true;
}
function isError(r: EndpointResult): r is EndpointError {
  return typeof (r as EndpointError).error === 'string';
}
function isStream(r: EndpointResult): r is EndpointStream {
  return typeof (r as EndpointStream).stream === 'object' && (r as EndpointStream).stream !== null;
}
function isAccepted(r: EndpointResult): r is EndpointAccepted {
  return (r as EndpointAccepted).accepted === true;
}

/** A success's content type: `contentType`, else a `Content-Type` among its headers (any case). */
function contentTypeOf(r: EndpointSuccess): string | undefined {
  if (r.contentType !== undefined) return r.contentType;
  const name = Object.keys(r.headers ?? {}).find((h) => h.toLowerCase() === 'content-type');
  return name === undefined ? undefined : (r.headers as Record<string, string>)[name];
}

function withoutContentType(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() !== 'content-type') out[name] = value;
  return out;
}

function toAsyncIterator<T>(source: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<T>)[Symbol.asyncIterator]();
  const it = (source as Iterable<T>)[Symbol.iterator]();
  return {
    next: async () => it.next(),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}

/** Resolves when a response can take more data, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** The SDK's own event-stream codec writes the frames (prelude, headers, payload, both CRCs). */
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One event-stream message: a `PayloadPart` event of raw bytes, or an exception with a JSON body. */
function encodeMessage(kind: 'event' | 'exception', type: string, body: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      [kind === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type },
      ':content-type': { type: 'string', value: kind === 'event' ? 'application/octet-stream' : 'application/json' },
      ':message-type': { type: 'string', value: kind },
    },
    body,
  });
}

function encodeEvent(eventType: string, body: Uint8Array): Uint8Array {
  return encodeMessage('event', eventType, body);
}

function encodeException(exceptionType: string, body: Record<string, unknown>): Uint8Array {
  return encodeMessage('exception', exceptionType, Buffer.from(JSON.stringify(body)));
}

/** Node's header object flattened to strings (repeated headers joined with ', '). */
function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export class SageMakerServer {
  private readonly credentials: Map<string, ServerCredentials>;
  private readonly region: string;
  private readonly accountId: string;
  private readonly maxBodyBytes: number;
  private readonly validateInput: boolean;
  private readonly maxRecorded: number;
  private readonly asyncOutputPrefix: string;
  private readonly log?: (line: string) => void;
  private readonly onHandlerError?: (error: unknown, endpointName: string) => void;
  private readonly listener: Listener;
  private readonly endpoints = new Map<string, EndpointHandler>();
  private readonly recorded: RecordedRequest[] = [];

  constructor(options: SageMakerServerOptions) {
    if (!options || !Array.isArray(options.credentials) || options.credentials.length === 0) {
      throw new TypeError('SageMakerServer needs at least one credential');
    }
    const creds = new Map<string, ServerCredentials>();
    for (const c of options.credentials) {
      if (!c.accessKeyId || !c.secretAccessKey) throw new TypeError('each credential needs accessKeyId and secretAccessKey');
      creds.set(c.accessKeyId, { ...c });
    }
    this.credentials = creds;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_PAYLOAD_BYTES;
    this.validateInput = options.validateInput ?? true;
    this.maxRecorded = options.maxRecordedRequests ?? Infinity;
    this.asyncOutputPrefix = (options.asyncOutputPrefix ?? 's3://sagemaker-local-async').replace(/\/+$/, '');
    this.log = options.log;
    this.onHandlerError = options.onHandlerError;
    this.listener = new Listener('SageMakerServer', (req, res) => void this.handle(req, res), options.tls);
    for (const [name, handler] of Object.entries(options.endpoints ?? {})) this.endpoints.set(name, handler);
  }

  /** Starts listening; resolves the base URL, e.g. 'http://127.0.0.1:41234'. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    return this.listener.listen(port, host);
  }

  /** Stops listening and destroys every open socket, hanging requests included. */
  close(): Promise<void> {
    return this.listener.close();
  }

  /** The base URL; available once `listen()` has resolved. */
  get url(): string {
    return this.listener.url;
  }

  /** Every request received, in order of arrival, including rejected ones. */
  get requests(): RecordedRequest[] {
    return this.recorded;
  }

  /** Accepts another key from now on, e.g. temporary credentials an STS server just issued. */
  addCredentials(credentials: ServerCredentials): void {
    if (!credentials.accessKeyId || !credentials.secretAccessKey) throw new TypeError('a credential needs accessKeyId and secretAccessKey');
    this.credentials.set(credentials.accessKeyId, { ...credentials });
  }

  setEndpoint(name: string, handler: EndpointHandler): void {
    this.endpoints.set(name, handler);
  }

  removeEndpoint(name: string): void {
    this.endpoints.delete(name);
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  // -- request handling ------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const headers = flattenHeaders(req);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: rawPath,
      headers,
      body: Buffer.alloc(0),
      verified: false,
      status: 0,
    };
    this.record(record);

    // One log line per request, when it is answered or its connection goes away. No query string (a presigned
    // URL carries a signature and token there), no headers.
    res.once('close', () => {
      const error = record.errorType ?? '-';
      this.log?.(`${record.method} ${record.path} ${record.status || '-'} ${error} ${Date.now() - started}ms`);
    });

    try {
      const outcome = await this.readBody(req, res);
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'oversize') {
        // The service's HTTP front end answers this before authentication: a bare 413 without an error type.
        this.send(res, record, 413, { message: `HTTP content length exceeded ${this.maxBodyBytes} bytes.` }, undefined, {
          close: !outcome.drained,
        });
        return;
      }
      record.body = outcome.body;

      const auth = await verifySignature(
        { method: record.method, rawPath, rawQuery, headers, distinctHeaders: req.headersDistinct, body: outcome.body },
        this.credentials,
        this.region,
        Date.now(),
      );
      if (auth instanceof AuthFailure) {
        this.sendError(res, record, auth.type, auth.message);
        return;
      }
      record.verified = true;
      record.accessKeyId = auth.accessKeyId;

      const match = record.method === 'POST' ? OPERATION_PATH.exec(rawPath) : null;
      if (!match) {
        this.sendError(res, record, 'UnknownOperationException', 'The requested operation is not supported.');
        return;
      }
      const operation = OPERATION_OF_PATH[match[2]];
      record.operation = operation;
      let endpointName: string;
      try {
        endpointName = decodeURIComponent(match[1]);
      } catch {
        this.sendError(res, record, 'ValidationError', 'The endpoint name in the request path is not validly URL-encoded.');
        return;
      }
      record.endpointName = endpointName;

      if (this.validateInput) {
        const problem =
          validateInvocation(operation, endpointName, headers, outcome.body) ??
          (operation === 'async' ? asyncInputProblem(headers, outcome.body) : undefined);
        if (problem) {
          this.sendError(res, record, 'ValidationError', problem);
          return;
        }
      }
      const handler = this.endpoints.get(endpointName);
      if (!handler) {
        this.sendError(res, record, 'ValidationError', `Endpoint ${endpointName} of account ${this.accountId} not found.`);
        return;
      }

      let result: EndpointResult;
      try {
        result = await handler({
          operation,
          endpointName,
          headers: { ...headers },
          body: outcome.body,
          accessKeyId: auth.accessKeyId,
          ...(auth.sessionToken !== undefined ? { sessionToken: auth.sessionToken } : {}),
        });
        if (result === null || typeof result !== 'object') throw new TypeError('endpoint handler returned no result');
      } catch (err) {
        this.onHandlerError?.(err, endpointName);
        this.sendError(res, record, 'InternalFailure', 'An internal failure occurred while invoking the endpoint.');
        return;
      }
      await this.answer(operation, req, res, record, result);
    } catch (err) {
      // Anything unexpected in the server itself: answer if still possible.
      this.onHandlerError?.(err, record.endpointName ?? '');
      if (!res.headersSent && !res.destroyed) this.sendError(res, record, 'InternalFailure', 'An internal failure occurred.');
    }
  }

  private async answer(
    operation: Operation,
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    result: EndpointResult,
  ): Promise<void> {
    if (isHang(result)) return; // leave the socket open; close() or the client ends it
    if (isReset(result)) {
      const socket = req.socket;
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    if (isError(result)) {
      this.sendError(res, record, result.error, result.message, result.status, result.fields);
      return;
    }
    if (operation === 'async') {
      this.sendAccepted(res, record, isAccepted(result) ? result : { accepted: true });
      return;
    }
    if (isAccepted(result)) {
      this.sendError(res, record, 'InternalFailure', 'An internal failure occurred while invoking the endpoint.');
      this.onHandlerError?.(new TypeError('an accepted answer is only for async invocations'), record.endpointName ?? '');
      return;
    }
    if (operation === 'stream') {
      const stream: EndpointStream = isStream(result)
        ? result
        : {
            stream: result.body === undefined || Buffer.from(result.body).length === 0 ? [] : [{ part: result.body }],
            contentType: contentTypeOf(result),
            headers: withoutContentType(result.headers),
          };
      await this.sendStream(res, record, stream);
      return;
    }
    if (isStream(result)) {
      // InvokeEndpoint of a streaming model: the service waits for the whole answer.
      const chunks: Buffer[] = [];
      for await (const event of result.stream) {
        if ('part' in event) chunks.push(Buffer.from(event.part));
        else {
          this.sendError(res, record, 'ModelError', `Received server error (500) from model with message "${event.message}".`, 424, {
            OriginalStatusCode: 500,
            OriginalMessage: event.message,
          });
          return;
        }
      }
      this.send(res, record, 200, Buffer.concat(chunks), undefined, {
        contentType: result.contentType ?? 'application/octet-stream',
        headers: result.headers ?? {},
      });
      return;
    }
    this.send(res, record, result.status ?? 200, result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body), undefined, {
      contentType: contentTypeOf(result) ?? 'application/octet-stream',
      headers: withoutContentType(result.headers),
    });
  }

  /** 202 with the locations in headers and the inference id in the JSON body, as InvokeEndpointAsync answers. */
  private sendAccepted(res: ServerResponse, record: RecordedRequest, accepted: EndpointAccepted): void {
    const inferenceId = accepted.inferenceId ?? record.headers['x-amzn-sagemaker-inference-id'] ?? randomUUID();
    const base = `${this.asyncOutputPrefix}/${record.endpointName ?? 'endpoint'}`;
    const name = record.headers['x-amzn-sagemaker-s3outputpathextension'];
    const folder = name === undefined ? base : `${base}/${name.replace(/^\/+|\/+$/g, '')}`;
    this.send(res, record, 202, { InferenceId: inferenceId }, undefined, {
      headers: {
        'X-Amzn-SageMaker-OutputLocation': accepted.outputLocation ?? `${folder}/async-output/${inferenceId}.out`,
        'X-Amzn-SageMaker-FailureLocation': accepted.failureLocation ?? `${folder}/async-failures/${inferenceId}-error.out`,
      },
    });
  }

  /**
   * Writes a response stream: 200 with `application/vnd.amazon.eventstream`, then one event-stream message per
   * event as the iterable yields it. An exception event ends the stream; so does the client going away, which
   * also ends the iterable (its `return()`), so a handler's generator gets to clean up.
   */
  private async sendStream(res: ServerResponse, record: RecordedRequest, stream: EndpointStream): Promise<void> {
    if (res.headersSent || res.destroyed) return;
    record.status = 200;
    record.partsSent = 0;
    record.streamEnded = false;
    res.statusCode = 200;
    res.setHeader('x-amzn-RequestId', randomUUID());
    res.setHeader('Date', new Date().toUTCString());
    res.setHeader('Content-Type', EVENT_STREAM_CONTENT_TYPE);
    res.setHeader('X-Amzn-SageMaker-Content-Type', stream.contentType ?? 'application/octet-stream');
    for (const [name, value] of Object.entries(withoutContentType(stream.headers))) res.setHeader(name, value);
    res.flushHeaders();

    let gone = false;
    const clientGone = new Promise<'gone'>((resolve) => {
      res.once('close', () => {
        if (res.writableFinished) return;
        gone = true;
        record.clientClosed = true;
        resolve('gone');
      });
    });
    const iterator = toAsyncIterator(stream.stream);
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), clientGone]);
        if (next === 'gone' || gone || next.done) break;
        const event = next.value;
        if ('part' in event) {
          const flushed = res.write(encodeEvent('PayloadPart', Buffer.from(event.part)));
          record.partsSent += 1;
          if (!flushed) await drained(res);
          continue;
        }
        const body = event.error === 'ModelStreamError'
          ? { Message: event.message, ...(event.errorCode !== undefined ? { ErrorCode: event.errorCode } : {}) }
          : { Message: event.message };
        res.write(encodeException(event.error, body));
        break;
      }
    } finally {
      // Let the handler's generator clean up (it may be waiting for the next event when the client leaves).
      if (gone && iterator.return) iterator.return().catch(() => undefined);
    }
    if (gone) return;
    await iterator.return?.();
    record.streamEnded = true;
    res.end();
  }

  private sendError(
    res: ServerResponse,
    record: RecordedRequest,
    type: string,
    message: string,
    status?: number,
    fields?: Record<string, unknown>,
  ): void {
    this.send(res, record, status ?? errorStatus(type), { message, ...(fields ?? {}) }, type);
  }

  /** Writes one response: a JSON object or raw bytes, with the request id and date every answer carries. */
  private send(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: Buffer | Record<string, unknown>,
    errorType: string | undefined,
    opts: { contentType?: string; headers?: Record<string, string>; close?: boolean } = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    record.status = status;
    if (errorType !== undefined) record.errorType = errorType;
    res.statusCode = status;
    res.setHeader('x-amzn-RequestId', randomUUID());
    res.setHeader('Date', new Date().toUTCString());
    res.setHeader('Content-Type', opts.contentType ?? 'application/json');
    if (errorType !== undefined) res.setHeader('x-amzn-ErrorType', errorType);
    for (const [name, value] of Object.entries(opts.headers ?? {})) res.setHeader(name, value);
    res.setHeader('Content-Length', payload.length);
    if (opts.close) {
      res.setHeader('Connection', 'close');
      res.once('finish', () => res.socket?.destroy());
    }
    res.end(payload);
  }

  /**
   * Reads the body up to the limit. Past it, the rest is drained without keeping it for up to OVERSIZE_SLACK_BYTES
   * more (so the client, still writing, gets to read the 413); beyond that, or when Content-Length already says
   * so, it stops reading at once.
   */
  private readBody(req: IncomingMessage, res: ServerResponse): Promise<BodyOutcome> {
    const hardLimit = this.maxBodyBytes + OVERSIZE_SLACK_BYTES;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > hardLimit) {
      req.pause();
      return Promise.resolve({ kind: 'oversize', drained: false });
    }
    return new Promise<BodyOutcome>((resolve) => {
      const chunks: Buffer[] = [];
      let total = 0;
      let settled = false;
      const settle = (outcome: BodyOutcome): void => {
        if (settled) return;
        settled = true;
        req.off('data', onData);
        resolve(outcome);
      };
      const onData = (chunk: Buffer): void => {
        total += chunk.length;
        if (total <= this.maxBodyBytes) chunks.push(chunk);
        else if (total > hardLimit) {
          req.pause();
          settle({ kind: 'oversize', drained: false });
        }
      };
      req.on('data', onData);
      req.once('end', () =>
        settle(total > this.maxBodyBytes ? { kind: 'oversize', drained: true } : { kind: 'ok', body: Buffer.concat(chunks, total) }),
      );
      req.once('error', () => settle({ kind: 'aborted' }));
      res.once('close', () => settle({ kind: 'aborted' }));
    });
  }

  private record(entry: RecordedRequest): void {
    this.recorded.push(entry);
    while (this.recorded.length > this.maxRecorded) this.recorded.shift();
  }
}
