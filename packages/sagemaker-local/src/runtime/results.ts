/**
 * What an endpoint handler answered: which kind of result it is, and the parts of a success the server sends on
 * (its content type apart from its other headers; its body as a one-part stream when the call wanted a stream).
 */

import type { EndpointAccepted, EndpointError, EndpointHang, EndpointReset, EndpointResult, EndpointStream, EndpointSuccess } from './types';

export function isHang(r: EndpointResult): r is EndpointHang {
  return (r as EndpointHang).hang === true;
}
export function isReset(r: EndpointResult): r is EndpointReset {
  return (r as EndpointReset).reset === true;
}
export function isError(r: EndpointResult): r is EndpointError {
  return typeof (r as EndpointError).error === 'string';
}
export function isStream(r: EndpointResult): r is EndpointStream {
  return typeof (r as EndpointStream).stream === 'object' && (r as EndpointStream).stream !== null;
}
export function isAccepted(r: EndpointResult): r is EndpointAccepted {
  return (r as EndpointAccepted).accepted === true;
}

/** A success's content type: `contentType`, else a `Content-Type` among its headers (any case). */
export function contentTypeOf(r: EndpointSuccess): string | undefined {
  if (r.contentType !== undefined) return r.contentType;
  const name = Object.keys(r.headers ?? {}).find((h) => h.toLowerCase() === 'content-type');
  return name === undefined ? undefined : (r.headers as Record<string, string>)[name];
}

export function withoutContentType(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() !== 'content-type') out[name] = value;
  return out;
}

/** A plain answer as a response stream: its body as one part. */
export function asStream(result: EndpointSuccess): EndpointStream {
  const empty = result.body === undefined || Buffer.from(result.body).length === 0;
  return { stream: empty ? [] : [{ part: result.body as string | Uint8Array }], contentType: contentTypeOf(result), headers: withoutContentType(result.headers) };
}
