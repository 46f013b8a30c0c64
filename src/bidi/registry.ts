/**
 * The node's streams, keyed by msg.topic: a message whose key has no stream taking input opens one (within
 * maxStreams), msg.reset aborts its key's streams, and close ends every input side, then aborts what is left after a
 * grace. Every message it is handed ends exactly once, through `end`. No Node-RED import.
 */
import type { BidiField } from '../shared/bidi-settings';
import type { BidiSettings } from '../shared/bidi-settings';
import { FlowError } from '../shared/flow-error';
import type { MappedError } from '../invoke/errors';
import { ownProblem } from './errors';
import { readInput, type InputIntent } from './part';
import { resolveRequest, streamKey } from './request';
import { BidiStream, type MsgLike, type Opener, type StreamObserver, type Totals } from './stream';

/** How long streams may finish on their own at close before they are aborted. */
export const CLOSE_GRACE_MS = 2000;

export interface RegistryOptions {
  settings: BidiSettings;
  /** the config node's per-attempt timeout and endpoint URL, quoted by the words of a failure */
  timeoutMs: number;
  endpointUrl?: string;
  open: Opener;
  emit(msg: MsgLike): void;
  report(problem: MappedError, lastMsg: MsgLike | undefined, totals: Totals): void;
  /** msg properties the node's set fields override, to warn about */
  overridden(fields: BidiField[]): void;
  changed(): void;
  /** told of each stream's request, parts and answers (the live figures) */
  observer?: StreamObserver;
}

export interface RegistryCounts {
  streams: number;
  /** parts waiting for the wire, over every stream */
  waiting: number;
}

/** A FlowError (bad input) as the InvalidInput problem of the message that caused it. */
function invalid(err: unknown): MappedError {
  const e = err instanceof FlowError ? err : new FlowError('unexpected', { name: 'Error', message: String(err) });
  return ownProblem('InvalidInput', 'invalid', e.key, e.params);
}

export class StreamRegistry {
  /** the stream of each key that still takes input */
  private readonly byKey = new Map<string, BidiStream>();
  /** every stream not yet over (those whose input side ended still receive answers) */
  private readonly open = new Map<BidiStream, string>();
  private closing = false;

  constructor(private readonly options: RegistryOptions) {}

  counts(): RegistryCounts {
    let waiting = 0;
    for (const stream of this.open.keys()) waiting += stream.waiting;
    return { streams: this.open.size, waiting };
  }

  /** Takes one message; `end` is called exactly once, now or when its part is on the wire (or failed). */
  input(msg: MsgLike, end: (problem?: MappedError) => void): void {
    let intent: InputIntent;
    try {
      intent = readInput(msg);
    } catch (err) {
      return end(invalid(err));
    }
    const key = streamKey(msg);
    if (intent.reset) {
      for (const [stream, k] of this.open) if (k === key) stream.cancel('reset');
      return end();
    }
    if (this.closing) return end(ownProblem('AbortError', 'closed', 'closedUnsent', { endpoint: '' }));
    let stream = this.byKey.get(key);
    if (stream && !stream.accepting) {
      this.byKey.delete(key);
      stream = undefined;
    }
    if (!stream) {
      // Only a part opens a stream: msg.complete alone for a key with none open has nothing to end.
      if (!intent.part) return end();
      const opened = this.openStream(key, msg, end);
      if (!opened) return;
      stream = opened;
    }
    if (intent.part) stream.push({ msg, end }, intent.part);
    else end();
    if (intent.complete) stream.endInput();
    this.options.changed();
  }

  private openStream(key: string, msg: MsgLike, end: (problem?: MappedError) => void): BidiStream | undefined {
    const { settings } = this.options;
    if (this.open.size >= settings.maxStreams) {
      end(ownProblem('QueueFull', 'max streams', 'tooManyStreams', { key, maxStreams: settings.maxStreams }));
      return undefined;
    }
    let resolved;
    try {
      resolved = resolveRequest(settings.fields, msg);
    } catch (err) {
      end(invalid(err));
      return undefined;
    }
    if (resolved.overridden.length) this.options.overridden(resolved.overridden);
    const { open, emit, report, changed, observer, timeoutMs, endpointUrl } = this.options;
    const stream = new BidiStream(
      { key, request: resolved.request, maxQueue: settings.maxQueue, idleMs: settings.idleTimeout * 1000, output: settings.output, timeoutMs, endpointUrl },
      {
        open,
        emit,
        report,
        changed,
        observer,
        finished: (s) => {
          this.open.delete(s);
          if (this.byKey.get(key) === s) this.byKey.delete(key);
        },
      },
    );
    this.byKey.set(key, stream);
    this.open.set(stream, key);
    stream.start();
    return stream;
  }

  /**
   * Ends every stream: input sides close at once (queued parts still go), and what has not ended after
   * `graceMs` is aborted, its unsent messages ending with an error. Resolves when nothing of any stream runs.
   * @returns how many streams had to be aborted
   */
  async close(graceMs: number = CLOSE_GRACE_MS): Promise<number> {
    this.closing = true;
    const streams = [...this.open.keys()];
    for (const stream of streams) stream.endInput();
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all(streams.map((s) => s.ended));
    const graceOver = new Promise<'grace'>((resolve) => (timer = setTimeout(() => resolve('grace'), graceMs)));
    const first = await Promise.race([all.then(() => 'ended' as const), graceOver]);
    clearTimeout(timer);
    let aborted = 0;
    if (first === 'grace') {
      for (const stream of this.open.keys()) {
        aborted++;
        stream.cancel('closed');
      }
      await all;
    }
    return aborted;
  }
}
