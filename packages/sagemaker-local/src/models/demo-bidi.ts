/**
 * The built-in demo model's bidirectional behaviour: a stream of sensor readings, each scored the moment it
 * arrives (the same anomaly score as InvokeEndpoint's demo, one running history per stream and series).
 *
 * - A UTF8 part holding a number (`21.5`), a reading (`{"value": 21.5, "series": "pump-1"}`) or an array of them is
 *   answered with one UTF8 JSON part per reading: `{index, series, value, score, anomaly, count, mean, stdDev}`
 *   (`score` is the z-score, null until the series has a spread; `index` counts answers from 0 per stream).
 * - PARTIAL parts are joined until the COMPLETE part that ends them (the model, not the service, reassembles).
 * - A BINARY part (or one without a DataType, which the service treats as BINARY) is echoed back as a BINARY part.
 * - Text the model cannot read is answered with `{index, error}`; the stream goes on.
 * - `{"fail": "model"}` ends the stream with a ModelStreamError (ErrorCode "DemoModelFailure"), `{"fail": "internal"}`
 *   with an InternalStreamFailure: for tests of mid-stream failures.
 * - `{"fail": "reset"}` resets the HTTP/2 stream (RST_STREAM INTERNAL_ERROR) without an event.
 * - `delayMs` waits that long before each answer: a slow model, for flow-control tests. A stream's model query
 *   string can set it for that stream alone (`delayMs=50`).
 * - With the model query string `echo=parts`, a UTF8 part is answered with its own text, its index and its
 *   CompletionState instead of a score (each part, PARTIAL ones too), to see exactly what arrived.
 * The output ends when the input ends and every part has been answered.
 */

import type { BidiAnswer, BidiCall, BidiHandler, BidiOutputEvent, InputPart } from '../bidi/bidi-types';
import { AnomalyScorer, type DemoModelOptions } from './demo-model';

export interface DemoBidiOptions extends DemoModelOptions {
  /** milliseconds to wait before each answer; default 0 */
  delayMs?: number;
}

const MAX_SERIES_NAME = 128;

type Answer = BidiOutputEvent | { reading: number; series: string } | { problem: string };

/** What one complete UTF8 text asks of the model. */
export function readText(text: string): Answer[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [{ problem: `not a reading: expected a number or {"value": number, "series"?: text}, got ${JSON.stringify(text.slice(0, 60))}` }];
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const fail = (value as { fail?: unknown }).fail;
    if (fail === 'model') return [{ error: 'ModelStreamError', message: 'The demo model failed on request ({"fail": "model"}).', errorCode: 'DemoModelFailure' }];
    if (fail === 'internal') return [{ error: 'InternalStreamFailure', message: 'The demo stream failed on request ({"fail": "internal"}).' }];
    if (fail === 'reset') return [{ reset: true }];
  }
  const items = Array.isArray(value) ? value : [value];
  return items.map((item): Answer => {
    if (typeof item === 'number' && Number.isFinite(item)) return { reading: item, series: 'default' };
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const { value: v, series } = item as { value?: unknown; series?: unknown };
      if (typeof v !== 'number' || !Number.isFinite(v)) return { problem: 'a reading needs "value", a finite number' };
      if (series !== undefined && (typeof series !== 'string' || series.length === 0 || series.length > MAX_SERIES_NAME)) {
        return { problem: `"series" must be a text of 1 to ${MAX_SERIES_NAME} characters` };
      }
      return { reading: v, series: (series as string | undefined) ?? 'default' };
    }
    return { problem: 'not a reading: expected a number or {"value": number, "series"?: text}' };
  });
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/** A stream's own settings from its model query string: `delayMs=N` (0 to 60000), `echo=parts`. */
export function streamSettings(call: Pick<BidiCall, 'modelQueryString'>, options: DemoBidiOptions): { delayMs: number; echoParts: boolean } {
  const query = new URLSearchParams(call.modelQueryString ?? '');
  const asked = Number(query.get('delayMs'));
  const delayMs = query.has('delayMs') && Number.isFinite(asked) && asked >= 0 ? Math.min(asked, 60000) : options.delayMs ?? 0;
  return { delayMs, echoParts: query.get('echo') === 'parts' };
}

/** echo=parts: each part answered with what arrived, PARTIAL ones included, nothing joined or scored. */
async function* echoParts(call: BidiCall, delayMs: number): AsyncGenerator<BidiOutputEvent> {
  let index = 0;
  for await (const part of call.input) {
    if (delayMs > 0) await sleep(delayMs, call.signal);
    if (call.signal.aborted) return;
    const text = part.dataType === 'UTF8' ? { text: part.bytes.toString('utf8') } : {};
    yield utf8({ index: index++, dataType: part.dataType ?? null, completionState: part.completionState ?? null, bytes: part.bytes.length, ...text });
  }
}

/** The stream's answers, one complete part (or joined PARTIAL parts) at a time. */
async function* answerStream(call: BidiCall, options: DemoBidiOptions): AsyncGenerator<BidiOutputEvent> {
  const settings = streamSettings(call, options);
  if (settings.echoParts) {
    yield* echoParts(call, settings.delayMs);
    return;
  }
  const scorer = new AnomalyScorer(options);
  let index = 0;
  let pending: InputPart[] = [];
  const delay = settings.delayMs;
  const answers = (whole: InputPart): Answer[] =>
    whole.dataType === 'UTF8' ? readText(whole.bytes.toString('utf8')) : [{ part: whole.bytes, dataType: 'BINARY', completionState: 'COMPLETE' }];
  const flush = function* (whole: InputPart): Generator<BidiOutputEvent, boolean> {
    for (const answer of answers(whole)) {
      if ('error' in answer || 'reset' in answer) {
        yield answer;
        return false;
      }
      if ('part' in answer) yield { ...answer };
      else if ('problem' in answer) yield utf8({ index, error: answer.problem });
      else {
        const s = scorer.score({ series: answer.series, value: answer.reading });
        yield utf8({ index, series: s.series, value: s.value, score: s.zScore, anomaly: s.anomaly, count: s.count, mean: s.mean, stdDev: s.stdDev });
      }
      index++;
    }
    return true;
  };
  for await (const part of call.input) {
    if (part.completionState === 'PARTIAL') {
      pending.push(part);
      continue;
    }
    const whole = pending.length === 0 ? part : { ...part, bytes: Buffer.concat([...pending.map((p) => p.bytes), part.bytes]) };
    pending = [];
    if (delay > 0) await sleep(delay, call.signal);
    if (call.signal.aborted) return;
    if (!(yield* flush(whole))) return;
  }
  // Input ended inside a PARTIAL run: answer what came, as if the last part had completed it.
  if (pending.length > 0) yield* flush({ ...pending[0], bytes: Buffer.concat(pending.map((p) => p.bytes)) });
}

function utf8(value: unknown): BidiOutputEvent {
  return { part: JSON.stringify(value), dataType: 'UTF8', completionState: 'COMPLETE' };
}

/** The demo model as a bidirectional endpoint handler. */
export function demoBidi(options: DemoBidiOptions = {}): BidiHandler {
  // Fail at set-up on a bad threshold, as demoModel does.
  new AnomalyScorer(options);
  return (call: BidiCall): BidiAnswer => ({ output: answerStream(call, options) });
}
