/**
 * An invoke node's messages waiting for async results: at most `maxWaiting` of them (counted from the moment a
 * message is taken in, so a burst cannot overshoot while its calls are in flight), each with its waiter on the
 * config node's shared poller, and all of them ended once when the node closes. No Node-RED import.
 */
import { setMaxListeners } from 'node:events';
import { Waiter, type WaitEnds } from './waiter';
import { getResult } from './s3-objects';
import type { AsyncResultService } from './service';
import type { S3Location } from './s3-location';
import type { S3Clients } from '../../config/s3-client';

export interface WaitRequest {
  output: S3Location;
  failure?: S3Location;
  timeoutMs: number;
  ends: WaitEnds;
  /** called instead of an end when the node closes while the message waits */
  closed(): void;
}

interface Waiting {
  waiter: Waiter;
  closed(): void;
}

export class WaitGroup {
  private admitted = 0;
  private readonly waiting = new Set<Waiting>();
  // One signal for every S3 request of this node: closing aborts them all.
  private readonly controller = new AbortController();
  private leave: (() => void) | undefined;
  private closedAll = false;

  constructor(
    readonly maxWaiting: number,
    private readonly service: () => AsyncResultService | undefined,
    /** told when a message starts or stops waiting (the status shows how many wait) */
    private readonly changed: () => void = () => undefined,
  ) {
    // Every S3 request of the node listens on it: as many as the poller's ceiling allows at once, plus uploads.
    setMaxListeners(0, this.controller.signal);
  }

  /** Messages taken in and not yet ended (calls in flight, and those waiting for their result). */
  get count(): number {
    return this.admitted;
  }

  /** Messages waiting for their result in S3. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Takes a message in: its done, counted until called; undefined when maxWaiting messages are already in. */
  admit(done: (err?: Error) => void): ((err?: Error) => void) | undefined {
    if (this.admitted >= this.maxWaiting) return undefined;
    this.admitted += 1;
    let ended = false;
    return (err) => {
      if (!ended) {
        ended = true;
        this.admitted -= 1;
      }
      done(err);
    };
  }

  /** The config node's S3 clients; undefined when it has none (closed, or no client). */
  s3(): S3Clients | undefined {
    const service = this.service();
    return service && !service.isClosed ? service.s3() : undefined;
  }

  /** Starts waiting; false when it cannot (the node or its config node is closed): the caller ends the message. */
  start(req: WaitRequest): boolean {
    const service = this.service();
    if (this.closedAll || !service || service.isClosed) return false;
    this.leave ??= service.join(this);
    const clients = service.s3();
    const poller = service.poller();
    const now = (): number => performance.now();
    const startedAt = now();
    const entry: Waiting = { waiter: undefined as unknown as Waiter, closed: req.closed };
    const settle = <A extends unknown[]>(end: (...args: A) => void) => (...args: A): void => {
      this.waiting.delete(entry);
      end(...args);
      this.changed();
    };
    entry.waiter = new Waiter({
      output: req.output,
      failure: req.failure,
      startedAt,
      deadline: startedAt + req.timeoutMs,
      now,
      get: (location) => getResult(clients.poll, location, this.controller.signal),
      ends: {
        output: settle(req.ends.output),
        failure: settle(req.ends.failure),
        timeout: settle(req.ends.timeout),
        fatal: settle(req.ends.fatal),
      },
    });
    this.waiting.add(entry);
    poller.add(entry.waiter);
    this.changed();
    return true;
  }

  /** Ends every waiting message (each once, as closed), aborts their S3 requests and leaves the poller; how many. */
  closeAll(): number {
    this.closedAll = true;
    this.controller.abort();
    const poller = this.service()?.isClosed === false ? this.service()?.poller() : undefined;
    const count = this.waiting.size;
    for (const entry of [...this.waiting]) {
      entry.waiter.cancel();
      poller?.remove(entry.waiter);
      entry.closed();
    }
    this.waiting.clear();
    this.leave?.();
    this.leave = undefined;
    return count;
  }
}
