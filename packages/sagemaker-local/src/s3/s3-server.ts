/**
 * The local server's S3-compatible object API, path style (`/bucket/key`), for the buckets its configuration names:
 * PutObject, GetObject, HeadObject, DeleteObject, HeadBucket and ListObjectsV2. Each request's SigV4 signature is
 * checked with S3's rules (service `s3`, the server's region and keys), and errors are S3's XML bodies and codes.
 *
 * Routing (`claims`): a request whose signature is scoped to service `s3` is S3's; an unsigned request is S3's when
 * its first path segment is a configured bucket (it is then refused AccessDenied); everything else is SageMaker's.
 */

import type { IncomingMessage, ServerResponse } from 'http';
import { flattenHeaders, readBody, splitUrl } from '../io/http-io';
import { AuthFailure, verifySignatureNow, type SigningKey } from '../signing/sigv4';
import type { ObjectStore } from './s3-store';
import { deleteObject, getObject, listObjects, putObject, RESPONSE_OVERRIDES, type S3Answer } from './s3-objects';
import { authError, errorXml, firstSegment, parseS3Path, s3Error, S3_SIGNING_SERVICE, scopeServiceOf, writeS3Head, type S3Error } from './s3-wire';

/** One S3 request as the server saw it (for tests and benchmarks: how often and when a client called). */
export interface S3RecordedRequest {
  method: string;
  /** the raw path, without the query */
  path: string;
  bucket?: string;
  key?: string;
  /** lower-cased request headers as received, Authorization included: do not log them */
  headers: Record<string, string>;
  /** when it arrived, ms since the epoch */
  at: number;
  verified: boolean;
  accessKeyId?: string;
  /** 0 while unanswered */
  status: number;
  /** the S3 error code answered, if any */
  errorCode?: string;
}

export interface S3ApiOptions {
  store: ObjectStore;
  /** the keys it accepts (the SageMaker server's own map, so keys added later count here too) */
  credentials: ReadonlyMap<string, SigningKey>;
  region: string;
  /** one line per request: method, path, status, error code, duration */
  log?: (line: string) => void;
  /** keep at most this many entries in `requests`; default unlimited */
  maxRecorded?: number;
}

/** What `intercept` may answer instead of the operation. */
export type S3Interception = { code: string; status?: number; message?: string } | 'hang' | 'reset';

/** Query parameters the object operations take; anything else names a sub-resource this server does not have. */
const OBJECT_QUERY = new Set(['x-id']);
/** Extra room for aws-chunked framing over the object limit (chunk headers, trailers). */
const FRAMING_SLACK = 64 * 1024;

export class S3Api {
  readonly store: ObjectStore;
  private readonly credentials: ReadonlyMap<string, SigningKey>;
  private readonly region: string;
  private readonly log?: (line: string) => void;
  private readonly maxRecorded: number;
  private readonly recorded: S3RecordedRequest[] = [];
  /** requests received since start (or `clearRequests`), by method; not limited like `requests` */
  readonly counts: Record<string, number> = {};
  /** called as each request arrives (e.g. a benchmark measuring a client's request rate) */
  onRequest?: (request: S3RecordedRequest) => void;
  /**
   * For tests of a client's error handling: called for each authenticated request before it is served; an answer
   * replaces the operation's: an S3 error (e.g. `{ code: 'SlowDown', status: 503, message: 'Please reduce your
   * request rate.' }`), `'hang'` (never answer) or `'reset'` (drop the connection).
   */
  intercept?: (request: S3RecordedRequest) => S3Interception | undefined;

  constructor(options: S3ApiOptions) {
    this.store = options.store;
    this.credentials = options.credentials;
    this.region = options.region;
    this.log = options.log;
    this.maxRecorded = options.maxRecorded ?? Infinity;
  }

  /** Every S3 request received, in order of arrival. */
  get requests(): S3RecordedRequest[] {
    return this.recorded;
  }

  clearRequests(): void {
    this.recorded.length = 0;
    for (const method of Object.keys(this.counts)) delete this.counts[method];
  }

  /** Whether a request is for the object API (see the module's comment). */
  claims(req: IncomingMessage): boolean {
    const authorization = req.headers.authorization;
    const service = scopeServiceOf(typeof authorization === 'string' ? authorization : undefined);
    if (service !== undefined) return service === S3_SIGNING_SERVICE;
    if (authorization !== undefined) return false;
    const { rawPath } = splitUrl(req);
    if (rawPath.startsWith('/endpoints/')) return false;
    try {
      return this.store.hasBucket(decodeURIComponent(firstSegment(rawPath)));
    } catch {
      return false;
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.serve(req, res);
    } catch (err) {
      // A fault of this server's own: answer if still possible, never crash the process.
      this.log?.(`S3 internal error: ${(err as Error)?.message ?? String(err)}`);
      if (!res.headersSent && !res.destroyed) {
        const requestId = writeS3Head(res, 500, { 'Content-Type': 'application/xml' });
        res.end(errorXml(s3Error('InternalError', 'We encountered an internal error. Please try again.'), requestId));
      }
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const { rawPath, rawQuery } = splitUrl(req);
    const target = parseS3Path(rawPath);
    const record: S3RecordedRequest = {
      method: req.method ?? '',
      path: rawPath,
      ...(target ? { bucket: target.bucket, ...(target.key !== undefined ? { key: target.key } : {}) } : {}),
      headers: flattenHeaders(req),
      at: started,
      verified: false,
      status: 0,
    };
    this.recorded.push(record);
    while (this.recorded.length > this.maxRecorded) this.recorded.shift();
    this.counts[record.method] = (this.counts[record.method] ?? 0) + 1;
    this.onRequest?.(record);
    res.once('close', () => this.log?.(`${record.method} ${record.path} ${record.status || '-'} ${record.errorCode ?? '-'} ${Date.now() - started}ms`));

    const outcome = await readBody(req, res, this.store.maxObjectBytes + Math.ceil(this.store.maxObjectBytes / 100) + FRAMING_SLACK);
    if (outcome.kind === 'aborted') return;
    if (outcome.kind === 'oversize') {
      const tooLarge = s3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: String(this.store.maxObjectBytes) });
      this.sendError(res, record, tooLarge, rawPath, !outcome.drained);
      return;
    }
    const headers = record.headers;
    const signed = { method: record.method, rawPath, rawQuery, headers, distinctHeaders: req.headersDistinct, body: outcome.body };
    const auth = verifySignatureNow(signed, { service: S3_SIGNING_SERVICE, region: this.region }, this.credentials, Date.now());
    if (auth instanceof AuthFailure) {
      const keyId = /Credential=([^/,\s]+)/.exec(headers['authorization'] ?? '')?.[1];
      this.sendError(res, record, authError(auth, keyId), rawPath);
      return;
    }
    record.verified = true;
    record.accessKeyId = auth.accessKeyId;
    const intercepted = this.intercept?.(record);
    if (intercepted === 'hang') return;
    if (intercepted === 'reset') {
      req.socket.destroy();
      return;
    }
    if (intercepted !== undefined) {
      const error = s3Error(intercepted.code, intercepted.message ?? intercepted.code);
      this.sendError(res, record, intercepted.status === undefined ? error : { ...error, status: intercepted.status }, rawPath);
      return;
    }
    const answer = this.operate(record.method, target, new URLSearchParams(rawQuery), headers, outcome.body);
    if ('code' in answer) this.sendError(res, record, answer, rawPath);
    else this.send(res, record, answer);
  }

  /** Runs the operation a verified request names. */
  private operate(
    method: string,
    target: ReturnType<typeof parseS3Path>,
    query: URLSearchParams,
    headers: Record<string, string>,
    body: Buffer,
  ): S3Answer | S3Error {
    if (!target) return s3Error('NotImplemented', 'This local server has no bucket listing: name a bucket in the path (path-style addressing).');
    if (!this.store.hasBucket(target.bucket)) return s3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: target.bucket });
    if (target.key === undefined) {
      if (method === 'HEAD') return { status: 200, headers: { 'x-amz-bucket-region': this.region } };
      if (method === 'GET') return listObjects(this.store, target.bucket, query);
      return s3Error('NotImplemented', `This local server does not implement ${method} on a bucket: its buckets come from its configuration.`);
    }
    const reading = method === 'GET' || method === 'HEAD';
    const unknown = [...query.keys()].find((name) => !OBJECT_QUERY.has(name) && !(reading && name in RESPONSE_OVERRIDES));
    if (unknown !== undefined) return s3Error('NotImplemented', `This local server does not implement the ${unknown.slice(0, 40)} sub-resource or parameter.`);
    const request = { bucket: target.bucket, key: target.key, headers, body, query };
    switch (method) {
      case 'PUT':
        if (headers['x-amz-copy-source'] !== undefined) return s3Error('NotImplemented', 'This local server does not implement CopyObject.');
        return putObject(this.store, request);
      case 'GET':
        return getObject(this.store, request, false);
      case 'HEAD':
        return getObject(this.store, request, true);
      case 'DELETE':
        return deleteObject(this.store, request);
      default:
        return s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'OBJECT' });
    }
  }

  private send(res: ServerResponse, record: S3RecordedRequest, answer: S3Answer): void {
    if (res.headersSent || res.destroyed) return;
    record.status = answer.status;
    writeS3Head(res, answer.status, answer.headers);
    if (answer.body === undefined) {
      // HEAD keeps the object's Content-Length; other empty answers say 0.
      if (!res.hasHeader('Content-Length')) res.setHeader('Content-Length', 0);
      res.end();
      return;
    }
    const payload = Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(answer.body);
    res.setHeader('Content-Length', payload.length);
    res.end(payload);
  }

  /** An XML error body; HEAD answers the status alone, as S3 does. */
  private sendError(res: ServerResponse, record: S3RecordedRequest, error: S3Error, resource: string, close = false): void {
    if (res.headersSent || res.destroyed) return;
    record.status = error.status;
    record.errorCode = error.code;
    const head = record.method === 'HEAD';
    const requestId = writeS3Head(res, error.status, head ? {} : { 'Content-Type': 'application/xml' });
    const payload = head ? Buffer.alloc(0) : Buffer.from(errorXml(error, requestId, resource));
    res.setHeader('Content-Length', payload.length);
    if (close) {
      res.setHeader('Connection', 'close');
      res.once('finish', () => res.socket?.destroy());
    }
    res.end(payload);
  }
}
