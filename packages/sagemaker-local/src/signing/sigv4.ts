/**
 * Signature Version 4 checking for the package's loopback servers (SageMaker Runtime here, STS in the tests): a
 * request is authentic when signing it again with the secret on file gives the signature it carries. Protocol-free
 * on purpose: a failure says what went wrong (`AuthProblem`) in AWS's words, and each server answers it with its
 * own protocol's error code (`detail` lets S3 pick its finer codes). The arithmetic is our own (sigv4-canonical),
 * so the server is an independent oracle of the SDK's signer.
 */

import { timingSafeEqual } from 'crypto';
import { ALGORITHM, canonicalRequest, credentialScope, sha256Hex, signature, signingKey, stringToSign } from './sigv4-canonical';

export { hmac, sha256Hex, signingKey, credentialScope } from './sigv4-canonical';

/** A key a server accepts. */
export interface SigningKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests signed with this key must carry exactly this `x-amz-security-token`. */
  sessionToken?: string;
  /** When set (temporary credentials), requests received at or after this time are refused as expired. */
  expiration?: Date;
}

/**
 * What failed: no Authorization header, a malformed one, a key the server does not know, an expired key, or a
 * signature (or its scope, date or payload hash) that does not match.
 */
export type AuthProblem = 'missing' | 'incomplete' | 'unknownKey' | 'expired' | 'mismatch';

/** Why a request failed authentication, with the message AWS answers it with. */
export class AuthFailure {
  constructor(
    readonly problem: AuthProblem,
    readonly message: string,
    /** the finer reason, for protocols (S3) that answer each with its own code */
    readonly detail?: AuthDetail,
  ) {}
}

/**
 * Finer reasons: the clock is off by more than 5 minutes; the payload hash header is not the body's; it is missing
 * or not a value the service takes; a streaming value the server cannot check; the session token is wrong.
 */
export type AuthDetail = 'skew' | 'payloadHash' | 'payloadHashMissing' | 'payloadHashInvalid' | 'payloadUnsupported' | 'token';

/** A received request, as the check needs it. */
export interface SignedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** lower-cased headers, repeated ones joined */
  headers: Readonly<Record<string, string>>;
  /** every header's values, repeated headers kept apart (SigV4 joins them with ',') */
  distinctHeaders: Readonly<Record<string, string[] | undefined>>;
  body: Buffer;
}

/** The signing scope a server expects: its service name and region. */
export interface SigningScope {
  service: string;
  region: string;
  /**
   * S3's rules: the path is signed as sent (not escaped again, not normalized), and `x-amz-content-sha256` is
   * required. Default: `service === 's3'`.
   */
  s3?: boolean;
  /**
   * `x-amz-content-sha256` values taken as they are, whose body the caller checks itself (e.g. an aws-chunked
   * upload's trailer checksum, an event stream's chained signatures). Default: for S3, `UNSIGNED-PAYLOAD` and
   * `STREAMING-UNSIGNED-PAYLOAD-TRAILER`; for other services none (the header must be the body's SHA-256).
   */
  payloadValues?: readonly string[];
}

/** An authentic request's key, the session token it carried, and what a chained signature starts from. */
export interface Authenticated {
  accessKeyId: string;
  sessionToken?: string;
  /** the request's verified signature (hex): the seed of chunk and event signatures */
  signature: string;
  /** its `x-amz-date`, e.g. `20240102T030405Z` */
  amzDate: string;
  /** `DATE/REGION/SERVICE/aws4_request` */
  credentialScope: string;
  /** the payload hash the signature covers (a hex SHA-256, or the `x-amz-content-sha256` value it carried) */
  payloadHash: string;
}

/** Streaming values of `x-amz-content-sha256` S3 knows, of which the default set takes only the unsigned one. */
const S3_PAYLOAD_VALUES: readonly string[] = ['UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'];
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Allowed distance between a signature's date and the server's clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

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
  if (algorithm !== ALGORITHM) return new AuthFailure('incomplete', `Unsupported AWS 'algorithm': '${algorithm.slice(0, 40)}'`);
  const params = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((p) => !params.get(p));
  if (missing.length > 0) {
    return new AuthFailure('incomplete', missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' '));
  }
  const scope = (params.get('Credential') as string).split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || scope.some((s) => s.length === 0)) {
    return new AuthFailure('incomplete', 'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.');
  }
  return {
    accessKeyId: scope[0],
    date: scope[1],
    region: scope[2],
    service: scope[3],
    signedHeaders: [...new Set((params.get('SignedHeaders') as string).split(';').map((h) => h.trim().toLowerCase()))].sort(),
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

/** The credential scope names the server's service and region and the signing date's day; the date is current. */
function checkScope(auth: ParsedAuthorization, amzDate: string, signingDate: Date, scope: SigningScope, now: number): AuthFailure | undefined {
  if (auth.service !== scope.service) {
    return new AuthFailure('mismatch', `Credential should be scoped to correct service: '${scope.service}'.`);
  }
  if (auth.region !== scope.region) return new AuthFailure('mismatch', 'Credential should be scoped to a valid region.');
  const shortDate = amzDate.slice(0, 8);
  if (auth.date !== shortDate) {
    return new AuthFailure(
      'mismatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date.slice(0, 20)}' != '${shortDate}', from '${amzDate}'.`,
    );
  }
  const skew = signingDate.getTime() - now;
  if (skew < -MAX_CLOCK_SKEW_MS) {
    return new AuthFailure(
      'mismatch',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now - MAX_CLOCK_SKEW_MS))} (${formatAmzDate(new Date(now))} - 5 min.)`,
      'skew',
    );
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    return new AuthFailure(
      'mismatch',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now + MAX_CLOCK_SKEW_MS))} (${formatAmzDate(new Date(now))} + 5 min.)`,
      'skew',
    );
  }
  return undefined;
}

/** Host and the date are signed, and a key's token is the one sent. */
function checkHeaders(input: SignedRequest, signed: ReadonlySet<string>, key: SigningKey): AuthFailure | undefined {
  // Over HTTP/2 the host travels as the ':authority' pseudo-header, and the SDK signs it under that name.
  if (!(signed.has('host') || signed.has(':authority')) || !signed.has('x-amz-date')) {
    return new AuthFailure('mismatch', "'Host' and 'X-Amz-Date' must be signed headers.");
  }
  const sessionToken = input.headers['x-amz-security-token'];
  if (key.sessionToken !== undefined && (sessionToken === undefined || !safeEqual(sessionToken, key.sessionToken))) {
    return new AuthFailure('unknownKey', 'The security token included in the request is invalid.', 'token');
  }
  return undefined;
}

/**
 * The payload hash the signature covers, or why it cannot be taken. A hex hash must be the received body's; other
 * values only when the scope takes them (the caller then checks the body its own way). S3 requires the header;
 * other services hash the body when it is absent.
 */
function payloadHashOf(input: SignedRequest, scope: SigningScope, s3: boolean): string | AuthFailure {
  const claimed = input.headers['x-amz-content-sha256'];
  if (claimed === undefined) {
    if (s3) return new AuthFailure('incomplete', 'Missing required header for this request: x-amz-content-sha256', 'payloadHashMissing');
    return sha256Hex(input.body);
  }
  if (HEX_SHA256.test(claimed)) {
    return claimed === sha256Hex(input.body)
      ? claimed
      : new AuthFailure('mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 'payloadHash');
  }
  const accepted = scope.payloadValues ?? (s3 ? S3_PAYLOAD_VALUES : []);
  if (accepted.includes(claimed)) return claimed;
  if (s3 && claimed.startsWith('STREAMING-')) {
    return new AuthFailure('incomplete', `x-amz-content-sha256 ${claimed.slice(0, 60)} is not supported by this server.`, 'payloadUnsupported');
  }
  return s3
    ? new AuthFailure('incomplete', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 value.', 'payloadHashInvalid')
    : new AuthFailure('mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 'payloadHash');
}

/** Signing keys already derived, by day, region, service and secret (as the SDK's signer keeps them). */
const derivedKeys = new Map<string, Buffer>();
const MAX_DERIVED_KEYS = 64;

/** A day's signing key, derived once and then reused: four HMACs saved on every request. */
function cachedSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}\n${region}\n${service}\n${secret}`;
  let key = derivedKeys.get(id);
  if (key === undefined) {
    if (derivedKeys.size >= MAX_DERIVED_KEYS) derivedKeys.clear();
    key = signingKey(secret, date, region, service);
    derivedKeys.set(id, key);
  }
  return key;
}

/**
 * Signs the request again with the secret on file: method, raw path, query, only the headers the client listed in
 * SignedHeaders, the payload hash the client signed, and the client's date. Returns the signature it would have sent.
 */
function resign(input: SignedRequest, key: SigningKey, auth: ParsedAuthorization, amzDate: string, payloadHash: string, s3: boolean): string {
  const headers = auth.signedHeaders.map((name) => [name, input.distinctHeaders[name] ?? []] as const);
  const canonical = canonicalRequest({ method: input.method, rawPath: input.rawPath, rawQuery: input.rawQuery, headers, payloadHash, s3 });
  const toSign = stringToSign(amzDate, credentialScope(auth.date, auth.region, auth.service), canonical);
  return signature(cachedSigningKey(key.secretAccessKey, auth.date, auth.region, auth.service), toSign);
}

/**
 * Verifies a request's SigV4 header signature against the keys on file, at the server's time `now`. Synchronous
 * work; it returns a promise so that callers written against the old signer keep working.
 */
export async function verifySignature(
  input: SignedRequest,
  scope: SigningScope,
  keys: ReadonlyMap<string, SigningKey>,
  now: number,
): Promise<Authenticated | AuthFailure> {
  return verifySignatureNow(input, scope, keys, now);
}

/** verifySignature without the promise. */
export function verifySignatureNow(
  input: SignedRequest,
  scope: SigningScope,
  keys: ReadonlyMap<string, SigningKey>,
  now: number,
): Authenticated | AuthFailure {
  const authorization = input.headers['authorization'];
  if (!authorization) return new AuthFailure('missing', 'Missing Authentication Token');
  const auth = parseAuthorization(authorization);
  if (auth instanceof AuthFailure) return auth;
  const amzDate = input.headers['x-amz-date'];
  if (!amzDate) return new AuthFailure('incomplete', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) return new AuthFailure('incomplete', `Date must be in ISO-8601 'basic format'. Got '${amzDate.slice(0, 40)}'.`);

  const key = keys.get(auth.accessKeyId);
  if (!key) return new AuthFailure('unknownKey', 'The security token included in the request is invalid.');
  if (key.expiration !== undefined && now >= key.expiration.getTime()) {
    return new AuthFailure('expired', 'The security token included in the request is expired');
  }
  const signed = new Set(auth.signedHeaders);
  const problem = checkScope(auth, amzDate, signingDate, scope, now) ?? checkHeaders(input, signed, key);
  if (problem) return problem;
  const s3 = scope.s3 ?? scope.service === 's3';
  const payloadHash = payloadHashOf(input, scope, s3);
  if (payloadHash instanceof AuthFailure) return payloadHash;

  // A header listed as signed but not sent cannot have been signed as the client claims.
  const expected = auth.signedHeaders.every((h) => input.distinctHeaders[h] !== undefined)
    ? resign(input, key, auth, amzDate, payloadHash, s3)
    : '';
  if (expected === '' || !safeEqual(expected, auth.signature.toLowerCase())) {
    return new AuthFailure(
      'mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  const sessionToken = input.headers['x-amz-security-token'];
  return {
    accessKeyId: key.accessKeyId,
    ...(sessionToken !== undefined ? { sessionToken } : {}),
    signature: expected,
    amzDate,
    credentialScope: credentialScope(auth.date, auth.region, auth.service),
    payloadHash,
  };
}
