/**
 * Turns the parts of a response stream into the messages the invoke node sends in `stream` mode.
 *
 * The service cuts the model's bytes wherever it likes: a line, or a multi-byte UTF-8 character, can arrive in two
 * parts, and one part can hold several lines. `StreamDecoder` re-cuts and decodes them (`streamSplit` `none` keeps
 * the service's parts, `lines` re-cuts at newlines, and a `text/event-stream` answer into server-sent events, see
 * sse.ts); `PartSequencer` numbers the results as a Node-RED message sequence (`msg.parts`) that a core Join node
 * in automatic mode puts back together.
 */
import { TextDecoder } from 'node:util';
import type { OutputMode, StreamSplit } from '../shared/invoke-settings';
import { autoForm, charset, isJsonLinesType } from './response';
import { mediaType } from '../shared/media-type';
import { FlowError } from '../shared/flow-error';
import { SseDecoder, type ServerSentEvent } from './sse';

/** What each unit sent downstream is: decoded text, raw bytes, or a parsed JSON document. */
export type StreamUnit = 'text' | 'buffer' | 'json';

/** `msg.parts.type`: how a Join node puts the sequence back together. */
export type PartsType = 'string' | 'buffer' | 'array';

/** A server-sent event's name and id, for `msg.sagemaker.event` and `msg.sagemaker.eventId`. */
export interface EventLabel {
  event?: string;
  eventId?: string;
}

/** One unit sent downstream: its value and, for a server-sent event, its name and id when it has them. */
export interface Unit {
  value: unknown;
  label?: EventLabel;
}

/** Whether an answer is a server-sent event stream. */
export function isEventStream(contentType: string | undefined): boolean {
  return mediaType(contentType) === 'text/event-stream';
}

/**
 * The unit for an output form, split and response content type. `json` needs `lines` (a part alone is rarely a
 * whole document): the node's settings check (shared/invoke-settings) refuses the other combination before anything is sent.
 * Under `auto`, the events of a `text/event-stream` answer are JSON until the first event says they are text (see
 * StreamDecoder).
 */
export function streamUnit(output: OutputMode, split: StreamSplit, contentType: string | undefined): StreamUnit {
  if (output === 'buffer' || output === 'text' || output === 'json') return output;
  if (split === 'lines' && (isJsonLinesType(contentType) || isEventStream(contentType))) return 'json';
  return autoForm(contentType) === 'buffer' ? 'buffer' : 'text';
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** The OpenAI convention's last event: the end of the stream, not content. */
const DONE = '[DONE]';
/** Data that starts like a JSON object or array: under `auto`, the first such event makes the events JSON. */
const JSON_DOCUMENT = /^\s*[[{]/;

function textDecoder(contentType: string | undefined): TextDecoder {
  try {
    return new TextDecoder(charset(contentType));
  } catch {
    return new TextDecoder('utf-8'); // an unknown charset label: UTF-8 is what SageMaker models send
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function labelOf(e: ServerSentEvent): EventLabel | undefined {
  if (e.event === undefined && e.id === undefined) return undefined;
  const label: EventLabel = {};
  if (e.event !== undefined) label.event = e.event;
  if (e.id !== undefined) label.eventId = e.id;
  return label;
}

/** Re-cuts and decodes the bytes of one response stream. One instance per stream. */
export class StreamDecoder {
  private form: StreamUnit;
  readonly split: StreamSplit;
  /** set for a `text/event-stream` answer cut by `lines`: it is cut into events */
  private readonly sse?: SseDecoder;
  /** `auto` with events: the first event with data settles whether they are JSON or text */
  private settled: boolean;
  /** `auto` with events: an event of a JSON stream that is not JSON is kept as text, not a failure */
  private readonly auto: boolean;
  private readonly decoder: TextDecoder;
  /** bytes after the last newline, waiting for the rest of their line */
  private pending: Buffer = Buffer.alloc(0);
  private lineNumber = 0;
  private eventNumber = 0;
  /** Set when a line did not parse: the units before it were returned, nothing after it is. */
  failure?: FlowError;

  constructor(output: OutputMode, split: StreamSplit, contentType: string | undefined) {
    this.form = streamUnit(output, split, contentType);
    this.split = split;
    if (split === 'lines' && isEventStream(contentType)) this.sse = new SseDecoder();
    this.auto = this.sse !== undefined && output === 'auto';
    this.settled = !this.auto;
    this.decoder = textDecoder(contentType);
  }

  /** What each unit is. Under `auto`, a server-sent event stream's is known from its first event with data. */
  get unit(): StreamUnit {
    return this.form;
  }

  /** How a Join node rebuilds the whole answer from the units. */
  get partsType(): PartsType {
    return this.form === 'json' ? 'array' : this.form === 'text' ? 'string' : 'buffer';
  }

  /**
   * `msg.parts.ch`: what goes between units when they are joined again: lines lost their newline; parts, and
   * events (pieces of one text, their line breaks inside their data), go back together with nothing between.
   */
  get joinChar(): string | undefined {
    if (this.form === 'json') return undefined;
    return this.split === 'lines' && !this.sse ? '\n' : '';
  }

  /**
   * The units one part yields, in order (none when it only continues a line). After a line that does not parse,
   * it returns the units before that line, sets `failure`, and takes nothing more.
   */
  push(bytes: Uint8Array): Unit[] {
    if (this.failure) return [];
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.sse) return this.events(this.sse.push(chunk));
    if (this.split === 'none') {
      if (this.form === 'buffer') return [{ value: Buffer.from(chunk) }]; // a copy: the SDK may reuse its buffer
      return [{ value: this.decoder.decode(chunk, { stream: true }) }];
    }
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const units: Unit[] = [];
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1 && !this.failure; nl = data.indexOf(NEWLINE, start)) {
      this.line(data.subarray(start, nl), units);
      start = nl + 1;
    }
    this.pending = Buffer.from(data.subarray(start));
    return units;
  }

  /** The units left when the stream ends: a last line without a newline, or the end of a split character. */
  end(): Unit[] {
    const units: Unit[] = [];
    if (this.failure) return units;
    if (this.sse) return this.events(this.sse.end());
    if (this.split === 'none') {
      if (this.form === 'text') {
        const tail = this.decoder.decode();
        if (tail !== '') units.push({ value: tail });
      }
      return units;
    }
    if (this.pending.length > 0) this.line(this.pending, units);
    this.pending = Buffer.alloc(0);
    return units;
  }

  private line(raw: Buffer, units: Unit[]): void {
    this.lineNumber += 1;
    const bytes = raw.length > 0 && raw[raw.length - 1] === CARRIAGE_RETURN ? raw.subarray(0, raw.length - 1) : raw;
    if (this.form === 'buffer') {
      units.push({ value: Buffer.from(bytes) });
      return;
    }
    const text = this.decoder.decode(bytes);
    if (this.form === 'text') {
      units.push({ value: text });
      return;
    }
    // As before events were cut by the standard: a `data:` line of another content type is read as its JSON.
    let body = text.trim();
    if (body.startsWith('data:')) body = body.slice(5).trim();
    if (body === '' || body === DONE) return;
    const value = this.parse(body, 'badJsonLine', { line: this.lineNumber });
    if (!this.failure) units.push({ value });
  }

  /**
   * One unit per event with data. An event whose data is empty (a keep-alive) or `[DONE]` sends nothing, and as
   * JSON, neither does one of only white space. Under `auto`, the first event with data settles the form: JSON when
   * its data is a JSON object or array (then each event is parsed when it parses, and kept as text when it does
   * not), else text (each event a piece of one text: a token such as `1` or `true` stays text).
   */
  private events(events: ServerSentEvent[]): Unit[] {
    const units: Unit[] = [];
    for (const e of events) {
      this.eventNumber += 1;
      if (e.data === '' || e.data.trim() === DONE) continue;
      if (!this.settled) {
        this.form = JSON_DOCUMENT.test(e.data) && parses(e.data) ? 'json' : 'text';
        this.settled = true;
      }
      let value: unknown = e.data;
      if (this.form === 'buffer') value = Buffer.from(e.data, 'utf8');
      else if (this.form === 'json') {
        if (e.data.trim() === '') continue;
        value = this.parse(e.data, 'badJsonEvent', { event: this.eventNumber }, this.auto);
        if (this.failure) break;
      }
      const label = labelOf(e);
      units.push(label ? { value, label } : { value });
    }
    return units;
  }

  /** The JSON a line or an event holds; when it does not parse, the text itself if `lenient`, else a failure. */
  private parse(text: string, key: string, where: Record<string, number>, lenient = false): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      if (lenient) return text;
      this.failure = new FlowError(key, { ...where, reason: (err as Error).message });
      return undefined;
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
  /** a server-sent event's name and id, when it has them */
  label?: EventLabel;
}

/**
 * Numbers units as a message sequence. It holds one unit back so that the last one can carry `count` (and the
 * node's `complete` and metadata): each unit leaves as soon as the next one arrives, or the stream ends.
 */
export class PartSequencer {
  private held?: Unit;
  private nextIndex = 0;

  constructor(private readonly base: Omit<PartsInfo, 'index' | 'count'>) {}

  /** Takes a unit (a value, or a value with its event label); returns the one held before it, now known not to be the last. */
  push(unit: Unit): SequencedPart | undefined {
    const ready = this.held ? this.release() : undefined;
    this.held = unit;
    return ready;
  }

  /** The unit still held, without `count`: for sending what arrived when the stream fails. */
  flush(): SequencedPart | undefined {
    return this.held ? this.release() : undefined;
  }

  /**
   * The last message of the sequence, with `count`. An answer of no units still ends with one message that closes
   * the sequence: an empty string or Buffer, or for JSON units no value at all (so Join builds an empty array).
   */
  finish(): SequencedPart {
    if (this.held) {
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
    const unit = this.held as Unit;
    const part: SequencedPart = { value: unit.value, parts: this.withBase({ index: this.nextIndex }) };
    if (unit.label) part.label = unit.label;
    this.nextIndex += 1;
    this.held = undefined;
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
