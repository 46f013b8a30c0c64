/**
 * The local server's object store: the buckets its configuration names, each a map of key to object, in memory,
 * with a cap on the bytes all objects hold together (so a long-running demo or a runaway test cannot eat the
 * machine). Pure: no HTTP, no signatures; the S3 API (s3-server) and the async jobs (async-jobs) both use it.
 */

import { createHash } from 'crypto';
import type { ChecksumAlgorithm } from './checksums';

/** One stored object. */
export interface StoredObject {
  body: Buffer;
  /** as given at upload; `binary/octet-stream` (S3's default) when none was */
  contentType: string;
  /** the quoted MD5 hex of the body, as S3 answers it for a single-part upload */
  etag: string;
  lastModified: Date;
  /** `x-amz-meta-*` headers, lower-cased names without the prefix */
  metadata: Record<string, string>;
  /** a checksum the uploader sent and the server verified, answered back when a reader asks for it */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  contentEncoding?: string;
}

/** What to store: the body and what describes it. */
export type NewObject = Omit<StoredObject, 'etag' | 'lastModified'>;

/** S3's content type for an object uploaded without one. */
export const DEFAULT_OBJECT_TYPE = 'binary/octet-stream';
/** Defaults: at most 64 MiB per object and 512 MiB in all. */
export const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_TOTAL_BYTES = 512 * 1024 * 1024;

export interface ObjectStoreOptions {
  buckets: readonly string[];
  maxObjectBytes?: number;
  maxTotalBytes?: number;
}

export type PutOutcome = { kind: 'ok'; object: StoredObject } | { kind: 'noSuchBucket' } | { kind: 'tooLarge' } | { kind: 'full' };

/** An `s3://bucket/key` location, split. */
export interface S3Location {
  bucket: string;
  key: string;
}

/**
 * Reads `s3://bucket/key`, or an https URL of S3 in path style (`https://host/bucket/key`); undefined otherwise.
 * The key of an s3:// URI is taken literally (it is not URL-encoded); that of an https URL is decoded.
 */
export function parseS3Uri(uri: string): S3Location | undefined {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (s3) return { bucket: s3[1], key: s3[2] };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (!path) return undefined;
  try {
    return { bucket: decodeURIComponent(path[1]), key: decodeURIComponent(path[2]) };
  } catch {
    return undefined;
  }
}

export class ObjectStore {
  readonly maxObjectBytes: number;
  readonly maxTotalBytes: number;
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private used = 0;

  constructor(options: ObjectStoreOptions) {
    this.maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    this.maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
    for (const name of options.buckets) this.buckets.set(name, new Map());
  }

  /** The bucket names, in configuration order. */
  get bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  /** Bytes held by all objects. */
  get usedBytes(): number {
    return this.used;
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** The bucket's objects whose keys start with `prefix`, in key order. */
  list(bucket: string, prefix = ''): Array<[string, StoredObject]> {
    const objects = this.buckets.get(bucket);
    if (!objects) return [];
    return [...objects.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Stores an object (replacing one of the same key), unless the bucket is unknown or a limit would be passed. */
  put(bucket: string, key: string, object: NewObject): PutOutcome {
    const objects = this.buckets.get(bucket);
    if (!objects) return { kind: 'noSuchBucket' };
    if (object.body.length > this.maxObjectBytes) return { kind: 'tooLarge' };
    const replaced = objects.get(key)?.body.length ?? 0;
    if (this.used - replaced + object.body.length > this.maxTotalBytes) return { kind: 'full' };
    const stored: StoredObject = {
      ...object,
      etag: `"${createHash('md5').update(object.body).digest('hex')}"`,
      // S3's Last-Modified has whole seconds; keeping the milliseconds would make If-Modified-Since miss.
      lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
    };
    objects.set(key, stored);
    this.used += object.body.length - replaced;
    return { kind: 'ok', object: stored };
  }

  /** Deletes an object; false when there was none (S3 answers 204 either way). */
  delete(bucket: string, key: string): boolean {
    const objects = this.buckets.get(bucket);
    const existing = objects?.get(key);
    if (!objects || !existing) return false;
    objects.delete(key);
    this.used -= existing.body.length;
    return true;
  }
}
