/**
 * Bidirectional streams to a model container, over SageMaker's bidirectional container contract: for each stream
 * the local server (playing SageMaker's sidecar) opens a WebSocket to the container's
 * `/invocations-bidirectional-stream` (or to the call's X-Amzn-SageMaker-Model-Invocation-Path, with its
 * X-Amzn-SageMaker-Model-Query-String), then
 *
 * - each UTF8 input part goes as a text frame, each BINARY part (or one without a DataType) as a binary frame; a
 *   PARTIAL part is a frame without FIN, so the container receives the joined parts as one WebSocket message;
 * - each message the container sends comes back as one COMPLETE PayloadPart, UTF8 for text, BINARY for binary;
 * - the end of the client's input starts the closing handshake (1000); the container's close ends the output
 *   (a code other than 1000/1005 ends it with a ModelStreamError naming the code and reason);
 * - a container that cannot be reached, or refuses the upgrade, fails the call before the stream: ModelError (424)
 *   with OriginalStatusCode (0 when it did not answer);
 * - pings go to the container every 60 seconds, and 5 unanswered ones close the connection, as the sidecar does;
 * - a client reading slower than the container writes pauses the WebSocket (64 messages held at most), so TCP
 *   slows the container down instead of memory growing.
 */

import WebSocket from 'ws';
import type { BidiAnswer, BidiCall, BidiHandler, BidiOutputEvent } from '../bidi/bidi-types';
import type { EndpointError } from '../runtime/types';
import { containerError, noAnswerError } from '../runtime/model-error';

export interface ContainerBidiOptions {
  /** the container's base URL, `http://host:port` */
  url: string;
  /** milliseconds the WebSocket upgrade may take; default 10000 */
  openTimeoutMs?: number;
  /** milliseconds between pings; default 60000 (the sidecar's) */
  pingIntervalMs?: number;
}

export const CONTAINER_BIDI_PATH = '/invocations-bidirectional-stream';
const MAX_UNANSWERED_PINGS = 5;
/** The largest message taken from a container (the event-stream message limit is 16 MB). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Milliseconds a closing handshake may take before the connection is dropped. */
const CLOSE_TIMEOUT_MS = 5000;

/** The container refused the upgrade with an HTTP answer (status > 0), or could not be reached (status 0). */
class OpenError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body = '',
  ) {
    super(message);
  }
}
/** Container messages held for a client that reads slowly before the WebSocket is paused (TCP then slows the container). */
const OUTPUT_HIGH_WATER = 64;

/** The WebSocket URL of a call: the container's host, the invocation path, the query string. */
export function containerSocketUrl(base: string, call: Pick<BidiCall, 'modelInvocationPath' | 'modelQueryString'>): string {
  const url = new URL(base);
  const path = call.modelInvocationPath !== undefined ? `/${call.modelInvocationPath}` : CONTAINER_BIDI_PATH;
  return `ws://${url.host}${path}${call.modelQueryString !== undefined ? `?${call.modelQueryString}` : ''}`;
}

/** A queue of output events fed by WebSocket callbacks and read by the server's output pump. */
class OutputQueue implements AsyncIterable<BidiOutputEvent> {
  private readonly items: BidiOutputEvent[] = [];
  private ended = false;
  private wake?: () => void;
  private full = false;
  /** called with true past HIGH_WATER messages (stop reading the container), false once half drained */
  onFull: (full: boolean) => void = () => undefined;

  push(event: BidiOutputEvent): void {
    if (this.ended) return;
    this.items.push(event);
    if (!this.full && this.items.length >= OUTPUT_HIGH_WATER) {
      this.full = true;
      this.onFull(true);
    }
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<BidiOutputEvent> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        if (this.full && this.items.length <= OUTPUT_HIGH_WATER / 2) {
          this.full = false;
          this.onFull(false);
        }
        yield next;
        if (!('part' in next)) return;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/** Opens the WebSocket to the container (the `ws` library: no compression, as the sidecar asks none). */
function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false, maxPayload: MAX_MESSAGE_BYTES });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        req.destroy();
        reject(new OpenError(`the container answered the upgrade with ${res.statusCode}`, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      });
    });
    socket.on('error', (err) => reject(new OpenError(err.message, 0)));
  });
}

/** Closes with a handshake, dropping the connection when the container does not answer it within `timeoutMs`. */
function closeSocket(socket: WebSocket, code: number, reason: string, timeoutMs = CLOSE_TIMEOUT_MS): void {
  if (socket.readyState === WebSocket.CLOSED) return;
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), timeoutMs).unref();
}

/** Sends the client's parts to the container as they come; starts the closing handshake when the input ends. */
async function forwardInput(call: BidiCall, socket: WebSocket): Promise<void> {
  try {
    for await (const part of call.input) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      // A PARTIAL part is a frame without FIN: `ws` sends the next one as its continuation.
      await new Promise<void>((resolve, reject) => {
        socket.send(part.bytes, { binary: part.dataType !== 'UTF8', fin: part.completionState !== 'PARTIAL' }, (err) => (err ? reject(err) : resolve()));
      });
    }
    closeSocket(socket, 1000, 'input ended');
  } catch {
    socket.terminate();
  }
}

/** Pings the container while the stream is open; closes the connection after too many unanswered pings. */
function keepAlive(socket: WebSocket, intervalMs: number, answered: { count: number }): () => void {
  let unanswered = 0;
  let seen = answered.count;
  const timer = setInterval(() => {
    if (answered.count !== seen) unanswered = 0;
    seen = answered.count;
    if (++unanswered > MAX_UNANSWERED_PINGS) {
      closeSocket(socket, 1001, 'the container did not answer pings');
      return;
    }
    if (socket.readyState === WebSocket.OPEN) socket.ping();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

async function open(options: ContainerBidiOptions, call: BidiCall): Promise<BidiAnswer | EndpointError> {
  let socket: WebSocket;
  try {
    socket = await openSocket(containerSocketUrl(options.url, call), options.openTimeoutMs ?? 10000);
  } catch (err) {
    if (err instanceof OpenError && err.status > 0) return containerError(err.status, err.body || err.message);
    return noAnswerError(`Amazon SageMaker could not open a stream to the ${call.endpointName} endpoint's container at ${options.url}: ${(err as Error).message}.`);
  }
  const output = new OutputQueue();
  // Any frame from the container counts as a sign of life, pongs included (they reset the ping count).
  const alive = { count: 0 };
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    alive.count++;
    output.push({ part: data, dataType: isBinary ? 'BINARY' : 'UTF8', completionState: 'COMPLETE' });
  });
  socket.on('pong', () => alive.count++);
  socket.on('error', () => undefined); // the close that follows ends the output
  socket.once('close', (code: number, reason: Buffer) => {
    if (code !== 1000 && code !== 1005) {
      const why = reason.toString('utf8');
      output.push({ error: 'ModelStreamError', message: `The container closed the stream with code ${code}${why ? `: ${why}` : ''}.`, errorCode: String(code) });
    }
    output.end();
  });
  output.onFull = (full) => (full ? socket.pause() : socket.resume());
  const stopPings = keepAlive(socket, options.pingIntervalMs ?? 60000, alive);
  call.signal.addEventListener('abort', () => {
    stopPings();
    closeSocket(socket, 1001, 'the client went away', 1000);
  });
  void forwardInput(call, socket).finally(() => undefined);
  return { output: withCleanup(output, stopPings) };
}

async function* withCleanup(output: OutputQueue, cleanup: () => void): AsyncGenerator<BidiOutputEvent> {
  try {
    yield* output;
  } finally {
    cleanup();
  }
}

/** A bidirectional endpoint handler that streams to a local model container over WebSocket. */
export function containerBidi(options: ContainerBidiOptions): BidiHandler {
  return (call) => open(options, call);
}
