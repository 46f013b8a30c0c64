/**
 * A local HTTP server that speaks SageMaker Runtime's InvokeEndpoint wire protocol (restJson1, SigV4).
 *
 * Point an AWS SDK client at it with `endpoint: server.url` and it answers like the service: it verifies each
 * request's Signature Version 4 against the credentials it was given, hands `POST /endpoints/{name}/invocations`
 * to the handler registered for that endpoint name, and answers errors in the service's shape (`x-amzn-ErrorType`
 * header, JSON `message` body) with the service's HTTP statuses.
 *
 * Self-contained on purpose: Node's `http` and `crypto` plus the Smithy SigV4 signer, no test framework and no
 * Node-RED, so it serves tests and can run as a stand-alone local endpoint.
 */

import { createHash, randomUUID, timingSafeEqual } from 'crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo, Socket } from 'net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

// ---------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------

/** A key pair the server accepts. */
export interface ServerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests signed with this key must carry exactly this `x-amz-security-token`. */
  sessionToken?: string;
}

/** An authenticated InvokeEndpoint call, as handed to an endpoint handler. */
export interface InvocationRequest {
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

/** What an endpoint handler answers. */
export type EndpointResult = EndpointSuccess | EndpointError | EndpointHang | EndpointReset;

export type EndpointHandler = (req: InvocationRequest) => EndpointResult | Promise<EndpointResult>;

/** One request as the server saw it. `status` is 0 while unanswered, and stays 0 for `hang` and `reset`. */
export interface RecordedRequest {
  method: string;
  /** the raw path as received, without the query string */
  path: string;
  /** the decoded endpoint name, for InvokeEndpoint paths */
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
  /** called with whatever a handler threw (the client gets a 500 InternalFailure without the details) */
  onHandlerError?: (error: unknown, endpointName: string) => void;
}

// ---------------------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------------------

/** The service's InvokeEndpoint payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** How far past the limit an oversized body is still drained (so the client can read the 413), before hanging up. */
const OVERSIZE_SLACK_BYTES = 1024 * 1024;
/** Allowed distance between a signature's date and the server's clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const SIGNING_SERVICE = 'sagemaker';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const INVOKE_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

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
  /** do not echo the value in messages */
  sensitive?: boolean;
}

const NAME_PATTERN = { re: /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, source: '^[a-zA-Z0-9](-*[a-zA-Z0-9])*' };
const PRINTABLE_PATTERN = { re: /^[^ \t\n\x0B\f\r][\x20-\x7E]*$/, source: '\\A\\S[\\p{Print}]*\\z' };
const ASCII_PATTERN = { re: /^[\x00-\x7F]*$/, source: '\\p{ASCII}*' };

const CONSTRAINTS: readonly Constraint[] = [
  { member: 'endpointName', min: 1, max: 63, pattern: NAME_PATTERN },
  { member: 'contentType', header: 'content-type', max: 1024, pattern: ASCII_PATTERN },
  { member: 'accept', header: 'accept', max: 1024, pattern: ASCII_PATTERN },
  {
    member: 'customAttributes',
    header: 'x-amzn-sagemaker-custom-attributes',
    max: 1024,
    pattern: { re: /^[\x20-\x7E]*$/, source: '\\p{ASCII}*' },
    sensitive: true,
  },
  { member: 'targetModel', header: 'x-amzn-sagemaker-target-model', min: 1, max: 1024, pattern: PRINTABLE_PATTERN },
  { member: 'targetVariant', header: 'x-amzn-sagemaker-target-variant', max: 63, pattern: NAME_PATTERN },
  {
    member: 'targetContainerHostname',
    header: 'x-amzn-sagemaker-target-container-hostname',
    max: 63,
    pattern: NAME_PATTERN,
  },
  { member: 'inferenceId', header: 'x-amzn-sagemaker-inference-id', min: 1, max: 64, pattern: PRINTABLE_PATTERN },
  { member: 'enableExplanations', header: 'x-amzn-sagemaker-enable-explanations', min: 1, max: 64 },
  {
    member: 'inferenceComponentName',
    header: 'x-amzn-sagemaker-inference-component',
    max: 63,
    pattern: { re: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, source: '^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$' },
  },
  {
    member: 'sessionId',
    header: 'x-amzn-sagemaker-session-id',
    max: 256,
    pattern: { re: /^(NEW_SESSION|[a-zA-Z0-9](-*[a-zA-Z0-9])*)$/, source: '^(NEW_SESSION)$|^[a-zA-Z0-9](-*[a-zA-Z0-9])*$' },
  },
  { member: 'prefixAwareId', header: 'x-amzn-sagemaker-prefix-aware-id', min: 1, max: 64, pattern: PRINTABLE_PATTERN },
];

/** The service's "N validation error(s) detected: ..." message, or undefined when the input is valid. */
function validateInvocation(endpointName: string, headers: Record<string, string>): string | undefined {
  const problems: string[] = [];
  for (const c of CONSTRAINTS) {
    const value = c.header === undefined ? endpointName : headers[c.header];
    if (value === undefined) continue;
    const subject = c.sensitive ? `Value at '${c.member}'` : `Value '${value}' at '${c.member}'`;
    if (c.min !== undefined && value.length < c.min) {
      problems.push(`${subject} failed to satisfy constraint: Member must have length greater than or equal to ${c.min}`);
    }
    if (value.length > c.max) {
      problems.push(`${subject} failed to satisfy constraint: Member must have length less than or equal to ${c.max}`);
    }
    if (c.pattern && value.length > 0 && !c.pattern.re.test(value)) {
      problems.push(
        `${subject} failed to satisfy constraint: Member must satisfy regular expression pattern: ${c.pattern.source}`,
      );
    }
  }
  if (problems.length === 0) return undefined;
  const n = problems.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`;
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
    sha256: Hash.bind(null, 'sha256'),
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

/** Node's header object flattened to strings (repeated headers joined with ', '). */
function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export class SageMakerServer {
  private readonly credentials: ReadonlyMap<string, ServerCredentials>;
  private readonly region: string;
  private readonly accountId: string;
  private readonly maxBodyBytes: number;
  private readonly validateInput: boolean;
  private readonly maxRecorded: number;
  private readonly log?: (line: string) => void;
  private readonly onHandlerError?: (error: unknown, endpointName: string) => void;
  private readonly endpoints = new Map<string, EndpointHandler>();
  private readonly recorded: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private baseUrl?: string;

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
    this.log = options.log;
    this.onHandlerError = options.onHandlerError;
    for (const [name, handler] of Object.entries(options.endpoints ?? {})) this.endpoints.set(name, handler);
  }

  /** Starts listening; resolves the base URL, e.g. 'http://127.0.0.1:41234'. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) return Promise.reject(new Error('SageMakerServer is already listening'));
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise<string>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = undefined;
        reject(err);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        const address = server.address() as AddressInfo;
        const hostPart = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
        this.baseUrl = `http://${hostPart}:${address.port}`;
        resolve(this.baseUrl);
      });
    });
  }

  /** Stops listening and destroys every open socket, hanging requests included. */
  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }

  /** The base URL; available once `listen()` has resolved. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('SageMakerServer.url is only known after listen() resolves');
    return this.baseUrl;
  }

  /** Every request received, in order of arrival, including rejected ones. */
  get requests(): RecordedRequest[] {
    return this.recorded;
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

      const match = record.method === 'POST' ? INVOKE_PATH.exec(rawPath) : null;
      if (!match) {
        this.sendError(res, record, 'UnknownOperationException', 'The requested operation is not supported.');
        return;
      }
      let endpointName: string;
      try {
        endpointName = decodeURIComponent(match[1]);
      } catch {
        this.sendError(res, record, 'ValidationError', 'The endpoint name in the request path is not validly URL-encoded.');
        return;
      }
      record.endpointName = endpointName;

      if (this.validateInput) {
        const problem = validateInvocation(endpointName, headers);
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
      this.answer(req, res, record, result);
    } catch (err) {
      // Anything unexpected in the server itself: answer if still possible.
      this.onHandlerError?.(err, record.endpointName ?? '');
      if (!res.headersSent && !res.destroyed) this.sendError(res, record, 'InternalFailure', 'An internal failure occurred.');
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, result: EndpointResult): void {
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
    const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body);
    const extra: Record<string, string> = { ...(result.headers ?? {}) };
    let contentType = result.contentType;
    for (const name of Object.keys(extra)) {
      if (name.toLowerCase() === 'content-type') {
        contentType ??= extra[name];
        delete extra[name];
      }
    }
    this.send(res, record, result.status ?? 200, body, undefined, {
      contentType: contentType ?? 'application/octet-stream',
      headers: extra,
    });
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
