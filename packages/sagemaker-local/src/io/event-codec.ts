/**
 * The `application/vnd.amazon.eventstream` message format, written for the local server so that it does not lean
 * on the SDK's own codec (the server is the protocol's independent oracle in the tests): a 12-byte prelude (total
 * length, headers length, CRC32 of those 8 bytes), the headers, the payload, and a CRC32 of everything before it.
 * A header is a 1-byte name length, the name, a type byte and a value whose layout the type fixes.
 *
 * `MessageDecoder` takes bytes as they arrive (HTTP/2 DATA frames cut messages anywhere) and yields whole messages.
 */

import { crc32 } from './crc';

/** A header value, tagged with its wire type. `long` and `timestamp` are numbers (safe integers; ms for timestamp). */
export type HeaderValue =
  | { type: 'boolean'; value: boolean }
  | { type: 'byte' | 'short' | 'integer' | 'long'; value: number }
  | { type: 'binary'; value: Uint8Array }
  | { type: 'string'; value: string }
  | { type: 'timestamp'; value: Date }
  | { type: 'uuid'; value: string };

export type MessageHeaders = Record<string, HeaderValue>;

export interface EventMessage {
  headers: MessageHeaders;
  body: Uint8Array;
}

/** A message that breaks the format: its CRC, lengths or header encoding. */
export class EventStreamFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamFormatError';
  }
}

const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;
/** The format's limits: 16 MB a message, 128 KB of headers. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_HEADERS_BYTES = 128 * 1024;

const TYPE_CODES = { boolTrue: 0, boolFalse: 1, byte: 2, short: 3, integer: 4, long: 5, binary: 6, string: 7, timestamp: 8, uuid: 9 } as const;

// CRC32: the server's one, Node's zlib.crc32 (./crc).
export { crc32 };

// -- encoding ---------------------------------------------------------------------------------------------------

function encodeValue(header: HeaderValue): Buffer {
  switch (header.type) {
    case 'boolean':
      return Buffer.from([header.value ? TYPE_CODES.boolTrue : TYPE_CODES.boolFalse]);
    case 'byte':
      return Buffer.from([TYPE_CODES.byte, header.value & 0xff]);
    case 'short': {
      const b = Buffer.alloc(3);
      b[0] = TYPE_CODES.short;
      b.writeInt16BE(header.value, 1);
      return b;
    }
    case 'integer': {
      const b = Buffer.alloc(5);
      b[0] = TYPE_CODES.integer;
      b.writeInt32BE(header.value, 1);
      return b;
    }
    case 'long':
    case 'timestamp': {
      const b = Buffer.alloc(9);
      b[0] = header.type === 'long' ? TYPE_CODES.long : TYPE_CODES.timestamp;
      b.writeBigInt64BE(BigInt(header.type === 'timestamp' ? header.value.getTime() : header.value), 1);
      return b;
    }
    case 'binary':
    case 'string': {
      const value = header.type === 'string' ? Buffer.from(header.value, 'utf8') : Buffer.from(header.value);
      if (value.length > 0xffff) throw new EventStreamFormatError(`a ${header.type} header value is over 65535 bytes`);
      const b = Buffer.alloc(3);
      b[0] = header.type === 'string' ? TYPE_CODES.string : TYPE_CODES.binary;
      b.writeUInt16BE(value.length, 1);
      return Buffer.concat([b, value]);
    }
    case 'uuid': {
      const hex = header.value.replace(/-/g, '');
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new EventStreamFormatError(`not a UUID: ${header.value}`);
      return Buffer.concat([Buffer.from([TYPE_CODES.uuid]), Buffer.from(hex, 'hex')]);
    }
  }
}

/** The headers block: each header's name length, name, type and value, in insertion order. */
export function encodeHeaders(headers: MessageHeaders): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length === 0 || nameBytes.length > 255) throw new EventStreamFormatError(`header name "${name}" must be 1 to 255 bytes`);
    parts.push(Buffer.from([nameBytes.length]), nameBytes, encodeValue(value));
  }
  return Buffer.concat(parts);
}

export function encodeMessage(message: EventMessage): Buffer {
  const headers = encodeHeaders(message.headers);
  const total = PRELUDE_BYTES + headers.length + message.body.length + CRC_BYTES;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headers.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headers.copy(out, PRELUDE_BYTES);
  out.set(message.body, PRELUDE_BYTES + headers.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - CRC_BYTES)), total - CRC_BYTES);
  return out;
}

// -- decoding ---------------------------------------------------------------------------------------------------

function need(bytes: Buffer, at: number, n: number): void {
  if (at + n > bytes.length) throw new EventStreamFormatError('a header runs past the end of the headers block');
}

function decodeValue(bytes: Buffer, at: number): { value: HeaderValue; next: number } {
  need(bytes, at, 1);
  const type = bytes[at++];
  switch (type) {
    case TYPE_CODES.boolTrue:
    case TYPE_CODES.boolFalse:
      return { value: { type: 'boolean', value: type === TYPE_CODES.boolTrue }, next: at };
    case TYPE_CODES.byte:
      need(bytes, at, 1);
      return { value: { type: 'byte', value: bytes.readInt8(at) }, next: at + 1 };
    case TYPE_CODES.short:
      need(bytes, at, 2);
      return { value: { type: 'short', value: bytes.readInt16BE(at) }, next: at + 2 };
    case TYPE_CODES.integer:
      need(bytes, at, 4);
      return { value: { type: 'integer', value: bytes.readInt32BE(at) }, next: at + 4 };
    case TYPE_CODES.long:
    case TYPE_CODES.timestamp: {
      need(bytes, at, 8);
      const n = Number(bytes.readBigInt64BE(at));
      const value: HeaderValue = type === TYPE_CODES.long ? { type: 'long', value: n } : { type: 'timestamp', value: new Date(n) };
      return { value, next: at + 8 };
    }
    case TYPE_CODES.binary:
    case TYPE_CODES.string: {
      need(bytes, at, 2);
      const length = bytes.readUInt16BE(at);
      need(bytes, at + 2, length);
      const raw = bytes.subarray(at + 2, at + 2 + length);
      const value: HeaderValue = type === TYPE_CODES.string ? { type: 'string', value: raw.toString('utf8') } : { type: 'binary', value: Uint8Array.from(raw) };
      return { value, next: at + 2 + length };
    }
    case TYPE_CODES.uuid: {
      need(bytes, at, 16);
      const h = bytes.toString('hex', at, at + 16);
      const value = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      return { value: { type: 'uuid', value }, next: at + 16 };
    }
    default:
      throw new EventStreamFormatError(`unknown header value type ${type}`);
  }
}

export function decodeHeaders(bytes: Buffer): MessageHeaders {
  const headers: MessageHeaders = {};
  let at = 0;
  while (at < bytes.length) {
    const nameLength = bytes[at++];
    need(bytes, at, nameLength);
    const name = bytes.toString('utf8', at, at + nameLength);
    const { value, next } = decodeValue(bytes, at + nameLength);
    headers[name] = value;
    at = next;
  }
  return headers;
}

/** Checks the prelude of a message starting at `bytes[0]`; returns its total length. */
function checkPrelude(bytes: Buffer): number {
  const total = bytes.readUInt32BE(0);
  const headersLength = bytes.readUInt32BE(4);
  if (bytes.readUInt32BE(8) !== crc32(bytes.subarray(0, 8))) throw new EventStreamFormatError('the prelude CRC does not match');
  if (total < PRELUDE_BYTES + CRC_BYTES || total > MAX_MESSAGE_BYTES) throw new EventStreamFormatError(`message length ${total} is out of range`);
  if (headersLength > MAX_HEADERS_BYTES || PRELUDE_BYTES + headersLength + CRC_BYTES > total) {
    throw new EventStreamFormatError(`headers length ${headersLength} does not fit the message`);
  }
  return total;
}

/** Decodes exactly one whole message. */
export function decodeMessage(bytes: Buffer): EventMessage {
  if (bytes.length < PRELUDE_BYTES + CRC_BYTES) throw new EventStreamFormatError('a message is at least 16 bytes');
  const total = checkPrelude(bytes);
  if (total !== bytes.length) throw new EventStreamFormatError(`the prelude says ${total} bytes, the message has ${bytes.length}`);
  if (bytes.readUInt32BE(total - CRC_BYTES) !== crc32(bytes.subarray(0, total - CRC_BYTES))) {
    throw new EventStreamFormatError('the message CRC does not match');
  }
  const headersLength = bytes.readUInt32BE(4);
  const headers = decodeHeaders(bytes.subarray(PRELUDE_BYTES, PRELUDE_BYTES + headersLength));
  return { headers, body: bytes.subarray(PRELUDE_BYTES + headersLength, total - CRC_BYTES) };
}

/**
 * Reassembles messages from chunks cut anywhere: `push` returns the whole messages (raw bytes) completed by this
 * chunk; a bad prelude throws at once, before the rest of an absurd length is buffered.
 */
export class MessageDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  push(chunk: Uint8Array): Buffer[] {
    if (chunk.length === 0) return [];
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.pendingBytes < PRELUDE_BYTES) break;
      const head = this.take(PRELUDE_BYTES, false);
      const total = checkPrelude(head);
      if (this.pendingBytes < total) break;
      out.push(this.take(total, true));
    }
    return out;
  }

  /** Bytes of an unfinished message still held (0 at a clean end of stream). */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** The first `n` buffered bytes as one Buffer, consumed or only looked at. */
  private take(n: number, consume: boolean): Buffer {
    const joined = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [joined];
    const head = Buffer.from(joined.subarray(0, n));
    if (consume) {
      const rest = joined.subarray(n);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes -= n;
    }
    return head;
  }
}
