/**
 * At most `maxInFlight` jobs at once; the rest wait in a FIFO queue of at most `maxQueue` messages (0: no queue). Pure
 * bookkeeping, no timers: the invoke node starts what `submit` and `release` hand back.
 */
export type Admission = 'start' | 'queued' | 'full';

/** A FIFO without Array#shift's copying: a ring buffer that grows by doubling. */
class Fifo<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(16);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size === this.items.length) {
      const grown = new Array<T | undefined>(this.items.length * 2);
      for (let i = 0; i < this.size; i++) grown[i] = this.items[(this.head + i) % this.items.length];
      this.items = grown;
      this.head = 0;
    }
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size += 1;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // let it be collected
    this.head = (this.head + 1) % this.items.length;
    this.size -= 1;
    return item;
  }
}

/**
 * A job's weight is the number of messages it carries (a batch carries many): `maxInFlight` counts jobs (requests),
 * `maxQueue` counts messages, those in queued jobs plus those `hold` reserves (messages waiting outside, in a batch
 * that is filling).
 */
export class Limiter<T> {
  private running = 0;
  private readonly waiting = new Fifo<{ job: T; weight: number }>();
  private waitingWeight = 0;
  private held = 0;

  constructor(
    readonly maxInFlight: number,
    readonly maxQueue: number,
  ) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError('maxInFlight must be a whole number of at least 1');
    if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError('maxQueue must be a whole number of at least 0');
  }

  /** Jobs started and not yet released. */
  get inFlight(): number {
    return this.running;
  }

  /** Messages waiting: in queued jobs, and held. */
  get queued(): number {
    return this.waitingWeight + this.held;
  }

  /** Whether `weight` more waiting messages fit under maxQueue. */
  canHold(weight = 1): boolean {
    return this.queued + weight <= this.maxQueue;
  }

  /** Counts `weight` messages waiting outside the queue against maxQueue (the caller checked canHold). */
  hold(weight = 1): void {
    this.held += weight;
  }

  /** Stops counting `weight` held messages (they were sent, queued or failed). */
  unhold(weight: number): void {
    this.held = Math.max(0, this.held - weight);
  }

  /**
   * Admits a job of `weight` messages: `start` means start it now (it counts as in flight until `release`),
   * `queued` that it waits, `full` that there is no room: the caller must fail it.
   */
  submit(job: T, weight = 1): Admission {
    if (this.running < this.maxInFlight) {
      this.running += 1;
      return 'start';
    }
    if (this.canHold(weight)) {
      this.waiting.push({ job, weight });
      this.waitingWeight += weight;
      return 'queued';
    }
    return 'full';
  }

  /** Ends one started job; returns the next queued job, which now counts as in flight, if any. */
  release(): T | undefined {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.running -= 1;
      return undefined;
    }
    this.waitingWeight -= next.weight;
    return next.job;
  }

  /** Takes every queued job out (oldest first), for failing them when the node closes. */
  drain(): T[] {
    const jobs: T[] = [];
    for (let next = this.waiting.shift(); next !== undefined; next = this.waiting.shift()) jobs.push(next.job);
    this.waitingWeight = 0;
    return jobs;
  }
}
