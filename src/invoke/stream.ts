/**
 * Turns the parts of a response stream into the messages the invoke node sends in `stream` mode.
 *
 * The service cuts the model's bytes wherever it likes: a line, or a multi-byte UTF-8 character, can arrive in two
 * parts, and one part can hold several lines. `StreamDecoder` re-cuts and decodes them (`streamSplit` `none` keeps
 * the service's parts, `lines` re-cuts at newlines); `PartSequencer` numbers the results as a Node-RED message
 * sequence (`msg.parts`) that a core Join node in automatic mode puts back together.
 */
import { TextDecoder } from 'node:util';
import type { OutputMode, StreamSplit } from '../shared/invoke-settings';
import { autoForm, charset, isJsonLinesType, mediaType } from './response';
import { FlowError } from '../shared/flow-error';

/** What each unit sent downstream is: decoded text, raw bytes, or a parsed JSON document. */
export type StreamUnit = 'text' | 'buffer' | 'json';

/** `msg.parts.type`: how a Join node puts the sequence back together. */
export type PartsType = 'string' | 'buffer' | 'array';

/** Whether the lines of a content type are JSON documents (JSON Lines, NDJSON) or server-sent events. */
function linesAreJson(contentType: string | undefined): boolean {
  return isJsonLinesType(contentType) || mediaType(contentType) === 'text/event-stream';
}

/**
 * The unit for an output form, split and response content type. `json` needs `lines` (a part alone is rarely a
 * whole document): the node's settings check (shared/invoke-settings) refuses the other combination before anything is sent.
 */
export function streamUnit(output: OutputMode, split: StreamSplit, contentType: string | undefined): StreamUnit {
  if (output === 'buffer' || output === 'text' || output === 'json') return output;
  if (split === 'lines' && linesAreJson(contentType)) return 'json';
  return autoForm(contentType) === 'buffer' ? 'buffer' : 'text';
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Server-sent event fields other than `data`, and comments: framing, not content. */
const SSE_FRAMING = /^(:|(event|id|retry)(:|$))/;

function textDecoder(contentType: string | undefined): TextDecoder {
  try {
    return new TextDecoder(charset(contentType));
  } catch {
    return new TextDecoder('utf-8'); // an unknown charset label: UTF-8 is what SageMaker models send
  }
}

/** Re-cuts and decodes the bytes of one response stream. One instance per stream. */
export class StreamDecoder {
  readonly unit: StreamUnit;
  readonly split: StreamSplit;
  private readonly sse: boolean;
  private readonly decoder: TextDecoder;
  /** bytes after the last newline, waiting for the rest of their line */
  private pending: Buffer = Buffer.alloc(0);
  private lineNumber = 0;
  /** Set when a line did not parse: the units before it were returned, nothing after it is. */
  failure?: FlowError;

  constructor(output: OutputMode, split: StreamSplit, contentType: string | undefined) {
    this.unit = streamUnit(output, split, contentType);
    this.split = split;
    this.sse = mediaType(contentType) === 'text/event-stream';
    this.decoder = textDecoder(contentType);
  }

  /** How a Join node rebuilds the whole answer from the units. */
  get partsType(): PartsType {
    return this.unit === 'json' ? 'array' : this.unit === 'text' ? 'string' : 'buffer';
  }

  /** `msg.parts.ch`: what goes between units when they are joined again (lines lost their newline). */
  get joinChar(): string | undefined {
    if (this.unit === 'json') return undefined;
    return this.split === 'lines' ? '\n' : '';
  }

  /**
   * The units one part yields, in order (none when it only continues a line). After a line that does not parse,
   * it returns the units before that line, sets `failure`, and takes nothing more.
   */
  push(bytes: Uint8Array): unknown[] {
    if (this.failure) return [];
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.split === 'none') {
      if (this.unit === 'buffer') return [Buffer.from(chunk)]; // a copy: the SDK may reuse its buffer
      return [this.decoder.decode(chunk, { stream: true })];
    }
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const units: unknown[] = [];
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1 && !this.failure; nl = data.indexOf(NEWLINE, start)) {
      this.line(data.subarray(start, nl), units);
      start = nl + 1;
    }
    this.pending = Buffer.from(data.subarray(start));
    return units;
  }

  /** The units left when the stream ends: a last line without a newline, or the end of a split character. */
  end(): unknown[] {
    const units: unknown[] = [];
    if (this.failure) return units;
    if (this.split === 'none') {
      if (this.unit === 'text') {
        const tail = this.decoder.decode();
        if (tail !== '') units.push(tail);
      }
      return units;
    }
    if (this.pending.length > 0) this.line(this.pending, units);
    this.pending = Buffer.alloc(0);
    return units;
  }

  private line(raw: Buffer, units: unknown[]): void {
    this.lineNumber += 1;
    const bytes = raw.length > 0 && raw[raw.length - 1] === CARRIAGE_RETURN ? raw.subarray(0, raw.length - 1) : raw;
    if (this.unit === 'buffer') {
      units.push(Buffer.from(bytes));
      return;
    }
    const text = this.decoder.decode(bytes);
    if (this.unit === 'text') {
      units.push(text);
      return;
    }
    let body = text.trim();
    if (body === '' || (this.sse && SSE_FRAMING.test(body))) return;
    if (body.startsWith('data:')) body = body.slice(5).trim();
    if (body === '' || body === '[DONE]') return;
    try {
      units.push(JSON.parse(body) as unknown);
    } catch (err) {
      this.failure = new FlowError('badJsonLine', { line: this.lineNumber, reason: (err as Error).message });
    }
  }
}

/** `msg.parts` of one message of the sequence. */
export interface PartsInfo {
  id: string;
  type: PartsType;
  /** absent only on the closing message of an answer without a single JSON document (Join then builds []) */
  index?: number;
  ch?: string;
  count?: number;
  /** the msg property that holds the part, when it is not `payload` */
  property?: string;
  /** the msg's own `parts` when it was already in a sequence: Join restores it */
  parts?: unknown;
}

export interface SequencedPart {
  value: unknown;
  parts: PartsInfo;
}

/**
 * Numbers units as a message sequence. It holds one unit back so that the last one can carry `count` (and the
 * node's `complete` and metadata): each unit leaves as soon as the next one arrives, or the stream ends.
 */
export class PartSequencer {
  private held: unknown;
  private holding = false;
  private nextIndex = 0;

  constructor(private readonly base: Omit<PartsInfo, 'index' | 'count'>) {}

  /** Takes a unit; returns the one held before it, now known not to be the last. */
  push(value: unknown): SequencedPart | undefined {
    const ready = this.holding ? this.release() : undefined;
    this.held = value;
    this.holding = true;
    return ready;
  }

  /** The unit still held, without `count`: for sending what arrived when the stream fails. */
  flush(): SequencedPart | undefined {
    return this.holding ? this.release() : undefined;
  }

  /**
   * The last message of the sequence, with `count`. An answer of no units still ends with one message that closes
   * the sequence: an empty string or Buffer, or for JSON units no value at all (so Join builds an empty array).
   */
  finish(): SequencedPart {
    if (this.holding) {
      const last = this.release();
      last.parts.count = this.nextIndex;
      return last;
    }
    const closing: PartsInfo = this.withBase({ count: this.nextIndex });
    if (this.base.type === 'array') return { value: undefined, parts: closing };
    closing.index = this.nextIndex;
    closing.count = this.nextIndex + 1;
    this.nextIndex += 1;
    return { value: this.base.type === 'string' ? '' : Buffer.alloc(0), parts: closing };
  }

  private release(): SequencedPart {
    const part = { value: this.held, parts: this.withBase({ index: this.nextIndex }) };
    this.nextIndex += 1;
    this.held = undefined;
    this.holding = false;
    return part;
  }

  private withBase(extra: Pick<PartsInfo, 'index' | 'count'>): PartsInfo {
    const info: PartsInfo = { id: this.base.id, type: this.base.type, ...extra };
    if (this.base.ch !== undefined) info.ch = this.base.ch;
    if (this.base.property !== undefined) info.property = this.base.property;
    if (this.base.parts !== undefined) info.parts = this.base.parts;
    return info;
  }
}
