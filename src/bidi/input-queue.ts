/**
 * The input side of one bidirectional stream: an async iterable queue the SDK pulls parts from as the HTTP/2 stream
 * takes them. push() resolves when the SDK has pulled that part, so a producer that awaits it is slowed by the wire
 * (a slow model slows the flow instead of growing memory); at most `maxQueue` parts wait, and one more fails at once
 * with QueueFull. No Node-RED import.
 */

/** A part pushed past `maxQueue` parts waiting. */
export class QueueFullError extends Error {
  constructor(readonly maxQueue: number) {
    super(`the stream's input queue is full (${maxQueue} parts waiting for the wire)`);
    this.name = 'QueueFull';
  }
}

/** A part pushed after end(), fail() or the consumer stopped reading, or a part left waiting when that happened. */
export class InputClosedError extends Error {
  constructor(reason: string) {
    super(`the stream's input side is closed: ${reason}`);
    this.name = 'InputClosed';
  }
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class InputQueue<T> implements AsyncIterable<T> {
  private readonly waiting: Waiting<T>[] = [];
  private head = 0;
  private puller?: { resolve: (r: IteratorResult<T>) => void; reject: (err: Error) => void };
  private ended = false;
  private failure?: Error;
  private closedReason?: string;
  private iterating = false;
  /** parts the consumer has pulled */
  taken = 0;

  constructor(readonly maxQueue: number) {
    if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new RangeError('maxQueue must be a whole number of at least 1');
  }

  /** Parts waiting to be pulled. */
  get length(): number {
    return this.waiting.length - this.head;
  }

  /** True once end(), fail() or the consumer's return() has closed the input. */
  get closed(): boolean {
    return this.ended || this.failure !== undefined || this.closedReason !== undefined;
  }

  /** Queues a part; the promise resolves when the consumer pulls it, and rejects (QueueFull, InputClosed) if it never will. */
  push(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new InputClosedError(this.closedReason ?? (this.failure ? this.failure.message : 'ended')));
    if (this.puller) {
      const puller = this.puller;
      this.puller = undefined;
      this.taken++;
      puller.resolve({ value: item, done: false });
      return Promise.resolve();
    }
    if (this.length >= this.maxQueue) return Promise.reject(new QueueFullError(this.maxQueue));
    return new Promise<void>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
  }

  /** No more parts: the consumer gets the queued ones, then the end. */
  end(): void {
    if (this.closed) return;
    this.ended = true;
    if (this.length === 0) this.settlePuller({ value: undefined, done: true });
  }

  /** Ends the input with an error: the consumer's next pull throws it; queued parts are rejected with InputClosed. */
  fail(err: Error): void {
    if (this.closed) return;
    this.failure = err;
    this.rejectWaiting(new InputClosedError(err.message));
    this.settlePuller(err);
  }

  /** The consumer stopped reading (the stream ended or was aborted): queued and later parts are rejected. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.rejectWaiting(new InputClosedError(reason));
    this.settlePuller({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterating) throw new Error('an InputQueue can be read only once');
    this.iterating = true;
    return {
      next: () => this.next(),
      return: async (): Promise<IteratorResult<T>> => {
        this.close('the stream stopped reading its input');
        return { value: undefined, done: true };
      },
    };
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.closedReason !== undefined) return Promise.resolve({ value: undefined, done: true });
    if (this.failure) return Promise.reject(this.failure);
    if (this.length > 0) {
      const w = this.waiting[this.head];
      this.waiting[this.head++] = undefined as unknown as Waiting<T>;
      // Compact now and then so a long stream's array does not keep growing.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.taken++;
      w.resolve();
      return Promise.resolve({ value: w.item, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.puller) return Promise.reject(new Error('an InputQueue serves one pull at a time'));
    return new Promise((resolve, reject) => (this.puller = { resolve, reject }));
  }

  private settlePuller(outcome: IteratorResult<T> | Error): void {
    const puller = this.puller;
    if (!puller) return;
    this.puller = undefined;
    if (outcome instanceof Error) puller.reject(outcome);
    else puller.resolve(outcome);
  }

  private rejectWaiting(err: Error): void {
    const waiting = this.waiting.splice(this.head);
    this.waiting.length = 0;
    this.head = 0;
    for (const w of waiting) w.reject(err);
  }
}
