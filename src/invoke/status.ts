/**
 * The invoke node's status: the last error for a few seconds, else what the dispatcher holds (requests or batches in
 * flight, messages queued, a batch's mean size), at most a few updates a second however many messages pass (each
 * update is a message to every open editor). No Node-RED import: the node hands in `show` and its words.
 */
import type { FlowErrorParams } from '../shared/flow-error';
import { StatusThrottle } from './status-throttle';
import type { HoldCounts } from './hold';

/** How long the last error stays in the status when nothing else is happening. */
export const ERROR_STATUS_MS = 5000;

/** The status changes at most this often (plus once after the last change). */
export const STATUS_INTERVAL_MS = 250;

/** Node-RED's status object. */
export interface StatusLike {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** What the dispatcher holds (see Dispatcher.counts). */
export interface StatusCounts {
  inFlight: number;
  queued: number;
  /** batches sent so far and their messages, when the node batches */
  batches?: { sent: number; messages: number };
  /** mode async, asyncResult wait: messages waiting for their result in S3 */
  waiting?: number;
  /** onUnreachable hold, while SageMaker cannot be reached: messages held and the next probe */
  offline?: HoldCounts;
}

export interface StatusOptions {
  show(status: StatusLike): void;
  /** the locale's words for a `status.` key */
  words(key: string, params?: FlowErrorParams): string;
  counts(): StatusCounts;
  /** the node's settings are wrong: that is all the status says */
  notConfigured?: boolean;
  clock?: () => number;
}

export class NodeStatus {
  private lastError: { short: string; until: number } | undefined;
  private errorTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly throttle: StatusThrottle;
  private readonly now: () => number;

  constructor(private readonly options: StatusOptions) {
    this.now = options.clock ?? Date.now;
    this.throttle = new StatusThrottle(STATUS_INTERVAL_MS, () => this.render(), this.now);
    this.render();
  }

  /** Asks for an update (throttled). */
  update(): void {
    if (!this.closed) this.throttle.request();
  }

  /** Shows a failure for ERROR_STATUS_MS. One timer, however many errors. */
  error(short: string): void {
    this.lastError = { short, until: this.now() + ERROR_STATUS_MS };
    if (!this.errorTimer && !this.closed) this.errorTimer = setTimeout(() => this.expire(), ERROR_STATUS_MS);
    this.update();
  }

  /** Stops every timer; `clear` also empties the status. */
  close(clear = false): void {
    this.closed = true;
    this.throttle.cancel();
    if (this.errorTimer) clearTimeout(this.errorTimer);
    this.errorTimer = undefined;
    if (clear) this.options.show({});
  }

  /** What the status says now. */
  text(): StatusLike {
    const { words } = this.options;
    if (this.options.notConfigured) return { fill: 'red', shape: 'ring', text: words('notConfigured') };
    const { inFlight: count, queued, batches, waiting, offline } = this.options.counts();
    if (offline) {
      const seconds = Math.ceil(offline.nextTryMs / 1000);
      const text = seconds > 0 ? words('offline', { held: offline.held, seconds }) : words('offlineTrying', { held: offline.held });
      return { fill: 'yellow', shape: 'ring', text };
    }
    if (this.lastError && this.lastError.until > this.now()) {
      return { fill: 'red', shape: 'ring', text: words(count ? 'errorBusy' : 'error', { code: this.lastError.short, count }) };
    }
    if (batches) return this.batchText(count, queued, batches);
    if (queued) return { fill: 'yellow', shape: 'dot', text: words('queued', { count, queued }) };
    if (waiting) return { fill: 'blue', shape: 'ring', text: count ? words('waitingBusy', { count, waiting }) : words('waiting', { count: waiting }) };
    if (count) return { fill: 'blue', shape: 'dot', text: words('requesting', { count }) };
    return {};
  }

  /**
   * With batching: batches in flight and their mean size, messages waiting. A batch in flight means one was sent, so
   * the mean is known whenever it is shown; messages that wait while none is in flight are filling a batch.
   */
  private batchText(count: number, queued: number, batches: { sent: number; messages: number }): StatusLike {
    const { words } = this.options;
    const mean = (batches.messages / Math.max(1, batches.sent)).toFixed(1);
    if (!count) return queued ? { fill: 'yellow', shape: 'dot', text: words('batchFilling', { queued }) } : {};
    if (queued) return { fill: 'yellow', shape: 'dot', text: words('batchesQueued', { count, queued, mean }) };
    return { fill: 'blue', shape: 'dot', text: words('batches', { count, mean }) };
  }

  private render(): void {
    this.options.show(this.text());
  }

  private expire(): void {
    this.errorTimer = undefined;
    const left = this.lastError ? this.lastError.until - this.now() : 0;
    if (left > 0 && !this.closed) this.errorTimer = setTimeout(() => this.expire(), left);
    else this.update();
  }
}
