/**
 * The built-in demo model of the local endpoint server: an anomaly score for sensor readings.
 *
 * For each reading it keeps, per series (a sensor), the running count, mean and variance of the values seen so far
 * (Welford's online algorithm), and answers how far the new reading lies from them: the z-score
 * `(value - mean) / standard deviation`, and `anomaly: true` when its size reaches the threshold (3 by default)
 * once the series has enough history (5 readings by default). The reading is then added to its series.
 *
 * It answers like a model container behind SageMaker: JSON, JSON Lines or CSV in (by Content-Type), JSON, JSON
 * Lines or CSV out (by Accept, else the input's format), a bad input as the container's 400 wrapped in the service's
 * ModelError, an Accept it cannot produce as a 406, an unknown Content-Type as a 415. To the response stream it
 * sends the same bytes it would send to InvokeEndpoint, one part per reading. An async invocation that reaches it
 * (an endpoint without an `async` section, whose jobs would call it as InvokeEndpoint) is accepted and its inline
 * input scored, with no output written.
 */

import type { EndpointHandler, EndpointResult, InvocationRequest, StreamEvent } from '../runtime/types';
import { containerError } from '../runtime/model-error';
import { PRODUCTION_VARIANT, RESPONSE_HEADERS, requestTypes } from '../runtime/wire';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv';

export interface DemoModelOptions {
  /** |z| at or above which a reading is an anomaly; default 3 */
  threshold?: number;
  /** readings a series needs before a reading can be an anomaly; default 5 (at least 2) */
  minHistory?: number;
  /** series kept; the least recently used is forgotten beyond this; default 1000 */
  maxSeries?: number;
  /** the response stream: `parts` (default), the answer's bytes one part per reading; `sse`, server-sent events */
  stream?: 'parts' | 'sse';
}

/** One reading: a value and the series (sensor) it belongs to. */
export interface Reading {
  series: string;
  value: number;
}

/** The model's answer for one reading. Statistics are those of the series before this reading. */
export interface ReadingScore {
  series: string;
  value: number;
  /** readings of this series seen before this one */
  count: number;
  mean: number | null;
  stdDev: number | null;
  /** (value - mean) / stdDev; null while the series has fewer than 2 readings or no spread yet */
  zScore: number | null;
  anomaly: boolean;
}

export type DemoFormat = 'json' | 'jsonlines' | 'csv';

/** The content type of each format: the first is what the model answers with. */
const MEDIA_TYPES: Readonly<Record<DemoFormat, readonly string[]>> = {
  json: ['application/json'],
  jsonlines: ['application/jsonlines', 'application/x-ndjson', 'application/x-jsonlines'],
  csv: ['text/csv'],
};

const DEFAULT_SERIES = 'default';
const MAX_SERIES_NAME = 128;
const CSV_COLUMNS = ['series', 'value', 'count', 'mean', 'stdDev', 'zScore', 'anomaly'] as const;

/** A reading the model cannot take; it answers 400 with this message, as a container would. */
export class DemoInputError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'DemoInputError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------------------------

/** Welford's running count, mean and sum of squared deviations. */
export class RunningStats {
  count = 0;
  mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.count += 1;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
  }

  /** The sample standard deviation; undefined below 2 values. */
  get stdDev(): number | undefined {
    return this.count < 2 ? undefined : Math.sqrt(this.m2 / (this.count - 1));
  }
}

const round = (x: number): number => Number(x.toFixed(6));

/** The scoring state: one RunningStats per series. */
export class AnomalyScorer {
  readonly threshold: number;
  readonly minHistory: number;
  readonly maxSeries: number;
  private readonly series = new Map<string, RunningStats>();

  constructor(options: DemoModelOptions = {}) {
    this.threshold = options.threshold ?? 3;
    this.minHistory = Math.max(2, options.minHistory ?? 5);
    this.maxSeries = options.maxSeries ?? 1000;
    if (!(this.threshold > 0)) throw new RangeError('threshold must be above 0');
    if (!(Number.isInteger(this.maxSeries) && this.maxSeries >= 1)) throw new RangeError('maxSeries must be a whole number, at least 1');
  }

  /** Scores the reading against its series' history, then adds it to that history. */
  score(reading: Reading): ReadingScore {
    let stats = this.series.get(reading.series);
    if (stats) this.series.delete(reading.series); // re-inserted below: the Map's order is least recently used first
    else stats = new RunningStats();
    this.series.set(reading.series, stats);
    while (this.series.size > this.maxSeries) this.series.delete(this.series.keys().next().value as string);

    const sd = stats.stdDev;
    const z = sd === undefined || sd === 0 ? null : (reading.value - stats.mean) / sd;
    const result: ReadingScore = {
      series: reading.series,
      value: reading.value,
      count: stats.count,
      mean: stats.count === 0 ? null : round(stats.mean),
      stdDev: sd === undefined ? null : round(sd),
      zScore: z === null ? null : round(z),
      anomaly: z !== null && stats.count >= this.minHistory && Math.abs(z) >= this.threshold,
    };
    stats.add(reading.value);
    return result;
  }

  /** How many series it keeps. */
  get seriesCount(): number {
    return this.series.size;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------------------------------------

/** The bare media type of a Content-Type or Accept entry: no parameters, lower case. */
function mediaType(value: string): string {
  return value.split(';')[0].trim().toLowerCase();
}

/** The format of a Content-Type, or undefined when the model does not read it. */
function formatOfContentType(contentType: string | undefined): DemoFormat | undefined {
  const type = mediaType(contentType ?? '');
  return (Object.keys(MEDIA_TYPES) as DemoFormat[]).find((f) => MEDIA_TYPES[f].includes(type));
}

/**
 * The format to answer in: the first entry of Accept the model can write; the input's format for an empty Accept
 * or one that takes anything. Undefined when Accept names only types it cannot write.
 */
function formatOfAccept(accept: string | undefined, input: DemoFormat): DemoFormat | undefined {
  if (accept === undefined || accept.trim() === '') return input;
  for (const entry of accept.split(',')) {
    const type = mediaType(entry);
    if (type === '*/*' || type === '') return input;
    if (type === 'application/*' && input !== 'csv') return input;
    if (type === 'text/*') return 'csv';
    const format = formatOfContentType(type);
    if (format) return format;
  }
  return undefined;
}

/**
 * A reading written as a sensor names it: an object with one property, a finite number, other than `series` and
 * `value` (`{"temperature": 21.5}`) is a reading of the series named after the property. Undefined otherwise.
 */
function namedReading(item: object): Reading | undefined {
  const entries = Object.entries(item);
  if (entries.length !== 1) return undefined;
  const [name, value] = entries[0];
  if (name === 'series' || name === 'value' || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (name.length === 0 || name.length > MAX_SERIES_NAME) return undefined;
  return { series: name, value };
}

function readingOf(item: unknown, where: string): Reading {
  if (typeof item === 'number') item = { value: item };
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new DemoInputError(`${where} must be an object like {"series": "pump-1", "value": 21.5} or {"temperature": 21.5}, or a number`);
  }
  const named = namedReading(item);
  if (named) return named;
  const { series = DEFAULT_SERIES, value } = item as { series?: unknown; value?: unknown };
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DemoInputError(`${where}.value must be a finite number (got ${JSON.stringify(value) ?? 'nothing'})`);
  }
  return { series: seriesName(series, `${where}.series`), value };
}

function seriesName(series: unknown, where: string): string {
  if (typeof series !== 'string' || series.length === 0 || series.length > MAX_SERIES_NAME) {
    throw new DemoInputError(`${where} must be a text of 1 to ${MAX_SERIES_NAME} characters`);
  }
  return series;
}

/**
 * The readings of CSV rows `value` or `series,value` (RFC 4180: a quoted series may hold commas, quotes and line
 * breaks), after an optional header row whose last column is `value`. A series is taken as written, spaces and
 * all, as RFC 4180 reads a field; spaces around a value are allowed (Number() ignores them).
 */
function csvReadings(text: string): Reading[] {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new DemoInputError(`the body is not CSV: ${err.message}`);
    throw err;
  }
  const readings: Reading[] = [];
  records.forEach((record, r) => {
    const fields = record.fields;
    const row = `row ${record.line}`;
    if (r === 0 && fields[fields.length - 1].trim().toLowerCase() === 'value') return; // a header row
    if (fields.length > 2) throw new DemoInputError(`${row} has ${fields.length} columns: give value, or series,value`);
    const raw = fields[fields.length - 1];
    const value = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(value)) throw new DemoInputError(`${row}: value must be a finite number (got "${raw}")`);
    readings.push({ series: fields.length === 2 ? seriesName(fields[0], `${row}: series`) : DEFAULT_SERIES, value });
  });
  return readings;
}

/** The readings of a request body, and whether the answer is one object (a single JSON reading) or a list. */
export function parseReadings(body: Buffer, format: DemoFormat): { readings: Reading[]; single: boolean } {
  const text = body.toString('utf8');
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new DemoInputError(`the body is not valid JSON: ${(err as Error).message}`);
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw new DemoInputError('the list of readings is empty');
      return { readings: value.map((item, i) => readingOf(item, `reading[${i}]`)), single: false };
    }
    return { readings: [readingOf(value, 'reading')], single: true };
  }
  // Never readings.push(...many): a spread passes every reading as an argument, past the call stack's limit.
  let readings: Reading[] = [];
  if (format === 'jsonlines') {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new DemoInputError(`line ${i + 1} is not valid JSON: ${(err as Error).message}`);
      }
      readings.push(readingOf(value, `line ${i + 1}`));
    });
  } else {
    readings = csvReadings(text);
  }
  if (readings.length === 0) throw new DemoInputError('the body holds no readings');
  return { readings, single: false };
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The answer's bytes as a list of pieces, one per reading, whose concatenation is the whole answer (a JSON list
 * is cut between its elements, so the pieces joined are still one JSON document).
 */
export function formatScores(scores: ReadingScore[], format: DemoFormat, single: boolean): string[] {
  if (format === 'json') {
    if (single) return [JSON.stringify(scores[0])];
    return scores.map((s, i) => `${i === 0 ? '[' : ','}${JSON.stringify(s)}${i === scores.length - 1 ? ']' : ''}`);
  }
  if (format === 'jsonlines') return scores.map((s) => `${JSON.stringify(s)}\n`);
  return scores.map((s) => `${CSV_COLUMNS.map((c) => csvField(s[c])).join(',')}\n`);
}

/** The CSV answer's columns, in order (the answer has no header row, as SageMaker's algorithms answer CSV). */
export const DEMO_CSV_COLUMNS: readonly string[] = CSV_COLUMNS;

/**
 * The response stream as server-sent events (`text/event-stream`, the `"stream": "sse"` option), as LLM containers
 * stream: one `score` event per reading, its number as id and its score as indented JSON over several `data:`
 * lines (the standard joins them with newlines), then the OpenAI convention's `data: [DONE]`.
 */
export function scoreEvents(scores: ReadingScore[]): StreamEvent[] {
  const events = scores.map((score, i) => {
    const data = JSON.stringify(score, null, 1).split('\n').map((line) => `data: ${line}\n`).join('');
    return { part: `event: score\nid: ${i + 1}\n${data}\n` };
  });
  return [...events, { part: 'data: [DONE]\n\n' }];
}

// ---------------------------------------------------------------------------------------------------------------
// The endpoint handler
// ---------------------------------------------------------------------------------------------------------------

const VARIANT_HEADER = { [RESPONSE_HEADERS.invokedVariant]: PRODUCTION_VARIANT };

/** A new demo model with its own state, as an endpoint handler of the local server. */
export function demoModel(options: DemoModelOptions = {}): EndpointHandler & { scorer: AnomalyScorer } {
  const scorer = new AnomalyScorer(options);

  const handler = (req: InvocationRequest): EndpointResult => {
    const { contentType, accept } = requestTypes(req.operation, req.headers);
    const input = formatOfContentType(contentType ?? 'application/json');

    if (req.operation === 'async') {
      // Accepted whatever it holds, as the service accepts it; a bad input would only show in the failure location.
      if (input && req.body.length > 0) {
        try {
          parseReadings(req.body, input).readings.forEach((r) => scorer.score(r));
        } catch (err) {
          if (!(err instanceof DemoInputError)) throw err;
        }
      }
      return { accepted: true };
    }

    if (!input) {
      return containerError(415, `The demo model reads application/json, application/jsonlines or text/csv, not ${contentType}.`);
    }
    // Server-sent events answer text/event-stream, whatever the Accept.
    const sse = req.operation === 'stream' && options.stream === 'sse';
    const output = sse ? 'json' : formatOfAccept(accept, input);
    if (!output) {
      return containerError(406, `The demo model answers application/json, application/jsonlines or text/csv, not ${accept}.`);
    }
    let parsed: { readings: Reading[]; single: boolean };
    try {
      parsed = parseReadings(req.body, input);
    } catch (err) {
      if (err instanceof DemoInputError) return containerError(err.status, err.message);
      throw err;
    }
    const scores = parsed.readings.map((r) => scorer.score(r));
    if (sse) return { stream: scoreEvents(scores), contentType: 'text/event-stream', headers: VARIANT_HEADER };
    const pieces = formatScores(scores, output, parsed.single);
    const outputType = MEDIA_TYPES[output][0];
    if (req.operation === 'stream') {
      const stream: StreamEvent[] = pieces.map((part) => ({ part }));
      return { stream, contentType: outputType, headers: VARIANT_HEADER };
    }
    return { body: pieces.join(''), contentType: outputType, headers: VARIANT_HEADER };
  };
  return Object.assign(handler, { scorer });
}
