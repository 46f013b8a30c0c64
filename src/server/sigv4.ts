/**
 * Signature Version 4 checking for the package's loopback servers (SageMaker Runtime here, STS in the tests): a
 * request is authentic when signing it again with the secret on file gives the signature it carries. Protocol-free
 * on purpose: a failure says what went wrong (`AuthProblem`) in AWS's words, and each server answers it with its
 * own protocol's error code.
 */

import { createHash, timingSafeEqual } from 'crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256';

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
  ) {}
}

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
}

/** An authentic request's key, and the session token it carried. */
export interface Authenticated {
  accessKeyId: string;
  sessionToken?: string;
}

/** Allowed distance between a signature's date and the server's clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const ALGORITHM = 'AWS4-HMAC-SHA256';

/** An HTTP request as the Smithy signer takes it. `sign`'s last overload is the HttpRequest one. */
type SignableRequest = Parameters<SignatureV4['sign']>[0];

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
    );
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    return new AuthFailure(
      'mismatch',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now + MAX_CLOCK_SKEW_MS))} (${formatAmzDate(new Date(now))} + 5 min.)`,
    );
  }
  return undefined;
}

/** Host and the date are signed, a payload hash header is the received body's, and a key's token is the one sent. */
function checkHeaders(input: SignedRequest, signed: ReadonlySet<string>, key: SigningKey): AuthFailure | undefined {
  // Over HTTP/2 the host travels as the ':authority' pseudo-header, and the SDK signs it under that name.
  if (!(signed.has('host') || signed.has(':authority')) || !signed.has('x-amz-date')) {
    return new AuthFailure('mismatch', "'Host' and 'X-Amz-Date' must be signed headers.");
  }
  // A payload hash header must be the hash of the body actually received (UNSIGNED-PAYLOAD is not accepted).
  const claimedHash = input.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(input.body).digest('hex')) {
    return new AuthFailure('mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const sessionToken = input.headers['x-amz-security-token'];
  if (key.sessionToken !== undefined && (sessionToken === undefined || !safeEqual(sessionToken, key.sessionToken))) {
    return new AuthFailure('unknownKey', 'The security token included in the request is invalid.');
  }
  return undefined;
}

/**
 * Signs the request again with the secret on file: method, raw path (the signer escapes it the same way the
 * client's signer did), query, only the headers the client listed in SignedHeaders, the received body bytes, and
 * the client's date. Resolves the Authorization header it would have sent.
 */
async function resign(input: SignedRequest, key: SigningKey, signed: ReadonlySet<string>, signingDate: Date, scope: SigningScope): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const values = input.distinctHeaders[name];
    if (values !== undefined) headers[name] = values.map((v) => v.trim()).join(',');
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(input.rawQuery)) {
    const prior = query[name];
    query[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  const request: SignableRequest = { method: input.method, protocol: 'http:', hostname: 'localhost', path: input.rawPath, query, headers, body: input.body };
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    sha256: Sha256,
    // Sign exactly the listed headers: do not add x-amz-content-sha256 unless the client signed it.
    applyChecksum: false,
    credentials: {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      // The signer adds the token as a signed header, so pass it only when the client signed it.
      sessionToken: signed.has('x-amz-security-token') ? input.headers['x-amz-security-token'] : undefined,
    },
  });
  const resigned = await signer.sign(request, {
    signingDate,
    signingRegion: scope.region,
    signingService: scope.service,
    // Headers a signer would normally skip (e.g. user-agent) still count when the client chose to sign them.
    signableHeaders: new Set(signed),
  });
  return String(resigned.headers['authorization'] ?? '');
}

/** Verifies a request's SigV4 header signature against the keys on file, at the server's time `now`. */
export async function verifySignature(
  input: SignedRequest,
  scope: SigningScope,
  keys: ReadonlyMap<string, SigningKey>,
  now: number,
): Promise<Authenticated | AuthFailure> {
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
  const signed = new Set(auth.signedHeaders.map((h) => h.toLowerCase()));
  const problem = checkScope(auth, amzDate, signingDate, scope, now) ?? checkHeaders(input, signed, key);
  if (problem) return problem;

  const resigned = await resign(input, key, signed, signingDate, scope);
  const expected = /Signature=([0-9a-f]+)/.exec(resigned)?.[1] ?? '';
  const resignedList = /SignedHeaders=([^,]+)/.exec(resigned)?.[1] ?? '';
  if (!safeEqual(expected, auth.signature.toLowerCase()) || resignedList !== [...signed].sort().join(';')) {
    return new AuthFailure(
      'mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  const sessionToken = input.headers['x-amz-security-token'];
  return { accessKeyId: key.accessKeyId, ...(sessionToken !== undefined ? { sessionToken } : {}) };
}
