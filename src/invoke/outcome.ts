/**
 * Where a message ends: written once (the output property, `msg.sagemaker`, the session it follows, its place in a
 * batch) and then sent and done, or failed through done(err) with `msg.sagemaker.error`, so a Catch node sees it.
 * No Node-RED import: the node hands in its words (RED._) and the config node's redaction.
 */
import { METADATA_PROPERTY } from '../shared/names';
import { FlowError, type FlowErrorParams } from '../shared/flow-error';
import { FlowErrors, inWords } from '../shared/problems';
import { setMsgProperty, type MsgLike } from './request';
import type { ErrorDetails } from './errors';
import type { Metadata } from './metadata';
import type { Failure } from './call';

/** A message and how it leaves: `send` for each msg that goes out, then `done` once. */
/** Why the dispatcher ends a message itself: close found it queued, in a filling batch or in flight; or a bug. */
export type Ending = 'queued' | 'batch' | 'inFlight' | 'held' | 'bug';

export interface Delivery {
  msg: MsgLike;
  send(msg: MsgLike): void;
  done(err?: Error): void;
  /**
   * With onUnreachable hold: keeps the message instead of failing it with `problem` (SageMaker could not be
   * reached); false when it cannot be held (see dispatch). Absent: the message is never held.
   */
  hold?(problem: Problem): boolean;
}

/** Why a message failed, in words, with msg.sagemaker.error, the status's short code and the metadata known. */
export interface Problem {
  message: string;
  details: ErrorDetails;
  short: string;
  meta?: Metadata;
  /** the call could not reach SageMaker (refused, reset, DNS, no answer in time): with onUnreachable hold, it waits */
  unreachable?: boolean;
}

export interface OutcomeOptions {
  /** the msg property the answer goes to */
  outputProperty: string;
  /** the locale's words for an `errors.` key */
  words(key: string, params?: FlowErrorParams): string;
  /** replaces secrets in text that leaves the node */
  redact(text: string): string;
  /** told of each failure (the status shows it) */
  failed?(short: string): void;
  /** told of each message that ends, answered or failed (the live figures) */
  observer?: OutcomeObserver;
}

/** Told as each message ends: with its metadata when answered, with its error's name and redacted message when not. */
export interface OutcomeObserver {
  answered(meta: Metadata): void;
  failed(name: string, message: string, meta: Metadata | undefined): void;
}

/** msg.sagemaker of the message at `index` of a batch of `size`: the call's metadata and its place. */
export function batchMetadata(meta: Metadata, size: number, index: number): Metadata {
  return { ...meta, batch: { size, index, ...(meta.requestId ? { requestId: meta.requestId } : {}) } };
}

/** A FlowError as it is, anything else (a bug) as `unexpected`. */
function asFlowError(err: unknown): FlowError {
  return err instanceof FlowError ? err : new FlowError('unexpected', { name: 'Error', message: String(err) });
}

export class Outcome {
  constructor(private readonly options: OutcomeOptions) {}

  /** Writes the answer and its metadata into the msg; msg.sessionId follows the session the answer opened or closed. */
  write(msg: MsgLike, value: unknown, meta: Metadata): void {
    setMsgProperty(msg, this.options.outputProperty, value);
    msg[METADATA_PROPERTY] = meta;
    this.options.observer?.answered(meta);
    if (meta.newSessionId) msg.sessionId = meta.newSessionId;
    else if (meta.closedSessionId && meta.closedSessionId === msg.sessionId) delete msg.sessionId;
  }

  /** Writes the answer, sends the msg and ends it. */
  deliver(d: Delivery, value: unknown, meta: Metadata): void {
    this.write(d.msg, value, meta);
    d.send(d.msg);
    d.done();
  }

  /** Ends the msg with an error: msg.sagemaker holds the metadata known and the error's details. */
  fail(d: Pick<Delivery, 'msg' | 'done' | 'hold'>, problem: Problem): void {
    if (problem.unreachable && d.hold?.(problem)) return;
    const { redact } = this.options;
    d.msg[METADATA_PROPERTY] = { ...problem.meta, error: { ...problem.details, message: redact(problem.details.message) } };
    this.options.failed?.(problem.short);
    const message = redact(problem.message);
    this.options.observer?.failed(problem.details.name, message, problem.meta);
    d.done(new Error(message));
  }

  /** The locale's words for an `errors.` key. */
  words(key: string, params?: FlowErrorParams): string {
    return this.options.words(key, params);
  }

  /** A problem with a name of our own (InvalidInput, QueueFull, AbortError, ...) in the locale's words. */
  problem(name: string, short: string, key: string, params?: FlowErrorParams, meta?: Metadata): Problem {
    const message = this.words(key, params);
    return { message, details: { name, message }, short, meta };
  }

  /** No message can be sent: the node's setup problem in `message`, or by default the config node has no client. */
  notConfigured(message: string = this.words('noConfig')): Problem {
    return { message, details: { name: 'ConfigurationError', message }, short: 'config' };
  }

  /** A msg the node cannot send (bad input): the FlowError in words. */
  invalid(err: unknown): Problem {
    const e = asFlowError(err);
    if (!(e instanceof FlowErrors)) return this.problem('InvalidInput', 'invalid', e.key, e.params);
    // Several bad fields: each in its own words, all in one message.
    const message = inWords(e, (key, params) => this.words(key, params));
    return { message, details: { name: 'InvalidInput', message }, short: 'invalid' };
  }

  /** An answer the node cannot use (does not parse, or cannot be cut into one result per message). */
  badAnswer(err: unknown, short: string, meta: Metadata, params?: FlowErrorParams): Problem {
    const e = asFlowError(err);
    return this.problem('InvalidResponse', short, e.key, { ...e.params, ...params }, meta);
  }

  /**
   * A message the dispatcher ends itself: at close, never sent (queued, or in a filling batch) or aborted in flight
   * (to `endpoint`); or after a bug.
   */
  notSent(why: Ending, endpoint: string, error?: unknown): Problem {
    switch (why) {
      case 'queued':
        return this.problem('AbortError', 'closed', 'closedQueued');
      case 'batch':
        return this.problem('AbortError', 'closed', 'closedBatch');
      case 'held':
        return this.problem('AbortError', 'closed', 'closedHeld');
      case 'inFlight':
        return this.problem('AbortError', 'closed', 'aborted', { endpoint });
      case 'bug':
        return this.problem('UnknownError', 'error', 'unexpected', { name: 'Error', message: String(error) });
    }
  }

  /** A call that failed, in words. */
  callFailed(failure: Failure): Problem {
    const problem: Problem = { message: this.words(failure.key, failure.params), details: failure.details, short: failure.short, meta: failure.meta };
    if (failure.unreachable) problem.unreachable = true;
    return problem;
  }
}
