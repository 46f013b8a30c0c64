/**
 * One bidirectional stream: the parts of its messages flow to the operation through an async iterable that yields
 * as they come (the SDK pulls it while `send()` waits for the first answer), answers flow back as messages, and
 * every message ends exactly once. No Node-RED import: the registry (registry.ts) hands in how to open, emit,
 * end and report.
 *
 * A message is done when the operation pulls its part onto the HTTP/2 stream. Parts pulled before the stream has
 * opened are held until it has (the service answers only once the model does): an open that fails ends them with
 * its error, so no message is told "done" for a part the model never took.
 */
import { METADATA_PROPERTY } from '../shared/names';
import type { OutputMode } from '../shared/invoke-settings';
import { FlowError } from '../shared/flow-error';
import type { MappedError } from '../invoke/errors';
import { decodePart, type Part } from './part';
import { InputQueue } from './input-queue';
import type { BidiTarget as BidiRequest, BidiStream as Opened, OpenHooks } from './operation';
import { openFailed, ownProblem, streamBroken, streamEventFailed, type StreamContext } from './errors';

export type MsgLike = Record<string, unknown>;

/** The operation's request, answer events and open stream, as bidi/operation defines them. */
export type { BidiTarget as BidiRequest, BidiEvent as AnswerEvent, BidiStream as Opened } from './operation';

/**
 * Opens the operation with `input` as its request events; resolves once the answer stream has begun, and tells
 * `hooks.opened` as soon as the service has accepted the stream (before the first answer).
 */
export type Opener = (request: BidiRequest, input: AsyncIterable<Part>, signal: AbortSignal, hooks?: OpenHooks) => Promise<Opened>;

/** A message in a stream, and how it ends: `end()` when done, `end(problem)` when it failed. */
export interface Entry {
  msg: MsgLike;
  end(problem?: MappedError): void;
}

/** A stream's totals, in its completion message and beside its failure. */
export interface Totals {
  endpointName: string;
  invokedProductionVariant?: string;
  partsSent: number;
  partsReceived: number;
  durationMs: number;
}

export interface StreamHooks {
  open: Opener;
  /** sends an answer or completion message */
  emit(msg: MsgLike): void;
  /** a failure after parts were handed over, with the stream's last input message (already done) */
  report(problem: MappedError, lastMsg: MsgLike | undefined, totals: Totals): void;
  /** the counts changed (status) */
  changed(): void;
  /** the stream is over: nothing of it runs any more */
  finished(stream: BidiStream): void;
  /** told of the stream's request, parts and answers (the live figures) */
  observer?: StreamObserver;
}

/**
 * Told as a stream goes: opened (one request), a part's bytes on the wire, each answer part with its latency: from
 * its input part while the model answers one for one (answer n to part n), else from the stream's open.
 */
export interface StreamObserver {
  opened(): void;
  sent(bytes: number): void;
  answered(latencyMs: number, bytes: number): void;
}

/** How many parts' send times a stream keeps for the one-for-one latency. */
const SENT_TIMES = 64;

export interface StreamOptions {
  key: string;
  request: BidiRequest;
  maxQueue: number;
  idleMs: number;
  output: OutputMode;
  /** the config node's timeout and endpoint URL, quoted by the words of a failure */
  timeoutMs: number;
  endpointUrl?: string;
}

/** Why the node itself ended a stream early. */
type Stop = 'reset' | 'closed';

export class BidiStream {
  /** the request events, pulled by the operation as the HTTP/2 stream takes them */
  private readonly input: InputQueue<Part>;
  /** messages whose part is in the input queue, oldest first */
  private readonly queued = new Set<Entry>();
  /** pulled before the stream opened; undefined once it has */
  private held: Entry[] | undefined = [];
  private inputEnded = false;
  private over = false;
  private stop: Stop | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private readonly started = Date.now();
  private lastMsg: MsgLike | undefined;
  private variant: string | undefined;
  private partsSent = 0;
  private partsReceived = 0;
  /** when the stream was opened, and when the last SENT_TIMES parts went (performance.now), for the latency */
  private openedAt = 0;
  private readonly sentAt = new Float64Array(SENT_TIMES);
  /** resolves when the stream is over (set by start) */
  ended: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: StreamOptions,
    private readonly hooks: StreamHooks,
  ) {
    this.input = new InputQueue<Part>(options.maxQueue);
  }

  /** Opens the stream; its end is told through hooks.finished, never synchronously from here. */
  start(): void {
    this.touch();
    this.ended = Promise.resolve()
      .then(() => this.run())
      .catch((err: unknown) => this.finish(ownProblem('UnknownError', 'error', 'unexpected', { name: 'Error', message: String(err) })));
  }

  /** Whether it takes more input (its input side is open). */
  get accepting(): boolean {
    return !this.inputEnded && !this.over;
  }

  /** Parts waiting for the wire (queued, or pulled and held until the stream opens). */
  get waiting(): number {
    return this.queued.size + (this.held?.length ?? 0);
  }

  /** Queues a message's part, or ends the message at once with QueueFull past maxQueue. */
  push(entry: Entry, part: Part): void {
    if (this.input.length >= this.options.maxQueue) {
      entry.end(ownProblem('QueueFull', 'queue full', 'queueFull', { key: this.options.key, maxQueue: this.options.maxQueue }));
      return;
    }
    this.queued.add(entry);
    // Rejected only when the stream ends first, which then ends the message itself (see finish).
    this.input.push(part).then(
      () => this.handedOver(entry, part),
      () => undefined,
    );
    this.touch();
  }

  /** Ends the input side once the queued parts are on the wire (msg.complete, idle timeout, close). */
  endInput(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    this.clearIdle();
    this.input.end();
  }

  /** Aborts the stream at once (msg.reset, or close after its grace). */
  cancel(stop: Stop): void {
    if (this.over) return;
    this.stop ??= stop;
    this.inputEnded = true;
    this.input.close('aborted');
    this.abort.abort();
  }

  private context(): StreamContext {
    const { request, timeoutMs, endpointUrl } = this.options;
    return { endpointName: request.endpointName, timeoutMs, endpointUrl, partsSent: this.partsSent, partsReceived: this.partsReceived };
  }

  private totals(): Totals {
    return {
      endpointName: this.options.request.endpointName,
      ...(this.variant ? { invokedProductionVariant: this.variant } : {}),
      partsSent: this.partsSent,
      partsReceived: this.partsReceived,
      durationMs: Date.now() - this.started,
    };
  }

  private handedOver(entry: Entry, part: Part): void {
    if (!this.queued.delete(entry)) return;
    this.sentAt[this.partsSent % SENT_TIMES] = performance.now();
    this.hooks.observer?.sent(part.bytes.byteLength);
    this.partsSent++;
    this.lastMsg = entry.msg;
    if (this.held) this.held.push(entry);
    else entry.end();
    this.hooks.changed();
  }

  private async run(): Promise<void> {
    let opened: Opened;
    this.openedAt = performance.now();
    this.hooks.observer?.opened();
    try {
      // The service's 200 opens the stream: the parts held until then were sent, even if the model answers later.
      opened = await this.hooks.open(this.options.request, this.input, this.abort.signal, {
        opened: ({ invokedProductionVariant }) => this.accepted(invokedProductionVariant),
      });
    } catch (err) {
      return this.finish(this.stop ? this.stopped() : openFailed(err, this.context()), true);
    }
    this.accepted(opened.invokedProductionVariant);
    try {
      for await (const event of opened.events) {
        if (event.kind !== 'part') return this.finish(streamEventFailed(event, this.context()));
        this.answer(event);
      }
    } catch (err) {
      return this.finish(this.stop ? this.stopped() : streamBroken(err, this.context()));
    }
    this.finish(this.stop ? this.stopped() : undefined);
  }

  /** The stream is open: the messages held until now are done, and later ones are done as the wire takes them. */
  private accepted(variant: string | undefined): void {
    if (!this.held) return;
    this.variant = variant;
    const held = this.held;
    this.held = undefined;
    for (const entry of held) entry.end();
    this.hooks.changed();
  }

  private answer(part: Part): void {
    const index = this.partsReceived++;
    this.observeAnswer(index, part);
    let payload: unknown;
    try {
      payload = decodePart(part, this.options.output);
    } catch (err) {
      const e = err instanceof FlowError ? err : new FlowError('unexpected', { name: 'Error', message: String(err) });
      this.hooks.report(ownProblem('InvalidResponse', 'bad JSON', e.key, { ...e.params, index }), this.lastMsg, this.totals());
      return;
    }
    const { dataType, completionState } = part;
    const meta = { endpointName: this.options.request.endpointName, invokedProductionVariant: this.variant, dataType, completionState, index };
    if (meta.invokedProductionVariant === undefined) delete meta.invokedProductionVariant;
    this.hooks.emit({ topic: this.options.key, payload, [METADATA_PROPERTY]: meta });
  }

  private observeAnswer(index: number, part: Part): void {
    const { observer } = this.hooks;
    if (!observer) return;
    const oneForOne = index < this.partsSent && this.partsSent - index <= SENT_TIMES;
    observer.answered(performance.now() - (oneForOne ? this.sentAt[index % SENT_TIMES] : this.openedAt), part.bytes.byteLength);
  }

  /** The problem of a stream the node stopped (reset or close): what its unsent messages end with. */
  private stopped(): MappedError {
    return this.stop === 'reset'
      ? ownProblem('AbortError', 'reset', 'resetUnsent', { key: this.options.key })
      : ownProblem('AbortError', 'closed', 'closedUnsent', { endpoint: this.options.request.endpointName });
  }

  /**
   * Ends the stream once: the messages whose parts never reached the model end with the problem (or, after a normal
   * end, with `endedUnsent`); a failure after the open is reported with the counts; a normal end sends the totals.
   */
  private finish(problem: MappedError | undefined, beforeOpen = false): void {
    if (this.over) return;
    this.over = true;
    this.inputEnded = true;
    this.clearIdle();
    const unsent = problem && (beforeOpen || this.stop) ? problem : ownProblem('AbortError', 'ended', 'endedUnsent', { key: this.options.key });
    const held = this.held ?? [];
    const unsentEntries = [...this.queued];
    this.held = undefined;
    this.queued.clear();
    this.input.close('the stream ended');
    // Parts pulled before the open settled reached the wire: they fail with an open the service refused, and end
    // well when the node itself stopped the stream (reset, close), as the flow asked.
    for (const entry of held) entry.end(this.stop ? undefined : unsent);
    for (const entry of unsentEntries) entry.end(unsent);
    // After a failure the HTTP/2 stream is torn down; after a normal end the input side closes in order (the
    // queue ends, so the operation sends its last empty event and ends its side).
    if (problem) this.abort.abort();
    if (problem && !beforeOpen && !this.stop) this.hooks.report(problem, this.lastMsg, this.totals());
    if (!problem) this.hooks.emit({ topic: this.options.key, complete: true, [METADATA_PROPERTY]: this.totals() });
    this.hooks.changed();
    this.hooks.finished(this);
  }

  /** Restarts the idle timer: `idleMs` without input ends the input side. */
  private touch(): void {
    if (!this.accepting) return;
    this.clearIdle();
    this.idleTimer = setTimeout(() => this.endInput(), this.options.idleMs);
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
