/**
 * One shared schedule for every result a config node waits for: each waiting check has the time it is next due
 * (the waiter's backoff sets it), and the poller starts the due checks one at a time, spaced so that the node's
 * S3 requests never exceed its ceiling in any one-second window and never come in bursts, however many messages
 * wait. A check that must wait for its turn is simply late: the waiter's backoff counts from when it really ran.
 *
 * Checks wait in a binary min-heap by due time (10,000 waiting messages cost one timer, not 10,000). Pure: the
 * clock and timer are injectable for tests; no S3, no Node-RED.
 */

/** One waiting check, as the poller sees it. */
export interface Pollable {
  /** when it is next due (ms, the poller's clock) */
  due: number;
  /** its place in the heap (the poller's business); -1 when not queued */
  heapIndex: number;
  /** true when it must end now without a request (its deadline passed); it ends itself */
  expire(now: number): boolean;
  /** makes one S3 request; resolves true to be queued again at its new `due`, false when it has ended */
  poll(): Promise<boolean>;
}

export interface PollerOptions {
  /** the ceiling: S3 requests per second */
  ratePerSecond: number;
  /** requests at once at most (a slow S3 must not pile up sockets); default: the ceiling, at most MAX_CONCURRENT */
  maxConcurrent?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * The time between two requests for a ceiling: 10% more than 1000/rate ms. The spacing holds when each request
 * starts; on its way to the wire (signing, a socket, a busy event loop) one request can be delayed more than the
 * next, so requests that started spaced can arrive closer together. The headroom keeps them under the ceiling as
 * S3 counts them.
 */
export const RATE_HEADROOM = 1.1;

export function spacingFor(ratePerSecond: number): number {
  return (1000 / ratePerSecond) * RATE_HEADROOM;
}

/**
 * The most checks in flight by default: below the config node's socket limit (at least 50, shared with uploads), so a
 * check never waits in the agent's queue for a socket, which would let queued checks leave together when S3 answers
 * a batch of slow ones at once.
 */
export const MAX_CONCURRENT = 32;

export class Poller {
  private readonly heap: Pollable[] = [];
  private readonly spacing: number;
  private readonly maxConcurrent: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private timer: unknown;
  private timerAt = Infinity;
  private nextSlot = -Infinity;
  private active = 0;
  private closed = false;
  /** every request started, for the status and the benchmark */
  requests = 0;

  constructor(options: PollerOptions) {
    this.spacing = spacingFor(options.ratePerSecond);
    this.maxConcurrent = options.maxConcurrent ?? Math.max(1, Math.min(MAX_CONCURRENT, Math.ceil(options.ratePerSecond)));
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** Checks waiting for their turn (not those making a request). */
  get size(): number {
    return this.heap.length;
  }

  get inFlight(): number {
    return this.active;
  }

  add(p: Pollable): void {
    if (this.closed) return;
    this.push(p);
    this.pump();
  }

  /** Takes a check off the schedule (its message ended another way). */
  remove(p: Pollable): void {
    const i = p.heapIndex;
    if (i < 0 || this.heap[i] !== p) return;
    const last = this.heap.pop() as Pollable;
    p.heapIndex = -1;
    // Nothing left to wait for: no timer either (an invoke node that closed leaves none behind).
    if (this.heap.length === 0) this.cancelTimer();
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(i);
    }
  }

  /** Stops: no timer, nothing more started. The owners end their checks. */
  close(): void {
    this.closed = true;
    this.cancelTimer();
    for (const p of this.heap) p.heapIndex = -1;
    this.heap.length = 0;
  }

  /** Starts what is due and allowed now, and sets the one timer for the next thing that will be. */
  private pump(): void {
    if (this.closed) return;
    while (this.heap.length > 0) {
      const now = this.now();
      const top = this.heap[0];
      if (top.expire(now)) {
        this.remove(top);
        continue;
      }
      if (top.due > now) return this.wake(top.due - now);
      if (this.active >= this.maxConcurrent) return; // a request that ends pumps again
      if (now < this.nextSlot) return this.wake(this.nextSlot - now);
      // No credit is banked while idle: the next slot is always one spacing after this request.
      this.nextSlot = now + this.spacing;
      this.remove(top);
      this.start(top);
    }
    this.cancelTimer();
  }

  private start(p: Pollable): void {
    this.active += 1;
    this.requests += 1;
    const finish = (again: boolean): void => {
      this.active -= 1;
      if (again && !this.closed) this.push(p);
      this.pump();
    };
    p.poll().then(finish, () => finish(false));
  }

  private wake(ms: number): void {
    const at = this.now() + ms;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.cancelTimer();
    this.timerAt = at;
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, Math.ceil(ms)));
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private push(p: Pollable): void {
    p.heapIndex = this.heap.length;
    this.heap.push(p);
    this.up(p.heapIndex);
  }

  private up(i: number): void {
    const { heap } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].due <= heap[i].due) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const { heap } = this;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l].due < heap[m].due) m = l;
      if (r < heap.length && heap[r].due < heap[m].due) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const { heap } = this;
    [heap[a], heap[b]] = [heap[b], heap[a]];
    heap[a].heapIndex = a;
    heap[b].heapIndex = b;
  }
}
