/**
 * Signature Version 4's arithmetic, written from AWS's specification on Node's own crypto so that the local server
 * checks the SDK's signatures with code the SDK did not write: the canonical request, the string to sign, the
 * signing key and the signature. Two rule sets: every service but S3 escapes the request path a second time and
 * normalizes its `.`/`..`/empty segments; S3 signs the path exactly as sent.
 */

import { createHash, createHmac } from 'crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** HMAC-SHA256 of `data` under `key`. */
export function hmac(key: Buffer | string, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Lower-case hex SHA-256 of `data` (a text is hashed as UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The key a day's signatures are made with: HMAC chained over the date, region, service and `aws4_request`. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** `DATE/REGION/SERVICE/aws4_request`. */
export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

/** RFC 3986 escaping as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (upper-case hex). */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical path. S3: the path as sent. Every other service: `.`, `..` and empty segments resolved, then the
 * (already escaped) path escaped once more, slashes kept.
 */
export function canonicalPath(rawPath: string, s3: boolean): string {
  if (s3) return rawPath === '' ? '/' : rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${trailing}`;
  return uriEscape(normalized).replace(/%2F/g, '/');
}

/** Percent-decoding that leaves a malformed escape as it is instead of throwing. */
function decodeLoosely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The canonical query string from the raw one: each name and value decoded, escaped the SigV4 way, sorted by name
 * and then value; `X-Amz-Signature` (of a presigned URL) left out.
 */
export function canonicalQuery(rawQuery: string): string {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeLoosely(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeLoosely(part.slice(eq + 1));
    if (name.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([uriEscape(name), uriEscape(value)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** One header's canonical value: its values trimmed and joined with commas, runs of spaces collapsed to one. */
export function canonicalHeaderValue(values: readonly string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

export interface CanonicalInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** the signed headers' lower-cased names, sorted, each with its values as received */
  headers: ReadonlyArray<readonly [string, readonly string[]]>;
  /** the payload hash the signature covers: a hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-… value */
  payloadHash: string;
  s3: boolean;
}

/** The canonical request SigV4 hashes. */
export function canonicalRequest(input: CanonicalInput): string {
  const lines = input.headers.map(([name, values]) => `${name}:${canonicalHeaderValue(values)}\n`).join('');
  const names = input.headers.map(([name]) => name).join(';');
  return [input.method, canonicalPath(input.rawPath, input.s3), canonicalQuery(input.rawQuery), lines, names, input.payloadHash].join('\n');
}

/** The string to sign for a canonical request. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/** The hex signature of a string to sign. */
export function signature(key: Buffer, toSign: string): string {
  return hmac(key, toSign).toString('hex');
}
