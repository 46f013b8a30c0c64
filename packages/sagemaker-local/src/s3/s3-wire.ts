/**
 * S3's wire facts for the local object API: the path-style request line (`/bucket/key`), its error codes with their
 * HTTP statuses and messages, the XML error body, and the answer headers every S3 response carries. The S3 error
 * for each SigV4 failure is here too, so the signature check itself stays protocol-free.
 */

import { randomBytes } from 'crypto';
import type { ServerResponse } from 'http';
import type { AuthFailure } from '../signing/sigv4';

/** The SigV4 signing name of S3. */
export const S3_SIGNING_SERVICE = 's3';

/** A path-style request's bucket and key (decoded); key undefined for the bucket itself. */
export interface S3Target {
  bucket: string;
  key?: string;
}

/** `/bucket/key…` → bucket and decoded key; undefined for `/` or a path that does not decode. */
export function parseS3Path(rawPath: string): S3Target | undefined {
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(rawPath);
  if (!match) return undefined;
  try {
    const bucket = decodeURIComponent(match[1]);
    return match[2] === undefined || match[2] === '' ? { bucket } : { bucket, key: decodeURIComponent(match[2]) };
  } catch {
    return undefined;
  }
}

/** The first path segment, undecoded: the bucket of a path-style request. */
export function firstSegment(rawPath: string): string {
  return rawPath.split('/')[1] ?? '';
}

/** The service named in an Authorization header's credential scope, if any. */
export function scopeServiceOf(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : /Credential=[^/,\s]+\/[^/,\s]+\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(authorization)?.[1];
}

/** An S3 error: its code, HTTP status and message, and extra elements for the XML body. */
export interface S3Error {
  code: string;
  status: number;
  message: string;
  fields?: Record<string, string>;
}

const STATUS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  ExpiredToken: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidDigest: 400,
  InvalidRequest: 400,
  InvalidToken: 400,
  KeyTooLongError: 400,
  MethodNotAllowed: 405,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  XAmzContentSHA256Mismatch: 400,
};

/** An S3 error of `code` with its usual status. */
export function s3Error(code: keyof typeof STATUS | string, message: string, fields?: Record<string, string>): S3Error {
  return { code, status: STATUS[code] ?? 400, message, ...(fields ? { fields } : {}) };
}

/** S3's answer to a request that failed SigV4. */
export function authError(failure: AuthFailure, accessKeyId: string | undefined): S3Error {
  switch (failure.detail) {
    case 'skew':
      return s3Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
    case 'payloadHash':
      return s3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    case 'payloadHashMissing':
      return s3Error('InvalidRequest', failure.message);
    case 'payloadHashInvalid':
      return s3Error('InvalidArgument', failure.message);
    case 'payloadUnsupported':
      return s3Error('NotImplemented', failure.message);
    case 'token':
      return s3Error('InvalidToken', 'The provided token is malformed or otherwise invalid.');
    default:
      break;
  }
  switch (failure.problem) {
    case 'missing':
      return s3Error('AccessDenied', 'Access Denied');
    case 'incomplete':
      return s3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${failure.message}`);
    case 'unknownKey':
      return s3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', accessKeyId ? { AWSAccessKeyId: accessKeyId } : undefined);
    case 'expired':
      return s3Error('ExpiredToken', 'The provided token has expired.');
    default:
      return s3Error(
        'SignatureDoesNotMatch',
        failure.message.startsWith('The request signature')
          ? 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'
          : failure.message,
        accessKeyId ? { AWSAccessKeyId: accessKeyId } : undefined,
      );
  }
}

/** XML text escaping for element content. */
export function xmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** The XML body of an error. */
export function errorXml(error: S3Error, requestId: string, resource?: string): string {
  const extra = Object.entries(error.fields ?? {})
    .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message>${extra}` +
    `${resource === undefined ? '' : `<Resource>${xmlEscape(resource)}</Resource>`}<RequestId>${requestId}</RequestId></Error>`
  );
}

/** Starts an S3 answer: status, request ids, date and server name; returns the request id. */
export function writeS3Head(res: ServerResponse, status: number, headers: Readonly<Record<string, string | number>> = {}): string {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  res.statusCode = status;
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', randomBytes(24).toString('base64'));
  res.setHeader('Date', new Date().toUTCString());
  res.setHeader('Server', 'AmazonS3');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  return requestId;
}
