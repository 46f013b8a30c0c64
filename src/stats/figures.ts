/**
 * One node's figures, in fixed-size rings indexed by the second: counts for each of the last 900 seconds (the
 * charts' history and the 60-second window), a latency histogram and the error counts by name for each of the last
 * 60. Nothing is kept per message: memory is the same after ten messages or a billion. A hook costs a clock read and
 * a few additions. No Node-RED import.
 */
import { LIVE_HISTORY_SECONDS, LIVE_WINDOW_SECONDS, type LastErrorJson, type LatencyJson, type NodeSeriesJson } from '../shared/live';
import { BUCKETS, bucketOf, quantile } from './histogram';

const H = LIVE_HISTORY_SECONDS;
const W = LIVE_WINDOW_SECONDS;
/** Error names kept apart at most; more (which the README's list never reaches) count as UnknownError. */
const MAX_NAMES = 64;

/** What a node counts at a moment, read when the figures are taken. */
export interface Gauges {
  inFlight: number;
  queued: number;
  waiting: number;
  streams: number;
}

/** The window's figures of one node (the route's JSON but the node's own description and gauges). */
export interface WindowFigures {
  messages: number;
  requests: number;
  latencyMs: LatencyJson;
  errors: Record<string, number>;
  batchSizeMean: number;
  bytesIn: number;
  bytesOut: number;
}

/** The hooks a node calls as its work goes: each counts into the current second. */
export interface FigureHooks {
  /** a request to SageMaker was made (a batch is one; the SDK's retries are not), with its body's size */
  request(bytesOut?: number): void;
  /** request bytes sent that are not a request of their own (a bidi stream's parts) */
  sent(bytes: number): void;
  /** answer bytes read from SageMaker */
  received(bytes: number): void;
  /** a request's latency, from sending to the whole answer */
  latency(ms: number): void;
  /** a batch of `size` messages went as one request */
  batch(size: number): void;
  /** a message ended: answered, or failed with the error `name` (its message already redacted) */
  ended(name?: string, message?: string): void;
  /** an error that ended no message (a bidi stream that broke after its messages were done) */
  failed(name: string, message: string): void;
}

export class NodeFigures implements FigureHooks {
  private readonly stamp = new Float64Array(H).fill(-1);
  private readonly messages = new Float64Array(H);
  private readonly errorCount = new Float64Array(H);
  private readonly requests = new Float64Array(H);
  private readonly batches = new Float64Array(H);
  private readonly batched = new Float64Array(H);
  private readonly bytesIn = new Float64Array(H);
  private readonly bytesOut = new Float64Array(H);
  private readonly maxMs = new Float64Array(H);
  private readonly p50 = new Float64Array(H);
  private readonly p99 = new Float64Array(H);
  private readonly windowStamp = new Float64Array(W).fill(-1);
  private readonly histogram = new Uint32Array(W * BUCKETS);
  private readonly byName = new Map<string, Uint32Array>();
  private readonly merged = new Uint32Array(BUCKETS);
  private current = -1;
  private last: LastErrorJson | undefined;

  /** @param clock ms since the epoch (Date.now; tests pass their own) */
  constructor(private readonly clock: () => number = Date.now) {}

  request(bytesOut = 0): void {
    const h = this.slot();
    this.requests[h] += 1;
    this.bytesOut[h] += bytesOut;
  }

  sent(bytes: number): void {
    this.bytesOut[this.slot()] += bytes;
  }

  received(bytes: number): void {
    this.bytesIn[this.slot()] += bytes;
  }

  latency(ms: number): void {
    const h = this.slot();
    this.histogram[(this.current % W) * BUCKETS + bucketOf(ms)] += 1;
    if (ms > this.maxMs[h]) this.maxMs[h] = ms;
  }

  batch(size: number): void {
    const h = this.slot();
    this.batches[h] += 1;
    this.batched[h] += size;
  }

  ended(name?: string, message?: string): void {
    this.messages[this.slot()] += 1;
    if (name !== undefined) this.failed(name, message ?? '');
  }

  failed(name: string, message: string): void {
    const h = this.slot();
    this.errorCount[h] += 1;
    let counts = this.byName.get(name);
    if (!counts) {
      if (this.byName.size >= MAX_NAMES) return this.failed('UnknownError', message);
      counts = new Uint32Array(W);
      this.byName.set(name, counts);
    }
    counts[this.current % W] += 1;
    this.last = { name, message, at: this.clock() };
  }

  /** The figures of the last LIVE_WINDOW_SECONDS (the current second included) at `nowMs`. */
  window(nowMs: number = this.clock()): WindowFigures {
    const now = this.advance(Math.floor(nowMs / 1000));
    const merged = this.merged.fill(0);
    const sums = { messages: 0, requests: 0, batches: 0, batched: 0, bytesIn: 0, bytesOut: 0, max: 0 };
    const errors: Record<string, number> = {};
    for (let s = now - W + 1; s <= now; s++) {
      const h = s % H;
      if (s < 0 || this.stamp[h] !== s) continue;
      sums.messages += this.messages[h];
      sums.requests += this.requests[h];
      sums.batches += this.batches[h];
      sums.batched += this.batched[h];
      sums.bytesIn += this.bytesIn[h];
      sums.bytesOut += this.bytesOut[h];
      if (this.maxMs[h] > sums.max) sums.max = this.maxMs[h];
      const w = s % W;
      if (this.windowStamp[w] !== s) continue;
      for (let b = 0; b < BUCKETS; b++) merged[b] += this.histogram[w * BUCKETS + b];
      for (const [name, counts] of this.byName) if (counts[w] > 0) errors[name] = (errors[name] ?? 0) + counts[w];
    }
    // A bucket's middle may lie above the longest latency in it: no quantile is over the max.
    const q = (p: number): number => Math.round(Math.min(quantile(merged, p), sums.max) * 10) / 10;
    return {
      messages: sums.messages,
      requests: sums.requests,
      latencyMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: Math.round(sums.max * 10) / 10 },
      errors,
      batchSizeMean: sums.batches > 0 ? Math.round((sums.batched / sums.batches) * 10) / 10 : 0,
      bytesIn: sums.bytesIn,
      bytesOut: sums.bytesOut,
    };
  }

  /** The last error, when it happened within the window. */
  lastError(nowMs: number = this.clock()): LastErrorJson | undefined {
    return this.last && nowMs - this.last.at < W * 1000 ? this.last : undefined;
  }

  /** One value a second for the seconds [end - count, end) (seconds since the epoch; 0 where nothing happened). */
  series(end: number, count: number): NodeSeriesJson {
    this.advance(Math.floor(this.clock() / 1000));
    const out: NodeSeriesJson = { messages: [], errors: [], p50: [], p99: [] };
    for (let s = end - Math.min(count, H); s < end; s++) {
      const h = s % H;
      const known = s >= 0 && s < this.current && this.stamp[h] === s;
      out.messages.push(known ? this.messages[h] : 0);
      out.errors.push(known ? this.errorCount[h] : 0);
      out.p50.push(known ? Math.round(this.p50[h] * 10) / 10 : 0);
      out.p99.push(known ? Math.round(this.p99[h] * 10) / 10 : 0);
    }
    return out;
  }

  /** The history slot of the current second, made ready. */
  private slot(): number {
    return this.advance(Math.floor(this.clock() / 1000)) % H;
  }

  /**
   * Moves to `second`: the second that ends gets its p50 and p99 from its histogram, and the new second's slots,
   * which held the second 900 (or 60) seconds ago, start at 0. A clock going back stays in the current second.
   */
  private advance(second: number): number {
    if (second <= this.current) return this.current;
    if (this.current >= 0) this.closeSecond(this.current);
    this.current = second;
    const h = second % H;
    this.stamp[h] = second;
    this.messages[h] = this.errorCount[h] = this.requests[h] = this.batches[h] = this.batched[h] = 0;
    this.bytesIn[h] = this.bytesOut[h] = this.maxMs[h] = this.p50[h] = this.p99[h] = 0;
    const w = second % W;
    this.windowStamp[w] = second;
    this.histogram.fill(0, w * BUCKETS, (w + 1) * BUCKETS);
    for (const counts of this.byName.values()) counts[w] = 0;
    return second;
  }

  private closeSecond(second: number): void {
    const h = second % H;
    const w = second % W;
    if (this.stamp[h] !== second || this.windowStamp[w] !== second) return;
    this.p50[h] = quantile(this.histogram, 0.5, w * BUCKETS);
    this.p99[h] = quantile(this.histogram, 0.99, w * BUCKETS);
  }
}
