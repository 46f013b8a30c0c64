/**
 * The public names of the live view (issue 22): the editor plugin and its sidebar tab, the admin route and the
 * comms topic, and the JSON of the figures. The runtime (src/stats, src/nodes/sagemaker-live.ts) and the editor
 * (src/editor/live.ts) both take them from here. No Node-RED import: this also runs in the browser.
 */

/** The editor plugin's id, and its sidebar tab's id. */
export const LIVE_PLUGIN_ID = 'sagemaker-live';
/** The plugin's type (RED.plugins.getPluginsByType). */
export const LIVE_PLUGIN_TYPE = 'sagemaker-live';
/** GET: the figures (StatsJson), relative to Node-RED's admin root. */
export const LIVE_ROUTE = 'sagemaker-runtime/stats';
/** GET: the per-second history the sidebar's charts draw (SeriesJson), relative to the admin root. */
export const LIVE_SERIES_ROUTE = 'sagemaker-runtime/stats/series';
/** The RED.comms topic the figures are published on (not retained), at most once a second and only when changed. */
export const LIVE_TOPIC = 'sagemaker-runtime/stats';
/** The permission both routes need: the config node's read permission, which Node-RED's `read` grants. */
export const LIVE_PERMISSION = 'sagemaker-config.read';
/** The window the figures are taken over. */
export const LIVE_WINDOW_SECONDS = 60;
/** The history the charts show, at one point a second. */
export const LIVE_HISTORY_SECONDS = 900;

export type LiveMode = 'invoke' | 'stream' | 'async' | 'bidi';

export interface LatencyJson {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One deployed sagemaker-invoke or sagemaker-bidi node's figures (the JSON of the route; every field always there). */
export interface NodeFiguresJson {
  id: string;
  type: string;
  name: string;
  /** the id of the flow (tab or subflow) holding the node */
  flow: string;
  endpoint: string;
  mode: LiveMode;
  messages: number;
  requests: number;
  latencyMs: LatencyJson;
  errors: Record<string, number>;
  inFlight: number;
  queued: number;
  waiting: number;
  streams: number;
  batchSizeMean: number;
  bytesIn: number;
  bytesOut: number;
}

export interface StatsJson {
  /** ms since the epoch: when the figures were taken */
  at: number;
  windowSeconds: number;
  nodes: NodeFiguresJson[];
}

/** One node's history: one value per second, oldest first, the last for the second before `end`. */
export interface NodeSeriesJson {
  messages: number[];
  errors: number[];
  p50: number[];
  p99: number[];
}

/** The charts' history: per node, the seconds [end - seconds, end) (seconds since the epoch). */
export interface SeriesJson {
  end: number;
  seconds: number;
  nodes: Record<string, NodeSeriesJson>;
}

/**
 * What the runtime publishes on LIVE_TOPIC: the figures, the history's seconds since the last publish, and each
 * node's last error in the window (for the sidebar's hover; not part of the route's JSON).
 */
export interface LiveUpdate extends StatsJson {
  series: SeriesJson;
  lastErrors: Record<string, LastErrorJson>;
}

/** What LIVE_SERIES_ROUTE answers: the whole history, and each node's last error in the window. */
export interface LiveHistory {
  series: SeriesJson;
  lastErrors: Record<string, LastErrorJson>;
}

/** The last error of a node, for the sidebar's hover (its message redacted as every error is). */
export interface LastErrorJson {
  name: string;
  message: string;
  at: number;
}
