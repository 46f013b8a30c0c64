/**
 * S3 locations as the async operation names them (`s3://bucket/key`, or an `https://` URL of the object), and the
 * object name of an uploaded input. Pure: no SDK, no Node-RED.
 */
import { mediaType } from '../../shared/media-type';

export interface S3Location {
  bucket: string;
  key: string;
}

/**
 * The bucket and key of `s3://bucket/key`, or of an https URL of an object in either addressing style
 * (`https://bucket.s3.region.amazonaws.com/key`, `https://s3.region.amazonaws.com/bucket/key`); undefined when it
 * is neither.
 */
export function parseS3Location(uri: string): S3Location | undefined {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (s3) return { bucket: s3[1], key: s3[2] };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const virtual = /^(.+)\.s3[.-]/.exec(url.hostname);
  if (virtual && path) return { bucket: virtual[1], key: path };
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** The file extension an input of this content type gets, so the object says what it holds. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/json': '.json',
  'application/jsonlines': '.jsonl',
  'application/x-jsonlines': '.jsonl',
  'application/x-ndjson': '.jsonl',
  'text/csv': '.csv',
  'text/plain': '.txt',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'application/x-npy': '.npy',
  'application/x-recordio-protobuf': '.pbr',
  'application/octet-stream': '.bin',
};

export function extensionFor(contentType: string | undefined): string {
  const type = mediaType(contentType);
  if (EXTENSIONS[type]) return EXTENSIONS[type];
  if (type.endsWith('+json')) return '.json';
  return '.bin';
}

/**
 * Where an input is uploaded: `inputS3Uri` (checked: `s3://bucket/` or `s3://bucket/prefix/`), then the inference
 * id and the content type's extension.
 */
export function uploadLocation(inputS3Uri: string, inferenceId: string, contentType: string | undefined): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(inputS3Uri);
  const bucket = match?.[1] ?? '';
  const prefix = match?.[2] ?? '';
  // An id may hold characters S3 keys do not like in URLs (it is printable ASCII): keep the safe ones.
  const name = inferenceId.replace(/[^A-Za-z0-9!_.*'()-]/g, '_');
  return { bucket, key: `${prefix}${name}${extensionFor(contentType)}` };
}
