/**
 * Cuts a `text/event-stream` answer into server-sent events, as the WHATWG HTML standard defines them: "Parsing an
 * event stream" and "Interpreting an event stream"
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation), whatever way the
 * response stream's parts cut the bytes (mid-line, mid-character, between the CR and LF of a CRLF).
 *
 * The bytes are decoded as UTF-8 whatever charset the content type names, a character split between two parts is
 * kept whole, and one leading byte order mark is dropped (TextDecoder in stream mode does all three, as the
 * standard's "UTF-8 decode" does). CRLF, LF and CR each end a line. A blank line dispatches the event; a line that
 * starts with a colon is a comment; a field's value is what follows the first colon, less one leading space; `data`
 * appends its value and a newline to the data buffer, `event` sets the event type, `id` the event's id (unless it
 * holds U+0000), `retry` and unknown fields are ignored (reconnection is not this client's business). An event whose
 * data buffer is empty is not dispatched; the data loses its last newline. At the end of the stream, a pending line
 * and an event without its blank line are discarded.
 *
 * Where the standard keeps the last event id from one event to the next (for reconnection), this gives each event
 * the id its own block set: what a flow can act on. eventsource-parser, a well-kept parser of the field, reads every
 * test stream the same way (test/lib/sse.spec.js); it is not a runtime dependency because its current line needs
 * Node.js 22.12 and ES modules (README, Stream mode). No Node-RED import.
 */
import { TextDecoder } from 'node:util';

/** One event: its data, and its name and id when its block gave them. */
export interface ServerSentEvent {
  data: string;
  /** the `event` field, when the event's block has one that is not empty */
  event?: string;
  /** the `id` field, when the event's block has one (empty for an `id` line without value) */
  id?: string;
}

const LINE_END = /\r\n?|\n/g;

export class SseDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  /** the start of a line whose end has not arrived */
  private pending = '';
  /** the last text ended in a CR: an LF that starts the next text belongs to it (CRLF cut in two) */
  private afterCr = false;
  private data = '';
  private event?: string;
  private id?: string;
  private events: ServerSentEvent[] = [];

  /** The events one part completes, in order (none when it only continues one). */
  push(bytes: Uint8Array): ServerSentEvent[] {
    this.feed(this.decoder.decode(bytes, { stream: true }));
    return this.take();
  }

  /**
   * The end of the stream: it completes no event (an event needs its blank line, and a CR that is the last byte
   * already ended its line); a pending line and an event without its blank line are discarded, as the standard says.
   */
  end(): ServerSentEvent[] {
    this.decoder.decode(); // resets the decoder; a character cut off at the end could only be part of a pending line
    this.pending = '';
    this.afterCr = false;
    this.resetEvent();
    return this.take();
  }

  private take(): ServerSentEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  private feed(text: string): void {
    if (text === '') return;
    let start = this.afterCr && text.charCodeAt(0) === 0x0a ? 1 : 0;
    this.afterCr = false;
    LINE_END.lastIndex = start;
    for (let m = LINE_END.exec(text); m !== null; m = LINE_END.exec(text)) {
      const line = this.pending + text.slice(start, m.index);
      this.pending = '';
      start = m.index + m[0].length;
      // A CR at the very end may be the first half of a CRLF.
      if (m[0] === '\r' && start === text.length) this.afterCr = true;
      this.line(line);
    }
    this.pending += text.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 0x3a) return; // ":" a comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data += `${value}\n`;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      default: // `retry` (reconnection) and fields the standard does not know
    }
  }

  private dispatch(): void {
    if (this.data !== '') {
      const event: ServerSentEvent = { data: this.data.slice(0, -1) };
      if (this.event) event.event = this.event; // an empty event type is the default type: no name
      if (this.id !== undefined) event.id = this.id;
      this.events.push(event);
    }
    this.resetEvent();
  }

  private resetEvent(): void {
    this.data = '';
    this.event = undefined;
    this.id = undefined;
  }
}
