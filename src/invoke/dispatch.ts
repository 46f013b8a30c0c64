/**
 * Between a message that passed its checks and the call that carries it: at most `maxInFlight` requests at once
 * (the rest queue, up to `maxQueue` messages, or fail at once), messages gathered into batches when the node
 * batches, each message ended exactly once, and on close every message that was not sent ended and counted.
 *
 * It admits BUILT requests: a message is checked (and its request built) before it takes a place in the queue or a
 * batch. What a request does is the handlers' business, so another mode or node reuses this as it is.
 * No Node-RED import.
 */
import { setMaxListeners } from 'node:events';
import { Limiter } from './limiter';
import { Batcher, type BatcherOptions, type ReadyBatch, type RequestFields } from './batch';
import type { Delivery, Ending, Problem } from './outcome';
import type { StatusCounts } from './status';
import { Hold, type HoldOptions } from './hold';

/** How long close() waits for aborted calls to end their messages before ending them itself. */
export const CLOSE_GRACE_MS = 1000;

/** A message with its built request. */
export interface Job<R> extends Delivery {
  request: R;
}

/**
 * A message in flight: its job, and a send and done that let nothing out once it has ended (close may end it
 * first); `settled` is the run that carries it (which never rejects).
 */
export interface Running<R> extends Delivery {
  job: Job<R>;
  finished: boolean;
  settled: Promise<void>;
  /** with onUnreachable hold: the probe of an outage, sent as one attempt without the SDK's retries */
  probe?: boolean;
  /** with onUnreachable hold: why it was held instead of ended (SageMaker could not be reached) */
  heldBy?: Problem;
}

/** One message's piece of a batch: the request fields it shares with the others, and its part of the body. */
export interface BatchPiece {
  /** messages with the same key make the same request (see batch.groupKey) */
  key: string;
  fields: RequestFields;
  piece: Buffer;
  /** the input's msg property, for errors */
  property: string;
}

export interface QueueCounts {
  inFlight: number;
  queued: number;
  maxInFlight: number;
  maxQueue: number;
}

/** The messages close() ended or aborted without their answer. */
export interface CloseReport {
  queued: number;
  batching: number;
  inFlight: number;
  /** held for the network (with onUnreachable hold only) */
  held?: number;
}

export interface DispatchHandlers<R> {
  /** Runs one message's request; settles when the message has ended. */
  run(running: Running<R>, signal: AbortSignal): Promise<void>;
  /** Runs a batch: one request that carries every message in `runs`. */
  runBatch?(batch: Pick<ReadyBatch<unknown>, 'fields' | 'body'>, runs: Running<R>[], signal: AbortSignal): Promise<void>;
  /** Fails a message that found no room. */
  full(job: Job<R>, counts: QueueCounts): void;
  /** Fails a message the dispatcher ends itself. */
  ended(message: Delivery, why: Ending, error?: unknown): void;
  /** Fails a message held for the network past its hold timeout, with the error that held it. */
  expired?(message: Delivery, problem: Problem): void;
  /** What the status shows has changed. */
  changed(): void;
}

export interface DispatchOptions {
  maxInFlight: number;
  maxQueue: number;
  /** batching settings; absent: one request per message */
  batch?: BatcherOptions;
  /** onUnreachable hold: how long each message may be held (ms from its arrival), and the probes' timing */
  hold?: { timeoutMs(job: Job<unknown>): number } & HoldOptions;
}

type Task<R> = { job: Job<R>; batch?: undefined } | { batch: ReadyBatch<Job<R>>; job?: undefined };
const jobsOf = <R>(task: Task<R>): Job<R>[] => (task.batch ? task.batch.items : [task.job]);

export class Dispatcher<R> {
  private readonly limiter: Limiter<Task<R>>;
  private readonly batcher: Batcher<Job<R>> | undefined;
  private readonly inFlight = new Set<Running<R>>();
  // One abort signal for every request: close() aborts them all through it. (A controller per request would cost
  // a first listener on a new signal for every message.)
  private readonly closing = new AbortController();
  private readonly sent = { batches: 0, messages: 0 };
  /** onUnreachable hold: the held tasks and probes, and each message's arrival order and hold deadline */
  private readonly hold: Hold<Task<R>> | undefined;
  private readonly arrivals = new WeakMap<Job<R>, { seq: number; deadline: number }>();
  /** the error that held each message that was tried */
  private readonly problems = new WeakMap<Job<R>, Problem>();
  private arrived = 0;
  /** the error that made the node go offline last: what a message held without a try of its own ends with */
  private lastProblem: Problem | undefined;

  constructor(
    private readonly options: DispatchOptions,
    private readonly handlers: DispatchHandlers<R>,
  ) {
    this.limiter = new Limiter(options.maxInFlight, options.maxQueue);
    if (options.hold) {
      const resend = (task: Task<R>, probe: boolean): void => this.resend(task, probe);
      this.hold = new Hold<Task<R>>({ resend, expire: (task) => this.expire(task), changed: () => handlers.changed() }, options.hold);
    }
    setMaxListeners(options.maxInFlight + 16, this.closing.signal);
    if (options.batch && options.batch.size > 1) {
      this.batcher = new Batcher<Job<R>>(options.batch, (batch) => {
        this.limiter.unhold(batch.items.length);
        this.admit({ batch }, batch.items.length);
      });
    }
  }

  /** Aborted when the dispatcher closes. */
  get signal(): AbortSignal {
    return this.closing.signal;
  }

  get batching(): boolean {
    return this.batcher !== undefined;
  }

  /** What the status shows. */
  counts(): StatusCounts {
    const counts: StatusCounts = { inFlight: this.limiter.inFlight, queued: this.limiter.queued };
    if (this.batcher) counts.batches = { sent: this.sent.batches, messages: this.sent.messages };
    if (this.hold?.isOffline) counts.offline = this.hold.counts();
    return counts;
  }

  /** A message that makes its own request: it starts now, waits in the queue, or fails at once. */
  submit(job: Job<R>): void {
    this.arrive(job);
    this.admit({ job }, 1);
    this.handlers.changed();
  }

  /**
   * A message that joins the open batch of its request (which may send that batch). A msg in a session goes alone
   * and at once, still in the batch format. Throws what Batcher.add throws (its piece was checked before).
   */
  join(job: Job<R>, piece: BatchPiece): void {
    const batcher = this.batcher;
    if (!batcher) throw new Error('join() on a dispatcher that does not batch');
    this.arrive(job);
    if (piece.fields.SessionId !== undefined) {
      this.admit({ batch: batcher.single(piece.fields, job, piece.piece, piece.property) }, 1);
    } else if (!this.limiter.canHold(1)) {
      this.handlers.full(job, this.queueCounts());
    } else {
      this.limiter.hold(1);
      try {
        batcher.add(piece.key, piece.fields, job, piece.piece, piece.property);
      } catch (err) {
        this.limiter.unhold(1); // add() kept nothing
        throw err;
      }
    }
    this.handlers.changed();
  }

  /**
   * Ends what was not sent (messages in filling batches, queued ones), aborts the requests in flight and waits for
   * them to end their messages: at most `graceMs`, since a call waiting out the SDK's retry backoff only sees the
   * abort at its next attempt; such a message is ended here.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<CloseReport> {
    const report: CloseReport = { queued: 0, batching: 0, inFlight: 0 };
    if (this.hold) report.held = 0;
    for (const task of this.hold?.close() ?? []) {
      this.limiter.unhold(jobsOf(task).length);
      for (const job of jobsOf(task)) {
        report.held = (report.held ?? 0) + 1;
        this.handlers.ended(job, 'held');
      }
    }
    for (const items of this.batcher?.drain() ?? []) {
      this.limiter.unhold(items.length);
      report.batching += items.length;
      for (const job of items) this.handlers.ended(job, 'batch');
    }
    for (const task of this.limiter.drain()) {
      for (const job of jobsOf(task)) {
        report.queued += 1;
        this.handlers.ended(job, 'queued');
      }
    }
    const pending = [...this.inFlight].filter((r) => !r.finished);
    report.inFlight = pending.length;
    this.closing.abort();
    let grace: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<void>((resolve) => {
      grace = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(pending.map((r) => r.settled)), graceOver]);
    clearTimeout(grace);
    for (const r of pending) if (!r.finished) this.handlers.ended(r, 'inFlight');
    return report;
  }

  private queueCounts(): QueueCounts {
    const { inFlight, queued, maxInFlight, maxQueue } = this.limiter;
    return { inFlight, queued, maxInFlight, maxQueue };
  }

  private admit(task: Task<R>, weight: number): void {
    if (this.hold?.isOffline) return this.holdTask(task, weight, 'arrived');
    const admission = this.limiter.submit(task, weight);
    if (admission === 'start') this.start(task);
    else if (admission === 'full') for (const job of jobsOf(task)) this.handlers.full(job, this.queueCounts());
  }

  /** Starts a task the limiter admitted; when it ends, the next queued task starts in its place. */
  private start(task: Task<R>): void {
    const probe = this.hold?.isProbe(task) ?? false;
    const runs = jobsOf(task).map((job) => guard(job, this.hold !== undefined, probe));
    const { handlers } = this;
    let work: Promise<void>;
    if (task.batch) {
      this.sent.batches += 1;
      this.sent.messages += runs.length;
      work = handlers.runBatch ? handlers.runBatch(task.batch, runs, this.signal) : Promise.reject(new Error('no batch runner'));
    } else work = handlers.run(runs[0], this.signal);
    // Only a bug gets to the catch; still, each message must end somewhere.
    const settled = work.catch((err: unknown) => runs.filter((r) => !r.finished).forEach((r) => handlers.ended(r, 'bug', err)));
    for (const r of runs) {
      r.settled = settled;
      this.inFlight.add(r);
    }
    void settled.then(() => {
      for (const r of runs) this.inFlight.delete(r);
      if (this.hold && !this.closing.signal.aborted) this.afterRun(task, runs);
      const next = this.limiter.release();
      if (next) this.start(next);
      handlers.changed();
    });
  }

  /** A message arrives: its place in the arrival order, and with hold, its deadline. */
  private arrive(job: Job<R>): void {
    if (!this.options.hold) return;
    this.arrivals.set(job, { seq: this.arrived++, deadline: Date.now() + this.options.hold.timeoutMs(job) });
  }

  /**
   * A task that ran while holding is on: held when its call could not reach SageMaker (and with it the tasks queued
   * behind it: the node is offline); any other end means the network is back.
   */
  private afterRun(task: Task<R>, runs: Running<R>[]): void {
    const held = runs.filter((r) => r.heldBy && !r.finished);
    if (held.length === 0) return this.hold?.reached();
    this.lastProblem = held[held.length - 1].heldBy;
    for (const r of held) this.problems.set(r.job, r.heldBy as Problem);
    this.holdTask(task, runs.length, 'failed');
    const probe = this.limiter.drain().filter((queued) => {
      if (this.hold?.isProbe(queued)) return true;
      this.holdTask(queued, jobsOf(queued).length, 'queued');
      return false;
    });
    for (const queued of probe) this.limiter.submit(queued, jobsOf(queued).length);
  }

  /**
   * Holds a task for the network, counted against maxQueue: one that `arrived` while offline fails with QueueFull
   * when it does not fit, one whose call `failed` ends with its own error; one that was `queued` had its place.
   */
  private holdTask(task: Task<R>, weight: number, why: 'arrived' | 'failed' | 'queued'): void {
    const jobs = jobsOf(task);
    if (why !== 'queued' && !this.limiter.canHold(weight)) {
      if (why === 'arrived') return jobs.forEach((job) => this.handlers.full(job, this.queueCounts()));
      this.hold?.drop(task);
      return this.expire(task, false);
    }
    this.limiter.hold(weight); // a queued task: drain() stopped counting it as queued; it counts as held now
    const first = this.arrivals.get(jobs[0]);
    const deadline = Math.min(...jobs.map((j) => this.arrivals.get(j)?.deadline ?? Date.now()));
    this.hold?.hold(task, first?.seq ?? this.arrived, deadline, weight);
  }

  /** A held task goes out again: the probe, or after the network came back, each in arrival order. */
  private resend(task: Task<R>, probe: boolean): void {
    const weight = jobsOf(task).length;
    this.limiter.unhold(weight);
    const admission = this.limiter.submit(task, weight);
    if (admission === 'start') this.start(task);
    else if (admission === 'full') this.expire(task, false);
    if (probe) this.handlers.changed();
  }

  /** A held task's messages end with the error that held them (past their hold timeout). */
  private expire(task: Task<R>, counted = true): void {
    const jobs = jobsOf(task);
    if (counted) this.limiter.unhold(jobs.length);
    for (const job of jobs) {
      const problem = this.problems.get(job) ?? this.lastProblem;
      if (problem && this.handlers.expired) this.handlers.expired(job, problem);
      else this.handlers.ended(job, 'held');
    }
  }
}

/**
 * A job guarded so that it ends once (close() may end it first) and nothing more of it goes out after; with
 * `holding`, it may be held instead of failed when SageMaker cannot be reached.
 */
function guard<R>(job: Job<R>, holding = false, probe = false): Running<R> {
  const running: Running<R> = {
    job,
    msg: job.msg,
    finished: false,
    settled: Promise.resolve(),
    ...(probe ? { probe } : {}),
    send: (m) => {
      if (!running.finished) job.send(m);
    },
    done: (err) => {
      if (running.finished) return;
      running.finished = true;
      job.done(err);
    },
  };
  if (holding) {
    running.hold = (problem) => {
      if (running.finished) return false;
      running.heldBy = problem;
      return true;
    };
  }
  return running;
}
