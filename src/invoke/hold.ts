/**
 * Riding out an outage (`onUnreachable` `hold`): the tasks (a message's request, or a batch) whose call could not
 * reach SageMaker, and every task that arrives after, wait here in arrival order while the node is offline. One probe
 * at a time goes out, with exponential backoff (1 s doubling to 30 s, with jitter); when a call gets through, every
 * held task is handed back, oldest first, to be sent again under the node's in-flight limit. A task held past its
 * deadline (arrival + holdTimeout) is handed out to be failed with the network error that held it.
 *
 * Pure timing and order, no Node-RED, SDK or network: the dispatcher says what failed and what got through
 * (hold, reached) and does the sending and failing (handlers). Tested with fake timers.
 */

/** The probe schedule: the first try after `firstMs`, doubling to `maxMs`; up to `jitter` of each delay taken off. */
export const HOLD_BACKOFF = { firstMs: 1000, maxMs: 30_000, jitter: 0.2 };

/** How often the status is told the countdown to the next probe changed, while offline. */
export const HOLD_STATUS_TICK_MS = 1000;

export interface HoldHandlers<T> {
  /** Sends a held task again; `probe`: the one probe of an outage (one attempt, no SDK retries). */
  resend(task: T, probe: boolean): void;
  /** A task held past its deadline: its messages end with the error that held them. */
  expire(task: T): void;
  /** What the status shows changed. */
  changed(): void;
}

export interface HoldOptions {
  backoff?: typeof HOLD_BACKOFF;
  /** [0, 1): the jitter's randomness */
  random?: () => number;
  clock?: () => number;
}

interface Held<T> {
  task: T;
  /** arrival order at the node */
  seq: number;
  /** the clock's time after which it is failed */
  deadline: number;
  /** messages it carries (a batch carries many) */
  weight: number;
}

export interface HoldCounts {
  /** messages held (the probe's included while it is out) */
  held: number;
  /** ms until the next probe; 0 while one is out */
  nextTryMs: number;
}

export class Hold<T> {
  private readonly held: Held<T>[] = [];
  private offline = false;
  /** the probe out now, if any */
  private probe: Held<T> | undefined;
  private failedProbes = 0;
  private nextTryAt = 0;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private deadlineAt = Infinity;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly backoff: typeof HOLD_BACKOFF;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly handlers: HoldHandlers<T>,
    options: HoldOptions = {},
  ) {
    this.backoff = options.backoff ?? HOLD_BACKOFF;
    this.random = options.random ?? Math.random;
    this.now = options.clock ?? Date.now;
  }

  /** Offline: new tasks are held instead of sent. */
  get isOffline(): boolean {
    return this.offline;
  }

  /** Whether `task` is the probe out now. */
  isProbe(task: T): boolean {
    return this.probe?.task === task;
  }

  counts(): HoldCounts {
    const held = this.held.reduce((n, h) => n + h.weight, 0) + (this.probe?.weight ?? 0);
    return { held, nextTryMs: this.probe ? 0 : Math.max(0, this.nextTryAt - this.now()) };
  }

  /** The ms before probe number `n` (0 for the first) goes out: the backoff with its jitter. */
  delay(n: number): number {
    const { firstMs, maxMs, jitter } = this.backoff;
    const base = Math.min(maxMs, firstMs * 2 ** Math.min(n, 30));
    return Math.round(base * (1 - jitter * this.random()));
  }

  /**
   * Holds a task: one whose call could not reach SageMaker (the probe among them), or one that arrived while
   * offline. The first makes the node offline and schedules the first probe; a failed probe the next, later one.
   */
  hold(task: T, seq: number, deadline: number, weight: number): void {
    const wasProbe = this.isProbe(task);
    if (wasProbe) this.probe = undefined;
    if (deadline <= this.now()) {
      this.handlers.expire(task);
      if (wasProbe) this.failedProbes += 1;
      this.afterChange(wasProbe);
      return;
    }
    let at = this.held.length;
    while (at > 0 && this.held[at - 1].seq > seq) at -= 1;
    this.held.splice(at, 0, { task, seq, deadline, weight });
    if (deadline < this.deadlineAt) this.armDeadline(deadline);
    if (!this.offline) {
      this.offline = true;
      this.failedProbes = 0;
      this.ticker = setInterval(() => this.handlers.changed(), HOLD_STATUS_TICK_MS);
      this.scheduleProbe();
    } else if (wasProbe) {
      this.failedProbes += 1;
      this.scheduleProbe();
    }
    this.handlers.changed();
  }

  /** A task that failed and cannot be held (no room under maxQueue): when it was the probe, the next one is due. */
  drop(task: T): void {
    if (!this.isProbe(task)) return;
    this.probe = undefined;
    this.failedProbes += 1;
    this.afterChange(true);
  }

  /** A call got through (the probe or any other): back online, every held task sent again, oldest first. */
  reached(): void {
    if (!this.offline) return;
    const tasks = this.held.splice(0);
    this.probe = undefined;
    this.stop();
    for (const h of tasks) this.handlers.resend(h.task, false);
    this.handlers.changed();
  }

  /** Takes every held task out (oldest first) and stops every timer: the node is closing. */
  close(): T[] {
    const tasks = this.held.splice(0).map((h) => h.task);
    this.probe = undefined;
    this.stop();
    return tasks;
  }

  private stop(): void {
    this.offline = false;
    clearTimeout(this.probeTimer);
    clearTimeout(this.deadlineTimer);
    clearInterval(this.ticker);
    this.probeTimer = this.deadlineTimer = this.ticker = undefined;
    this.deadlineAt = Infinity;
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    const wait = this.delay(this.failedProbes);
    this.nextTryAt = this.now() + wait;
    this.probeTimer = setTimeout(() => this.sendProbe(), wait);
  }

  private sendProbe(): void {
    this.probeTimer = undefined;
    const first = this.held.shift();
    if (!first) return;
    this.probe = first;
    this.handlers.resend(first.task, true);
    this.handlers.changed();
  }

  /** After a task left: with nothing held and no probe out, the node is no longer offline (the next call tries). */
  private afterChange(probeEnded: boolean): void {
    if (this.offline && this.held.length === 0 && !this.probe) this.stop();
    else if (this.offline && probeEnded && !this.probeTimer) this.scheduleProbe();
    this.handlers.changed();
  }

  private armDeadline(at: number): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineAt = at;
    this.deadlineTimer = setTimeout(() => this.expireDue(), Math.max(0, at - this.now()));
  }

  private expireDue(): void {
    this.deadlineTimer = undefined;
    this.deadlineAt = Infinity;
    const now = this.now();
    const due = this.held.filter((h) => h.deadline <= now);
    for (const h of due) this.held.splice(this.held.indexOf(h), 1);
    const next = this.held.reduce((min, h) => Math.min(min, h.deadline), Infinity);
    if (next !== Infinity) this.armDeadline(next);
    for (const h of due) this.handlers.expire(h.task);
    if (due.length) this.afterChange(false);
  }
}
