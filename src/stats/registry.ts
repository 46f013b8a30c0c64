/**
 * The figures of every deployed sagemaker-invoke and sagemaker-bidi node of this runtime: a node adds itself when
 * it starts and removes itself when it closes (a redeployed node is a new node: its figures start again). The
 * admin route reads `stats()`; the plugin's one-second timer asks `update()` for what to publish, which is nothing
 * when no figure changed. One registry per runtime: `liveRegistry`, shared by the node files and the plugin file
 * through the module cache. No Node-RED import.
 */
import {
  LIVE_HISTORY_SECONDS,
  LIVE_WINDOW_SECONDS,
  type LastErrorJson,
  type LiveHistory,
  type LiveUpdate,
  type NodeFiguresJson,
  type SeriesJson,
  type StatsJson,
} from '../shared/live';
import { NodeFigures, type Gauges } from './figures';

/** What the list says of a node besides its figures. */
export type NodeInfo = Pick<NodeFiguresJson, 'id' | 'type' | 'name' | 'flow' | 'endpoint' | 'mode'>;

interface Entry {
  info: NodeInfo;
  figures: NodeFigures;
  gauges: () => Gauges;
}

const NO_GAUGES: Gauges = { inFlight: 0, queued: 0, waiting: 0, streams: 0 };

export class LiveRegistry {
  private readonly entries = new Map<string, Entry>();
  /** the figures last published (without `at`), to publish only a change; at first: none deployed */
  private published = JSON.stringify([[], {}]);
  /** the second up to which the history was published */
  private publishedUpTo = -1;

  /** @param clock ms since the epoch */
  constructor(private readonly clock: () => number = Date.now) {}

  /** Adds a node (replacing one with its id); returns the hooks it counts with. */
  add(info: NodeInfo, gauges: () => Gauges = () => NO_GAUGES): NodeFigures {
    const figures = new NodeFigures(this.clock);
    this.entries.set(info.id, { info, figures, gauges });
    return figures;
  }

  /** Removes a node's figures, unless a newer node of the same id has replaced them. */
  remove(id: string, figures: NodeFigures): void {
    if (this.entries.get(id)?.figures === figures) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The figures as of now: the route's JSON. */
  stats(nowMs: number = this.clock()): StatsJson {
    const nodes: NodeFiguresJson[] = [];
    for (const { info, figures, gauges } of this.entries.values()) {
      const g = gauges();
      const w = figures.window(nowMs);
      nodes.push({
        ...info,
        messages: w.messages,
        requests: w.requests,
        latencyMs: w.latencyMs,
        errors: w.errors,
        inFlight: g.inFlight,
        queued: g.queued,
        waiting: g.waiting,
        streams: g.streams,
        batchSizeMean: w.batchSizeMean,
        bytesIn: w.bytesIn,
        bytesOut: w.bytesOut,
      });
    }
    return { at: nowMs, windowSeconds: LIVE_WINDOW_SECONDS, nodes };
  }

  /** The history of the seconds [end - count, end), where `end` is the current second. */
  series(count: number = LIVE_HISTORY_SECONDS, nowMs: number = this.clock()): SeriesJson {
    const end = Math.floor(nowMs / 1000);
    const seconds = Math.max(0, Math.min(count, LIVE_HISTORY_SECONDS));
    const nodes: SeriesJson['nodes'] = {};
    for (const [id, { figures }] of this.entries) nodes[id] = figures.series(end, seconds);
    return { end, seconds, nodes };
  }

  /** Every node's last error within the window. */
  lastErrors(nowMs: number = this.clock()): Record<string, LastErrorJson> {
    const out: Record<string, LastErrorJson> = {};
    for (const [id, { figures }] of this.entries) {
      const last = figures.lastError(nowMs);
      if (last) out[id] = last;
    }
    return out;
  }

  /** The whole history, for a sidebar that opens. */
  history(nowMs: number = this.clock()): LiveHistory {
    return { series: this.series(LIVE_HISTORY_SECONDS, nowMs), lastErrors: this.lastErrors(nowMs) };
  }

  /**
   * What to publish now: the figures and the seconds of history since the last publish, or undefined when nothing
   * changed since then: the same figures and no activity in those seconds (so an idle runtime publishes nothing).
   */
  update(nowMs: number = this.clock()): LiveUpdate | undefined {
    const stats = this.stats(nowMs);
    const lastErrors = this.lastErrors(nowMs);
    const end = Math.floor(nowMs / 1000);
    const since = this.publishedUpTo < 0 ? 1 : end - this.publishedUpTo;
    const series = this.series(since, nowMs);
    const key = JSON.stringify([stats.nodes, lastErrors]);
    if (key === this.published && !active(series)) return undefined;
    this.published = key;
    this.publishedUpTo = end;
    return { ...stats, series, lastErrors };
  }
}

/** Whether any node did anything in these seconds. */
function active(series: SeriesJson): boolean {
  return Object.values(series.nodes).some((n) => n.messages.some((v) => v > 0) || n.errors.some((v) => v > 0));
}

/** The registry of this runtime. */
export const liveRegistry = new LiveRegistry();
