/**
 * The live figures' hooks in the shapes the nodes' parts call: a call's observer (requests, bytes), an outcome's
 * observer (messages ended, errors, latency and batches from the metadata each message ends with) and a bidi
 * stream's observer. No Node-RED import.
 */
import type { CallObserver } from '../invoke/call';
import type { OutcomeObserver } from '../invoke/outcome';
import type { Metadata } from '../invoke/metadata';
import type { StreamObserver } from '../bidi/stream';
import type { FigureHooks } from './figures';

export function callObserver(figures: FigureHooks): CallObserver {
  return { request: (bytes) => figures.request(bytes), received: (bytes) => figures.received(bytes) };
}

/**
 * A request's latency and batch, told once per request: by the message that ends with the request's metadata (the
 * first of a batch). The latency is `durationMs` (from sending to the whole answer: a stream's last part), plus
 * `waitedMs` for an async result waited for. A message that ended before any request (bad input, queue full,
 * closed) has no `durationMs` and tells none.
 */
function request(figures: FigureHooks, meta: Metadata | undefined): void {
  if (!meta || meta.durationMs === undefined || (meta.batch && meta.batch.index > 0)) return;
  figures.latency(meta.durationMs + (meta.waitedMs ?? 0));
  if (meta.batch) figures.batch(meta.batch.size);
}

export function outcomeObserver(figures: FigureHooks): OutcomeObserver {
  return {
    answered: (meta) => {
      request(figures, meta);
      figures.ended();
    },
    failed: (name, message, meta) => {
      request(figures, meta);
      figures.ended(name, message);
    },
  };
}

/** The bidi node's: a stream opened is a request; each answered part a latency. */
export function streamObserver(figures: FigureHooks): StreamObserver {
  return {
    opened: () => figures.request(0),
    sent: (bytes) => figures.sent(bytes),
    answered: (latencyMs, bytes) => {
      figures.latency(latencyMs);
      figures.received(bytes);
    },
  };
}
