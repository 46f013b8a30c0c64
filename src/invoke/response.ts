/**
 * Decodes the response body and the session headers of an InvokeEndpoint answer.
 */
import { mediaType } from '../shared/media-type';
import type { OutputMode } from '../shared/names';
import { TextDecoder } from 'node:util';
import { FlowError } from '../shared/flow-error';

export type DecodedBody = string | Buffer | unknown;

const JSON_TYPE = /^(application|text)\/([\w.+-]+\+)?json$/;
const JSON_LINES_TYPES = new Set(['application/jsonlines', 'application/x-jsonlines', 'application/jsonl', 'application/x-ndjson']);

/** Whether a content type is JSON (`application/json`, `*+json`). */
export function isJsonType(contentType: string | undefined): boolean {
  return JSON_TYPE.test(mediaType(contentType));
}

/** Whether a content type is JSON Lines (`application/jsonlines`, `application/x-ndjson`, ...). */
export function isJsonLinesType(contentType: string | undefined): boolean {
  return JSON_LINES_TYPES.has(mediaType(contentType));
}

/** How `auto` treats a content type. */
export function autoForm(contentType: string | undefined): 'json' | 'text' | 'buffer' {
  if (isJsonType(contentType)) return 'json';
  if (mediaType(contentType).startsWith('text/') || isJsonLinesType(contentType)) return 'text';
  return 'buffer';
}

/** The charset a content type names; UTF-8 when it names none. */
export function charset(contentType: string | undefined): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match ? match[1].toLowerCase() : 'utf-8';
}

export function decodeText(bytes: Uint8Array, contentType: string | undefined): string {
  const cs = charset(contentType);
  // UTF-8, what nearly every model answers in: Buffer's decoder is the fast one (same result, U+FFFD for bad bytes).
  if (cs === 'utf-8' || cs === 'utf8') {
    const buf = asBuffer(bytes);
    // TextDecoder drops a byte order mark; so does this.
    const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    return buf.toString('utf8', bom);
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(cs);
  } catch {
    decoder = new TextDecoder('utf-8'); // an unknown charset label: UTF-8 is what SageMaker models send
  }
  return decoder.decode(bytes);
}

/** A Buffer view of the bytes (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Decodes a body as `output` asks: `auto` by content type, or forced `json`, `text`, `buffer`.
 * Unparseable JSON throws a FlowError with key `badJson`.
 */
export function decodeBody(bytes: Uint8Array | undefined, contentType: string | undefined, output: OutputMode): DecodedBody {
  const raw = bytes ?? new Uint8Array(0);
  const form = output === 'auto' ? autoForm(contentType) : output;
  switch (form) {
    case 'buffer':
      return asBuffer(raw);
    case 'text':
      return decodeText(raw, contentType);
    case 'json': {
      const text = decodeText(raw, contentType);
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new FlowError('badJson', { contentType: contentType ?? '', reason: (err as Error).message });
      }
    }
  }
}

export interface NewSession {
  id: string;
  /** ISO 8601 time the session expires, when the service said */
  expires?: string;
}

/** Splits the wire form of a new session, `ID; Expires=2026-01-01T00:00:00Z`. */
export function parseNewSession(header: string): NewSession {
  const [id, ...rest] = header.split(';');
  const session: NewSession = { id: id.trim() };
  for (const part of rest) {
    const match = /^\s*expires\s*=\s*(.+?)\s*$/i.exec(part);
    if (match) session.expires = match[1];
  }
  return session;
}
