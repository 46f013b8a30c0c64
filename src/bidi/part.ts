/**
 * One msg as a payload part of a bidirectional stream, and one answer part as a msg payload: the wire's two
 * directions in one place. The body encoding and text decoding are the invoke node's (invoke/body, invoke/response),
 * so a msg.payload becomes the same bytes whichever node sends it. No Node-RED import.
 */
import type { OutputMode } from '../shared/invoke-settings';
import { encodeBody } from '../invoke/body';
import { asBuffer, decodeBody, decodeText } from '../invoke/response';

import type { BidiPart } from './operation';

/** A payload part, either way (the operation's own type). */
export type Part = BidiPart;

/** What a msg asks of its stream: maybe a part, maybe the end of the input side, maybe an abort. */
export interface InputIntent {
  part?: Part;
  /** msg.complete === true: end the input side after this part (if any) */
  complete: boolean;
  /** msg.reset === true: abort the stream at once */
  reset: boolean;
}

/** msg.payload absent: nothing to send (a msg may only complete or reset its stream). */
const absent = (value: unknown): boolean => value === undefined || value === null;

/**
 * Reads a msg: its payload as one part (a Buffer BINARY, a string UTF8, anything else JSON as UTF8; PARTIAL when
 * msg.partial === true), and its flags. Throws a FlowError naming msg.payload when it has neither a payload nor
 * a flag, or a payload that cannot be sent.
 */
export function readInput(msg: Record<string, unknown>): InputIntent {
  const reset = msg.reset === true;
  const complete = msg.complete === true;
  if (reset) return { reset, complete };
  if (absent(msg.payload) && complete) return { reset, complete };
  const { body, kind } = encodeBody(msg.payload, 'payload');
  const part: Part = {
    bytes: body,
    dataType: kind === 'bytes' ? 'BINARY' : 'UTF8',
    completionState: msg.partial === true ? 'PARTIAL' : 'COMPLETE',
  };
  return { part, complete, reset };
}

/**
 * An answer part as msg.payload: BINARY as a Buffer (unless `output` asks for text or JSON), UTF8 as text, parsed
 * when `output` is json (a FlowError `badJson` when it does not parse) and, under `auto`, when it parses as JSON.
 */
export function decodePart(part: Part, output: OutputMode): unknown {
  if (output === 'auto') {
    if (part.dataType === 'BINARY') return asBuffer(part.bytes);
    const text = decodeText(part.bytes, undefined);
    return looksLikeJson(text) ? parseOr(text) : text;
  }
  return decodeBody(part.bytes, part.dataType === 'UTF8' ? 'text/plain; charset=utf-8' : undefined, output);
}

/** Only text that starts like a JSON object, array, string or number is worth a parse attempt. */
function looksLikeJson(text: string): boolean {
  return /^\s*[[{"\-0-9tfn]/.test(text);
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
