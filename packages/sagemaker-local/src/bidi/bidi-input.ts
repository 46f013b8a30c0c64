/**
 * The input side of one bidirectional stream: bytes from the HTTP/2 stream, cut anywhere, become envelopes
 * (MessageDecoder), each envelope's chained signature is checked (EventSignatureChain), and each inner `PayloadPart`
 * event becomes an InputPart that the handler reads as an async iterable. When the handler reads slower than the
 * client writes, the HTTP/2 stream is paused, so HTTP/2 flow control slows the client instead of memory growing.
 */

import type { ServerHttp2Stream } from 'http2';
import { decodeMessage, MessageDecoder, type MessageHeaders } from '../io/event-codec';
import { EventSignatureChain, EventSignatureError } from '../signing/event-signature';
import type { CompletionState, DataType, InputPart } from './bidi-types';

/** Parts held for a slow handler before the stream is paused. */
const HIGH_WATER_PARTS = 32;

/** Why the input cannot go on: the error code sent to the client in an event-stream `error` message, and why. */
export interface InputFailure {
  code: 'InvalidSignatureException' | 'InputValidationError';
  message: string;
}

function stringHeader(headers: MessageHeaders, name: string): string | undefined {
  const h = headers[name];
  return h?.type === 'string' ? h.value : undefined;
}

/** An inner event message as an InputPart, or the reason it is not one. */
export function parseInputEvent(bytes: Uint8Array): InputPart | InputFailure {
  let message;
  try {
    message = decodeMessage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    return { code: 'InputValidationError', message: `A signed input event is not a valid event-stream message: ${(err as Error).message}.` };
  }
  const messageType = stringHeader(message.headers, ':message-type');
  const eventType = stringHeader(message.headers, ':event-type');
  if (messageType !== 'event' || eventType !== 'PayloadPart') {
    return { code: 'InputValidationError', message: `Unknown input event '${eventType ?? messageType ?? '(none)'}': the input stream takes PayloadPart events.` };
  }
  const dataType = stringHeader(message.headers, 'DataType');
  const completionState = stringHeader(message.headers, 'CompletionState');
  const p = stringHeader(message.headers, 'P');
  if (dataType !== undefined && dataType !== 'UTF8' && dataType !== 'BINARY') {
    return { code: 'InputValidationError', message: `PayloadPart DataType must be UTF8 or BINARY (got '${dataType.slice(0, 40)}').` };
  }
  if (completionState !== undefined && completionState !== 'PARTIAL' && completionState !== 'COMPLETE') {
    return { code: 'InputValidationError', message: `PayloadPart CompletionState must be PARTIAL or COMPLETE (got '${completionState.slice(0, 40)}').` };
  }
  return {
    bytes: Buffer.from(message.body),
    ...(dataType !== undefined ? { dataType: dataType as DataType } : {}),
    ...(completionState !== undefined ? { completionState: completionState as CompletionState } : {}),
    ...(p !== undefined ? { p } : {}),
  };
}

export class BidiInput implements AsyncIterable<InputPart> {
  private readonly decoder = new MessageDecoder();
  private readonly queue: InputPart[] = [];
  private wake?: () => void;
  private finished = false;
  private signedEnd = false;
  /** input parts whose signatures checked out */
  received = 0;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly chain: EventSignatureChain,
    private readonly onFailure: (failure: InputFailure) => void,
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => {
      if (!this.finished && !this.signedEnd) {
        this.fail({ code: 'InvalidSignatureException', message: 'The input stream ended without its signed end event (an empty signed event).' });
        return;
      }
      this.finish();
    });
    stream.on('close', () => this.finish());
  }

  /** Stops taking input (the stream failed or closed); the iterator ends after the parts already queued. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.stream.resume(); // let any further bytes drain away rather than hold the flow-control window
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<InputPart> {
    for (;;) {
      const part = this.queue.shift();
      if (part) {
        if (this.queue.length < HIGH_WATER_PARTS / 2 && this.stream.isPaused() && !this.finished) this.stream.resume();
        yield part;
        continue;
      }
      if (this.finished) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    let envelopes: Buffer[];
    try {
      envelopes = this.decoder.push(chunk);
    } catch (err) {
      this.fail({ code: 'InputValidationError', message: `The input stream is not a valid event stream: ${(err as Error).message}.` });
      return;
    }
    for (const raw of envelopes) {
      if (this.finished) return;
      if (!this.take(raw)) return;
    }
    if (this.queue.length >= HIGH_WATER_PARTS) this.stream.pause();
  }

  /** One envelope: checked, then queued. False when the stream failed. */
  private take(raw: Buffer): boolean {
    try {
      const verified = this.chain.verify(decodeMessage(raw));
      if (verified.end) {
        this.signedEnd = true;
        this.finish();
        return false;
      }
      const part = parseInputEvent(verified.payload);
      if ('code' in part) {
        this.fail(part);
        return false;
      }
      this.received++;
      this.queue.push(part);
      this.wake?.();
      return true;
    } catch (err) {
      const code = err instanceof EventSignatureError ? 'InvalidSignatureException' : 'InputValidationError';
      this.fail({ code, message: code === 'InputValidationError' ? `An input event is not a valid event-stream message: ${(err as Error).message}.` : (err as Error).message });
      return false;
    }
  }

  private fail(failure: InputFailure): void {
    if (this.finished) return;
    this.queue.length = 0;
    this.finish();
    this.onFailure(failure);
  }
}
