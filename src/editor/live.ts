/**
 * The thinking of the editor's "SageMaker" sidebar tab (nodes/sagemaker-live.html draws it): the charts' history
 * kept by the second from what the runtime publishes, the charts' SVG paths, and a node's figures in words.
 * Bundled by scripts/build-editor.js into resources/sagemaker-live.js as `window.SageMakerLive`. No DOM here.
 */
import * as live from '../shared/live';
import type { NodeFiguresJson, SeriesJson } from '../shared/live';

const H = live.LIVE_HISTORY_SECONDS;

/** The four values the charts draw, one per second, oldest first. */
export interface ChartData {
  messages: number[];
  errors: number[];
  p50: number[];
  p99: number[];
}

interface NodeHistory {
  stamp: Float64Array;
  messages: Float64Array;
  errors: Float64Array;
  p50: Float64Array;
  p99: Float64Array;
}

/** The last 15 minutes of every node, by the second; what the runtime publishes is merged in as it comes. */
export class History {
  private readonly nodes = new Map<string, NodeHistory>();

  /** Merges a series (the whole history on opening, a second or so on each update). */
  apply(series: SeriesJson): void {
    for (const [id, s] of Object.entries(series.nodes)) {
      let n = this.nodes.get(id);
      if (!n) {
        n = { stamp: new Float64Array(H).fill(-1), messages: new Float64Array(H), errors: new Float64Array(H), p50: new Float64Array(H), p99: new Float64Array(H) };
        this.nodes.set(id, n);
      }
      const first = series.end - s.messages.length;
      for (let i = 0; i < s.messages.length; i++) {
        const second = first + i;
        const h = ((second % H) + H) % H;
        n.stamp[h] = second;
        n.messages[h] = s.messages[i];
        n.errors[h] = s.errors[i];
        n.p50[h] = s.p50[i];
        n.p99[h] = s.p99[i];
      }
    }
  }

  /** Forgets the nodes that are no longer deployed. */
  keep(ids: readonly string[]): void {
    for (const id of [...this.nodes.keys()]) if (!ids.includes(id)) this.nodes.delete(id);
  }

  /**
   * The charts' data for the seconds [end - H, end): one node's, or, with no id, every node's: messages and errors
   * summed, the latencies the highest of any node.
   */
  chart(end: number, id?: string): ChartData {
    const out: ChartData = { messages: [], errors: [], p50: [], p99: [] };
    const nodes = id === undefined ? [...this.nodes.values()] : [this.nodes.get(id)].filter((n): n is NodeHistory => n !== undefined);
    for (let second = end - H; second < end; second++) {
      const h = ((second % H) + H) % H;
      let messages = 0;
      let errors = 0;
      let p50 = 0;
      let p99 = 0;
      for (const n of nodes) {
        if (n.stamp[h] !== second) continue;
        messages += n.messages[h];
        errors += n.errors[h];
        p50 = Math.max(p50, n.p50[h]);
        p99 = Math.max(p99, n.p99[h]);
      }
      out.messages.push(messages);
      out.errors.push(errors);
      out.p50.push(p50);
      out.p99.push(p99);
    }
    return out;
  }
}

/** A round top for a chart's scale: 1, 2 or 5 times a power of ten, at least `value` (and at least 1). */
export function niceMax(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** An SVG path of a line through `values` (oldest at the left) in a width x height box scaled to `max`. */
export function linePath(values: readonly number[], width: number, height: number, max: number): string {
  if (values.length === 0) return '';
  const dx = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number): number => Math.round((height - (Math.min(v, max) / max) * height) * 10) / 10;
  return values.map((v, i) => `${i === 0 ? 'M' : 'L'}${Math.round(i * dx * 10) / 10},${y(v)}`).join('');
}

/** An SVG path of the area under `values`, closed along the bottom. */
export function areaPath(values: readonly number[], width: number, height: number, max: number): string {
  if (values.length === 0) return '';
  return `${linePath(values, width, height, max)}L${width},${height}L0,${height}Z`;
}

/** Milliseconds in words: "850 ms", "1.2 s", "2.5 min". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}

/** A node's figures in words, as a row shows them. */
export function describe(n: NodeFiguresJson): { rate: string; latency: string; backlog: string; errors: string; errorCount: number } {
  // Below one a second, the minute's count says more than "0.0 msg/s".
  const perSecond = n.messages / live.LIVE_WINDOW_SECONDS;
  const rate = perSecond >= 1 ? `${perSecond >= 10 ? Math.round(perSecond) : perSecond.toFixed(1)} msg/s` : `${n.messages} msg/min`;
  const latency = n.requests > 0 || n.latencyMs.max > 0 ? `p50 ${formatMs(n.latencyMs.p50)} · p99 ${formatMs(n.latencyMs.p99)}` : 'no requests';
  const backlog: string[] = [];
  if (n.mode === 'bidi') backlog.push(`${n.streams} ${n.streams === 1 ? 'stream' : 'streams'} open`);
  else backlog.push(`${n.inFlight} in flight`);
  if (n.queued > 0) backlog.push(`${n.queued} queued`);
  if (n.mode === 'async') backlog.push(`${n.waiting} waiting`);
  if (n.batchSizeMean > 0) backlog.push(`batch ${n.batchSizeMean}`);
  const names = Object.entries(n.errors).sort((a, b) => b[1] - a[1]);
  return {
    rate,
    latency,
    backlog: backlog.join(' · '),
    errors: names.map(([name, count]) => `${name} ×${count}`).join(', '),
    errorCount: names.reduce((sum, [, count]) => sum + count, 0),
  };
}

const api = { names: live, History, niceMax, linePath, areaPath, formatMs, describe };

(globalThis as unknown as { SageMakerLive: typeof api }).SageMakerLive = api;
