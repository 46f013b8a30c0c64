/**
 * Micro-batching for the invoke node: many messages in one InvokeEndpoint request, one result back per message.
 *
 * - `encodeRow` turns one message's input into its piece of a batch body (a CSV row, or a JSON document);
 * - `Batcher` gathers the pieces of messages that make the same request into open batches, and hands a batch on
 *   when it is full, when its window ends, or before the next piece would take it over the body limit;
 * - `splitAnswer` cuts the model's answer into one result per message, or says why it cannot.
 * No Node-RED import: the node adapter sends, fails and counts.
 */
import { BATCH_ANSWER_KEYS, type BatchFormat, type OutputMode } from '../shared/names';
import { MAX_BODY_BYTES } from '../shared/rules';
import { toJson } from './body';
import { decodeText, isJsonLinesType, isJsonType } from './response';
import { mediaType } from '../shared/media-type';
import { FlowError } from '../shared/flow-error';

/** How one batch body is framed: what comes before the pieces, between two of them, and after them. */
export interface Framing {
  open: Buffer;
  separator: Buffer;
  close: Buffer;
}

const NEWLINE = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);

export function framing(format: BatchFormat, batchKey: string): Framing {
  switch (format) {
    case 'csv':
    case 'jsonlines':
      return { open: EMPTY, separator: NEWLINE, close: EMPTY };
    case 'json':
      return {
        open: Buffer.from(batchKey ? `{${JSON.stringify(batchKey)}:[` : '['),
        separator: Buffer.from(','),
        close: Buffer.from(batchKey ? ']}' : ']'),
      };
  }
}

/** The body of a batch: its pieces in order, framed. */
export function assemble(frame: Framing, pieces: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [frame.open];
  pieces.forEach((piece, i) => {
    if (i > 0) parts.push(frame.separator);
    parts.push(piece);
  });
  parts.push(frame.close);
  return Buffer.concat(parts);
}

/** Throws `bodyTooLarge` when a message's piece alone, framed, is over the body limit: it cannot go in any batch. */
export function checkPiece(frame: Framing, piece: Buffer, property: string, maxBytes = MAX_BODY_BYTES): void {
  const alone = frame.open.length + piece.length + frame.close.length;
  if (alone > maxBytes) throw new FlowError('bodyTooLarge', { property, size: alone, limit: maxBytes });
}

/** A CSV field that needs quoting (RFC 4180): it holds a comma, a double quote, or a line break. */
const NEEDS_QUOTES = /[",\r\n]/;

/** The FlowError for an input a batch cannot hold, with the reason in words. */
function refused(property: string, format: BatchFormat, reason: string): FlowError {
  return new FlowError('batchInput', { property, format, reason });
}

/** One field of a CSV row: a number, string, boolean or null (an empty field); anything else is refused. */
function csvField(value: unknown, index: number, property: string): string {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  switch (kind) {
    case 'string': {
      const text = value as string;
      return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    }
    case 'number':
      if (!Number.isFinite(value)) throw refused(property, 'csv', `element ${index} is ${String(value)}, which a CSV row cannot hold`);
      return String(value);
    case 'boolean':
      return String(value);
    case 'null':
    case 'undefined':
      return '';
    default:
      throw refused(property, 'csv', `element ${index} is ${kind === 'array' || kind === 'object' ? `an ${kind}` : `a ${kind}`}; a row holds numbers, strings, booleans and nulls`);
  }
}

/** One message's input as one CSV row, without its newline. */
function csvRow(value: unknown, property: string): string {
  if (typeof value === 'string') {
    if (/[\r\n]/.test(value)) {
      throw refused(property, 'csv', 'the string holds a line break, and one message is one row (give an array to have a field quoted)');
    }
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return csvField(value, 0, property);
  if (Array.isArray(value)) {
    if (value.length === 0) throw refused(property, 'csv', 'the array is empty');
    return value.map((field, i) => csvField(field, i, property)).join(',');
  }
  const what = typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  throw refused(property, 'csv', `it is ${what}; give a string (one row) or an array of numbers and strings`);
}

/**
 * One message's piece of a batch body: for `csv` its row, for `json` and `jsonlines` its JSON document. Bytes are
 * refused (a batch body is text), and so is anything else the format cannot hold, with a FlowError naming the
 * property and the reason.
 */
export function encodeRow(format: BatchFormat, value: unknown, property: string): Buffer {
  if (value === undefined || value === null) throw new FlowError('missingBody', { property });
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) throw refused(property, format, 'it is binary (a Buffer); a batch body is text');
  return Buffer.from(format === 'csv' ? csvRow(value, property) : toJson(value, property), 'utf8');
}

/** The SDK input members that decide whether two messages may share a request: every one but the body. */
export type RequestFields = Record<string, string | number | undefined>;

/** One key per distinct request: messages with equal keys make the same request and may share a batch. */
export function groupKey(fields: RequestFields): string {
  let key = '';
  for (const member of Object.keys(fields).sort()) {
    const value = fields[member];
    if (member !== 'Body' && value !== undefined) key += `${member}\u0000${String(value)}\u0000`;
  }
  return key;
}

/** A batch ready to send: the request fields its messages share, the messages, and the body. */
export interface ReadyBatch<T> {
  fields: RequestFields;
  items: T[];
  body: Buffer;
}

interface OpenBatch<T> {
  fields: RequestFields;
  items: T[];
  pieces: Buffer[];
  /** the body's size with the pieces so far */
  bytes: number;
  timer?: ReturnType<typeof setTimeout>;
}

export interface BatcherOptions {
  /** most messages in one batch */
  size: number;
  /** milliseconds the first message of a batch waits for the batch to fill */
  windowMs: number;
  format: BatchFormat;
  batchKey: string;
  /** the request body limit (SageMaker's 6 MB) */
  maxBytes?: number;
}

/**
 * Open batches, one per request key. `add` puts a message's piece into the batch of its key; a batch is handed to
 * `ready` (synchronously, from `add` or from its window's timer) when it holds `size` messages, when `windowMs`
 * have passed since its first message, or just before a piece would take its body over `maxBytes` (that piece
 * then starts the next batch).
 */
export class Batcher<T> {
  private readonly open = new Map<string, OpenBatch<T>>();
  private readonly frame: Framing;
  private readonly maxBytes: number;

  constructor(
    private readonly options: BatcherOptions,
    private readonly ready: (batch: ReadyBatch<T>) => void,
  ) {
    this.frame = framing(options.format, options.batchKey);
    this.maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  }

  /** A batch of this message alone, to send at once (a message in a session is never batched with others). */
  single(fields: RequestFields, item: T, piece: Buffer, property: string): ReadyBatch<T> {
    this.checkAlone(piece, property);
    return { fields, items: [item], body: assemble(this.frame, [piece]) };
  }

  /**
   * Adds a message. Throws `bodyTooLarge` (and keeps nothing) when its piece alone, framed, is over the limit.
   * @param property the input's msg property, for that error
   */
  add(key: string, fields: RequestFields, item: T, piece: Buffer, property: string): void {
    this.checkAlone(piece, property);
    let batch = this.open.get(key);
    if (batch && batch.bytes + this.frame.separator.length + piece.length > this.maxBytes) {
      this.flush(key, batch);
      batch = undefined;
    }
    if (!batch) {
      batch = { fields, items: [], pieces: [], bytes: this.frame.open.length + this.frame.close.length };
      this.open.set(key, batch);
      const opened = batch;
      opened.timer = setTimeout(() => {
        if (this.open.get(key) === opened) this.flush(key, opened);
      }, this.options.windowMs);
    } else batch.bytes += this.frame.separator.length;
    batch.items.push(item);
    batch.pieces.push(piece);
    batch.bytes += piece.length;
    if (batch.items.length >= this.options.size) this.flush(key, batch);
  }

  /** Takes every open batch out (oldest first) without sending it, and stops their timers: for closing. */
  drain(): T[][] {
    const all = [...this.open.values()];
    this.open.clear();
    for (const batch of all) clearTimeout(batch.timer);
    return all.map((b) => b.items);
  }

  private checkAlone(piece: Buffer, property: string): void {
    checkPiece(this.frame, piece, property, this.maxBytes);
  }

  private flush(key: string, batch: OpenBatch<T>): void {
    clearTimeout(batch.timer);
    this.open.delete(key);
    this.ready({ fields: batch.fields, items: batch.items, body: assemble(this.frame, batch.pieces) });
  }
}

/** How an answer is cut: one JSON document holding an array, one JSON document per line, or one string per line. */
export type AnswerForm = 'json' | 'jsonlines' | 'lines';

/**
 * How the answer to a batch is cut, from the node's `output` and the answer's content type:
 * a JSON answer holds an array; a JSON Lines answer (or, with `output` json, any other answer) has one JSON
 * document per line; with `output` text, or for a text answer such as text/csv, each line is a string. An answer
 * without a known content type is read the way the batch was written.
 */
export function answerForm(output: OutputMode, contentType: string | undefined, format: BatchFormat): AnswerForm {
  if (output === 'text') return 'lines';
  if (isJsonType(contentType)) return 'json';
  if (isJsonLinesType(contentType) || output === 'json') return 'jsonlines';
  if (mediaType(contentType).startsWith('text/')) return 'lines';
  return format === 'csv' ? 'lines' : format;
}

/** The lines of a text answer, without line ends; blank lines at the end (a final newline) are not results. */
function lines(text: string): string[] {
  const all = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (all.length > 0 && all[all.length - 1].trim() === '') all.pop();
  return all;
}

/** The array of results in a JSON answer: the answer itself, or the first array under batchKey, predictions, outputs. */
function resultArray(answer: unknown, batchKey: string): unknown[] {
  if (Array.isArray(answer)) return answer;
  const keys = [...(batchKey ? [batchKey] : []), ...BATCH_ANSWER_KEYS];
  if (answer !== null && typeof answer === 'object') {
    for (const key of keys) {
      const value = (answer as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value;
    }
  }
  throw new FlowError('batchNoArray', { keys: keys.join(', ') });
}

export interface AnswerSettings {
  output: OutputMode;
  format: BatchFormat;
  batchKey: string;
}

/**
 * Cuts the answer to a batch of `count` messages into one result per message, in order. Throws a FlowError when it
 * cannot: `badJson` or `batchBadLine` (does not parse), `batchNoArray`, or `batchCountMismatch` (not one result per
 * message).
 */
export function splitAnswer(body: Uint8Array | undefined, contentType: string | undefined, count: number, settings: AnswerSettings): unknown[] {
  const text = decodeText(body ?? new Uint8Array(0), contentType);
  let results: unknown[];
  switch (answerForm(settings.output, contentType, settings.format)) {
    case 'json': {
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch (err) {
        throw new FlowError('badJson', { contentType: contentType ?? '', reason: (err as Error).message });
      }
      results = resultArray(answer, settings.batchKey);
      break;
    }
    case 'jsonlines':
      results = [];
      lines(text).forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          results.push(JSON.parse(line));
        } catch (err) {
          throw new FlowError('batchBadLine', { line: i + 1, reason: (err as Error).message });
        }
      });
      break;
    case 'lines':
      results = lines(text);
      // Older XGBoost containers answer a CSV batch as one line of comma-separated scores, one per row.
      if (results.length === 1 && count > 1 && !text.includes('"')) {
        const fields = (results[0] as string).split(',').map((f) => f.trim());
        if (fields.length === count) results = fields;
      }
      break;
  }
  if (results.length !== count) throw new FlowError('batchCountMismatch', { inputs: count, results: results.length });
  return results;
}
