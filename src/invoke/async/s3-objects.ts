/**
 * The S3 requests of async results: a GET of a result location (the poll: one request tells "not yet" or brings
 * the result), and a PUT of an input. What S3 answers is sorted into what the waiter does with it:
 *
 * - `missing`: 404 (NoSuchKey): keep waiting.
 * - `retry`: throttling (503 SlowDown), 5xx, a network failure or timeout: try again at the next check.
 * - `fatal`: access denied (403: without s3:ListBucket S3 also answers 403 for an object that does not exist yet,
 *   so the README's policy grants ListBucket), a bucket that does not exist, any other 3xx or 4xx: waiting
 *   cannot help.
 *
 * No Node-RED import.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { withAbortSignal } from '../../config/abort-context';
import { formatS3Uri, type S3Location } from './s3-location';

export type GetResult =
  | { kind: 'found'; body: Uint8Array; contentType?: string }
  | { kind: 'missing' }
  | { kind: 'retry'; reason: string }
  | { kind: 'fatal'; problem: S3Problem };

/** A failure that waiting cannot mend, for the error the message ends with. */
export interface S3Problem {
  /** msg.sagemaker.error.name: AccessDeniedException, NoSuchBucket or S3Error */
  name: 'AccessDeniedException' | 'NoSuchBucket' | 'S3Error' | 'AbortError';
  /** S3's own error code (AccessDenied, NoSuchBucket, InvalidAccessKeyId, ...) */
  errorCode: string;
  statusCode?: number;
  /** the locale key under errors. */
  key: 's3AccessDenied' | 's3NoSuchBucket' | 's3Failed' | 'aborted';
  location: string;
  message: string;
}

interface S3ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What an error from S3 (or the way to it) means for a waiting message. */
export function classifyS3Error(error: unknown, location: S3Location): Exclude<GetResult, { kind: 'found' }> {
  const e = (typeof error === 'object' && error !== null ? error : {}) as S3ErrorShape;
  const name = str(e.name) || 'Error';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const message = str(e.message) || name;
  const where = formatS3Uri(location);
  if (name === 'AbortError') return { kind: 'fatal', problem: { name: 'AbortError', errorCode: name, key: 'aborted', location: where, message } };
  if (name === 'NoSuchBucket') {
    return { kind: 'fatal', problem: { name: 'NoSuchBucket', errorCode: name, statusCode: status, key: 's3NoSuchBucket', location: where, message } };
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return { kind: 'missing' };
  if (status === 403 || name === 'AccessDenied') {
    return { kind: 'fatal', problem: { name: 'AccessDeniedException', errorCode: name, statusCode: status, key: 's3AccessDenied', location: where, message } };
  }
  if (status !== undefined && status >= 300 && status < 500 && status !== 408 && status !== 429) {
    return { kind: 'fatal', problem: { name: 'S3Error', errorCode: name, statusCode: status, key: 's3Failed', location: where, message } };
  }
  // 5xx, 429, 408, a connection that failed or timed out: S3 or the way to it is having a moment.
  return { kind: 'retry', reason: `${name}${status ? ` (${status})` : ''}: ${message}` };
}

/** One GET of a result location. Never rejects. */
export async function getResult(client: S3Client, location: S3Location, signal: AbortSignal): Promise<GetResult> {
  try {
    return await withAbortSignal(signal, async () => {
      const out = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
      return { kind: 'found', body, contentType: out.ContentType } as const;
    });
  } catch (error) {
    return classifyS3Error(error, location);
  }
}

/** Uploads an input; resolves undefined, or the problem (in words) when S3 refused or could not be reached. */
export async function putInput(
  client: S3Client,
  location: S3Location,
  body: Uint8Array,
  contentType: string | undefined,
  signal: AbortSignal,
): Promise<S3Problem | undefined> {
  try {
    await withAbortSignal(signal, () =>
      client.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body, ContentType: contentType })),
    );
    return undefined;
  } catch (error) {
    const sorted = classifyS3Error(error, location);
    if (sorted.kind === 'fatal') return sorted.problem;
    const e = (typeof error === 'object' && error !== null ? error : {}) as S3ErrorShape;
    const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
    const name = str(e.name) || str(e.code) || 'Error';
    const message = sorted.kind === 'retry' ? sorted.reason : 'the bucket answered 404';
    return { name: 'S3Error', errorCode: name, statusCode: status, key: 's3Failed', location: formatS3Uri(location), message };
  }
}
