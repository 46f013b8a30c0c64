/**
 * Cuts a `text/event-stream` answer into server-sent events, as the WHATWG HTML standard's event-stream
 * interpretation defines them (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
 * whatever way the response stream's parts cut the bytes.
 *
 * The parsing of lines and fields is eventsource-parser's (a blank line ends an event, `data` lines joined with
 * "\n", one space after the colon removed, CRLF, LF and CR all end lines, comments and `retry` are framing, an
 * event without data fires nothing). Around it, this module does what the standard asks of the bytes: it decodes
 * them as UTF-8 whatever the content type's charset says, keeps a character split between two parts whole, and
 * drops one leading byte order mark (TextDecoder in stream mode does all three). And since eventsource-parser 3
 * waits for the byte after a CR to know whether it is CRLF, a stream whose very last byte is a CR gets that line
 * end at the end of the stream. What is still pending at the end (an event without its blank line) is discarded,
 * as the standard says. No Node-RED import.
 */
import { TextDecoder } from 'node:util';
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

/** One event: its data, and its name and id when the stream gave them. */
export interface ServerSentEvent {
  data: string;
  /** the `event` field, when the event has one */
  event?: string;
  /** the `id` field, when the event has one (may be empty: an `id` line without value) */
  id?: string;
}

export class SseDecoder {
  private readonly decoder = new TextDecoder('utf-8'); // UTF-8 always, the standard says; it drops a leading BOM
  private readonly parser: EventSourceParser;
  private events: ServerSentEvent[] = [];
  private endsWithCr = false;

  constructor() {
    this.parser = createParser({ onEvent: (e) => this.events.push(eventOf(e)) });
  }

  /** The events one part completes, in order (none when it only continues one). */
  push(bytes: Uint8Array): ServerSentEvent[] {
    return this.feed(this.decoder.decode(bytes, { stream: true }));
  }

  /** The events the end of the stream completes: only one whose blank line ended in the stream's last byte, a CR. */
  end(): ServerSentEvent[] {
    const tail = this.decoder.decode(); // a character cut off at the very end: U+FFFD, as the standard decodes it
    const events = this.feed(tail);
    if (!this.endsWithCr) return events;
    this.endsWithCr = false;
    return [...events, ...this.feed('\n')]; // CR then LF is still one line end: only the pending CR is settled
  }

  private feed(text: string): ServerSentEvent[] {
    if (text !== '') {
      this.parser.feed(text);
      this.endsWithCr = text.endsWith('\r');
    }
    const events = this.events;
    this.events = [];
    return events;
  }
}

function eventOf(e: EventSourceMessage): ServerSentEvent {
  const event: ServerSentEvent = { data: e.data };
  if (e.event !== undefined) event.event = e.event;
  if (e.id !== undefined) event.id = e.id;
  return event;
}
