/**
 * One message waiting for its async result: which location it checks next and when (backoff), and how it ends
 * (output found, failure found, S3 says waiting cannot help, deadline passed). The poller decides when a check
 * really runs; the waiter only says when it would like to. Pure: the GET and the clock are handed in.
 *
 * Backoff: the first check about POLL_FIRST_MS after the call answered, then each wait POLL_GROWTH times longer
 * while nothing changes, at most POLL_CAP_MS, each spread by ±POLL_JITTER so messages sent together do not stay
 * in step. The failure location is checked after every second miss of the output (a failure is rarer than a
 * result and may wait a little longer to be seen): a result that comes after about 3 s costs 4 GETs.
 */
import type { Pollable } from './poller';
import type { GetResult, S3Problem } from './s3-objects';
import type { S3Location } from './s3-location';

export const POLL_FIRST_MS = 1000;
export const POLL_GROWTH = 1.5;
/** the longest wait between two checks of one message */
export const POLL_CAP_MS = 30_000;
export const POLL_JITTER = 0.2;
/** how much of a failure object's text the error message quotes */
export const FAILURE_TEXT_CHARS = 1000;

/** The wait before the next check after `misses` checks found nothing (misses >= 1), jittered. */
export function pollDelay(misses: number, random: () => number = Math.random): number {
  const base = Math.min(POLL_CAP_MS, POLL_FIRST_MS * POLL_GROWTH ** Math.max(0, misses - 1));
  return base * (1 - POLL_JITTER + 2 * POLL_JITTER * random());
}

/** Whether the failure location is checked right after the output's `misses`-th miss. */
export function checksFailureAfter(misses: number): boolean {
  return misses >= 2 && misses % 2 === 0;
}

/** How a wait ends; exactly one is called, once. */
export interface WaitEnds {
  output(body: Uint8Array, contentType: string | undefined, polls: number): void;
  failure(text: string, polls: number): void;
  timeout(polls: number): void;
  fatal(problem: S3Problem, polls: number): void;
}

export interface WaiterOptions {
  output: S3Location;
  /** absent when the service named none: only the output is checked */
  failure?: S3Location;
  /** when the wait began, and when it gives up (ms, the poller's clock) */
  startedAt: number;
  deadline: number;
  get(location: S3Location): Promise<GetResult>;
  ends: WaitEnds;
  now(): number;
  random?: () => number;
}

export class Waiter implements Pollable {
  due: number;
  heapIndex = -1;
  polls = 0;
  private misses = 0;
  private next: 'output' | 'failure' = 'output';
  private over = false;
  private readonly random: () => number;

  constructor(private readonly o: WaiterOptions) {
    this.random = o.random ?? Math.random;
    this.due = Math.min(o.startedAt + pollDelay(1, this.random), o.deadline);
  }

  get ended(): boolean {
    return this.over;
  }

  /** Ends the wait without its result (the node closed); no end is called. */
  cancel(): void {
    this.over = true;
  }

  expire(now: number): boolean {
    if (this.over) return true;
    if (now < this.o.deadline) return false;
    this.over = true;
    this.o.ends.timeout(this.polls);
    return true;
  }

  async poll(): Promise<boolean> {
    if (this.over) return false;
    this.polls += 1;
    const checking = this.next;
    const location = checking === 'failure' && this.o.failure ? this.o.failure : this.o.output;
    const result = await this.o.get(location);
    if (this.over) return false;
    if (result.kind === 'found') {
      this.over = true;
      if (checking === 'output') this.o.ends.output(result.body, result.contentType, this.polls);
      else this.o.ends.failure(failureText(result.body), this.polls);
      return false;
    }
    if (result.kind === 'fatal') {
      this.over = true;
      this.o.ends.fatal(result.problem, this.polls);
      return false;
    }
    const now = this.o.now();
    if (checking === 'output') {
      this.misses += 1;
      if (this.o.failure && checksFailureAfter(this.misses)) {
        this.next = 'failure';
        this.due = now;
        return true;
      }
    }
    this.next = 'output';
    this.due = Math.min(now + pollDelay(this.misses, this.random), this.o.deadline);
    return true;
  }
}

/** The start of a failure object's text (SageMaker writes the model's error there). */
export function failureText(body: Uint8Array): string {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8').trim();
  return text.length > FAILURE_TEXT_CHARS ? `${text.slice(0, FAILURE_TEXT_CHARS)}...` : text;
}
