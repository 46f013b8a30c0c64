/**
 * The object operations of the local S3 API as pure functions from an authenticated request to an answer:
 * PutObject (plain or aws-chunked with a trailer checksum; `x-amz-checksum-*` and Content-MD5 verified),
 * GetObject and HeadObject (with their conditional headers), DeleteObject, HeadBucket and a ListObjectsV2 without
 * continuation. No HTTP here: s3-server reads the request and writes what these answer.
 */

import { createHash } from 'crypto';
import { decodeAwsChunked } from './aws-chunked';
import { algorithmName, algorithmOfHeader, CHECKSUM_HEADERS, checksumOf, type ChecksumAlgorithm } from './checksums';
import { DEFAULT_OBJECT_TYPE, type ObjectStore, type StoredObject } from './s3-store';
import { s3Error, xmlEscape, type S3Error } from './s3-wire';

/** A successful answer: status, headers and body (empty for HEAD, PUT and DELETE). */
export interface S3Answer {
  status: number;
  headers: Record<string, string | number>;
  body?: Buffer | string;
}

/** What an object operation reads of a request. */
export interface ObjectRequest {
  bucket: string;
  key: string;
  /** lower-cased headers */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
  /** the query (GetObject's `response-*` overrides) */
  query?: URLSearchParams;
}

/** GetObject's query parameters that override an answer header, and the header each sets. */
export const RESPONSE_OVERRIDES: Readonly<Record<string, string>> = {
  'response-content-type': 'Content-Type',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
  'response-content-language': 'Content-Language',
  'response-cache-control': 'Cache-Control',
  'response-expires': 'Expires',
};

const MAX_KEY_BYTES = 1024;
const META_PREFIX = 'x-amz-meta-';

/** The body an upload carries: aws-chunked decoded and its trailer checksum checked, or the error to answer. */
function uploadedData(req: ObjectRequest): { data: Buffer; checksum?: StoredObject['checksum'] } | S3Error {
  const sha = req.headers['x-amz-content-sha256'] ?? '';
  const encodings = (req.headers['content-encoding'] ?? '').split(',').map((e) => e.trim().toLowerCase());
  if (!sha.startsWith('STREAMING-')) {
    if (encodings.includes('aws-chunked')) return s3Error('InvalidRequest', 'Content-Encoding aws-chunked needs a STREAMING- x-amz-content-sha256.');
    return { data: req.body };
  }
  const decoded = decodeAwsChunked(req.body);
  if (typeof decoded === 'string') return s3Error('IncompleteBody', `The aws-chunked body is malformed: ${decoded}.`);
  const declared = req.headers['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== decoded.data.length) {
    return s3Error('IncompleteBody', `x-amz-decoded-content-length says ${declared} bytes, the chunks hold ${decoded.data.length}.`);
  }
  const trailerName = req.headers['x-amz-trailer']?.trim().toLowerCase();
  if (trailerName === undefined) return { data: decoded.data };
  const algorithm = algorithmOfHeader(trailerName);
  if (!algorithm) return s3Error('InvalidRequest', `The trailer ${trailerName.slice(0, 60)} is not a checksum this server verifies (CRC32, CRC32C, SHA1, SHA256).`);
  const value = decoded.trailers.get(trailerName);
  if (value === undefined) return s3Error('InvalidRequest', `The trailer ${trailerName} that x-amz-trailer announces is missing from the body.`);
  return verified(algorithm, value, decoded.data);
}

function verified(algorithm: ChecksumAlgorithm, value: string, data: Buffer): { data: Buffer; checksum: StoredObject['checksum'] } | S3Error {
  if (checksumOf(algorithm, data) !== value) {
    return s3Error('BadDigest', `The ${algorithmName(algorithm)} you specified did not match the calculated checksum.`);
  }
  return { data, checksum: { algorithm, value } };
}

/** Checks the header checksums of a plain upload: `x-amz-checksum-*` (one at most) and Content-MD5. */
function headerChecksum(req: ObjectRequest, data: Buffer): StoredObject['checksum'] | S3Error | undefined {
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined) {
    if (Buffer.from(md5, 'base64').length !== 16) return s3Error('InvalidDigest', 'The Content-MD5 you specified is not valid.');
    if (createHash('md5').update(data).digest('base64') !== md5) return s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const named = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-mode' && h !== 'x-amz-checksum-type');
  if (named.length === 0) return undefined;
  if (named.length > 1) return s3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum types are not allowed.');
  const algorithm = algorithmOfHeader(named[0]);
  if (!algorithm) return s3Error('InvalidRequest', `${named[0].slice(0, 60)} is not a checksum this server verifies (CRC32, CRC32C, SHA1, SHA256).`);
  const result = verified(algorithm, req.headers[named[0]], data);
  return 'code' in result ? result : result.checksum;
}

/** PutObject. */
export function putObject(store: ObjectStore, req: ObjectRequest): S3Answer | S3Error {
  if (Buffer.byteLength(req.key) > MAX_KEY_BYTES) return s3Error('KeyTooLongError', 'Your key is too long', { MaxSizeAllowed: String(MAX_KEY_BYTES) });
  const uploaded = uploadedData(req);
  if ('code' in uploaded) return uploaded;
  let checksum = uploaded.checksum;
  if (checksum === undefined) {
    const fromHeader = headerChecksum(req, uploaded.data);
    if (fromHeader && 'code' in fromHeader) return fromHeader;
    checksum = fromHeader;
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (name.startsWith(META_PREFIX)) metadata[name.slice(META_PREFIX.length)] = value;
  const encoding = (req.headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked')
    .join(',');
  const outcome = store.put(req.bucket, req.key, {
    body: uploaded.data,
    contentType: req.headers['content-type'] ?? DEFAULT_OBJECT_TYPE,
    metadata,
    ...(checksum ? { checksum } : {}),
    ...(encoding ? { contentEncoding: encoding } : {}),
  });
  switch (outcome.kind) {
    case 'noSuchBucket':
      return s3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: req.bucket });
    case 'tooLarge':
      return s3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: String(store.maxObjectBytes) });
    case 'full':
      return s3Error(
        'ServiceUnavailable',
        `This local server keeps objects in memory, at most ${store.maxTotalBytes} bytes in all (s3.maxTotalBytes), and ${store.usedBytes} are in use: delete objects or raise the limit.`,
      );
    default:
      return {
        status: 200,
        headers: { ETag: outcome.object.etag, ...(checksum ? { [CHECKSUM_HEADERS[checksum.algorithm]]: checksum.value } : {}) },
      };
  }
}

/** The headers that describe an object in GET and HEAD answers. */
function objectHeaders(object: StoredObject, headers: Readonly<Record<string, string>>): Record<string, string | number> {
  const out: Record<string, string | number> = {
    'Content-Type': object.contentType,
    'Content-Length': object.body.length,
    ETag: object.etag,
    'Last-Modified': object.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  if (object.contentEncoding) out['Content-Encoding'] = object.contentEncoding;
  for (const [name, value] of Object.entries(object.metadata)) out[`${META_PREFIX}${name}`] = value;
  if (object.checksum && headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED') {
    out[CHECKSUM_HEADERS[object.checksum.algorithm]] = object.checksum.value;
    out['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return out;
}

/** If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since, as S3 applies them. */
function precondition(object: StoredObject, headers: Readonly<Record<string, string>>): S3Answer | S3Error | undefined {
  const matches = (list: string): boolean => list.split(',').some((t) => t.trim() === '*' || t.trim() === object.etag || `"${t.trim()}"` === object.etag);
  const time = (h: string): number => Date.parse(h);
  const ifMatch = headers['if-match'];
  const ifUnmodified = headers['if-unmodified-since'];
  if ((ifMatch !== undefined && !matches(ifMatch)) || (ifMatch === undefined && ifUnmodified !== undefined && object.lastModified.getTime() > time(ifUnmodified))) {
    return s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: ifMatch !== undefined ? 'If-Match' : 'If-Unmodified-Since' });
  }
  const ifNoneMatch = headers['if-none-match'];
  const ifModified = headers['if-modified-since'];
  if ((ifNoneMatch !== undefined && matches(ifNoneMatch)) || (ifNoneMatch === undefined && ifModified !== undefined && object.lastModified.getTime() <= time(ifModified))) {
    return { status: 304, headers: { ETag: object.etag, 'Last-Modified': object.lastModified.toUTCString() } };
  }
  return undefined;
}

/** GetObject and HeadObject (HEAD answers the same headers without the body). */
export function getObject(store: ObjectStore, req: ObjectRequest, head: boolean): S3Answer | S3Error {
  const object = store.get(req.bucket, req.key);
  if (!object) return s3Error('NoSuchKey', 'The specified key does not exist.', { Key: req.key });
  if (req.headers['range'] !== undefined) return s3Error('NotImplemented', 'This local server does not serve byte ranges: GET the whole object.');
  const early = precondition(object, req.headers);
  if (early) return early;
  const headers = objectHeaders(object, req.headers);
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = req.query?.get(param);
    if (value !== null && value !== undefined) headers[header] = value;
  }
  return { status: 200, headers, ...(head ? {} : { body: object.body }) };
}

/** DeleteObject: 204 whether or not the object was there, as S3 answers. */
export function deleteObject(store: ObjectStore, req: ObjectRequest): S3Answer {
  store.delete(req.bucket, req.key);
  return { status: 204, headers: {} };
}

/** ListObjectsV2 of up to `max-keys` (at most 1,000) keys under `prefix`; no delimiter, no continuation. */
export function listObjects(store: ObjectStore, bucket: string, query: URLSearchParams): S3Answer | S3Error {
  if (query.get('list-type') !== '2') return s3Error('NotImplemented', 'This local server lists buckets with ListObjectsV2 (list-type=2) only.');
  if (query.has('delimiter') || query.has('continuation-token') || query.has('start-after')) {
    return s3Error('NotImplemented', 'This local server lists without delimiter, continuation-token or start-after.');
  }
  const prefix = query.get('prefix') ?? '';
  const maxKeys = Math.max(0, Math.min(1000, Number(query.get('max-keys') ?? 1000) || 0));
  const all = store.list(bucket, prefix);
  const shown = all.slice(0, maxKeys);
  const contents = shown
    .map(
      ([key, o]) =>
        `<Contents><Key>${xmlEscape(key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag>` +
        `<Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${shown.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
    `<IsTruncated>${shown.length < all.length}</IsTruncated>${contents}</ListBucketResult>`;
  return { status: 200, headers: { 'Content-Type': 'application/xml' }, body };
}
