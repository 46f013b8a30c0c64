/**
 * Where a JSON text goes wrong, as a person fixing a file needs it: line, column and what was expected. JSON.parse
 * says that on some Node.js versions and not on others (Node.js 20 often only quotes the text), so the place comes
 * from jsonc-parser (strict: no comments, no trailing commas), which reports each mistake's offset on every
 * version; this module only words its error codes. Pure; used only after JSON.parse has failed.
 */

import { ParseErrorCode, visit } from 'jsonc-parser';

export interface JsonProblem {
  /** 1-based */
  line: number;
  /** 1-based, in characters */
  column: number;
  reason: string;
}

const VALUE = 'a value (an object, array, text in double quotes, number, true, false or null)';
const AFTER_PROPERTY = "expected ',' or '}' after a property value";
const AFTER_ITEM = "expected ',' or ']' after an array item";
const CONTROL = 'a text cannot hold a line break or another control character: write it as an escape such as \\n';
const ESCAPE = 'a backslash in a text must start an escape such as \\n, \\" or \\u00e9';

/** Where the parser stood when it met the mistake. */
interface Place {
  /** the open containers, innermost last */
  open: ('object' | 'array')[];
  /** an object's property name comes next */
  key: boolean;
  /** a whole value has been read at the top level */
  done: boolean;
}

/** The words for one of jsonc-parser's error codes, at `at` in `text`. */
function reasonOf(code: ParseErrorCode, text: string, at: number, length: number, place: Place): { at: number; reason: string } {
  const found = `found ${at >= text.length ? 'the end of the file' : `'${text[at]}'`}`;
  const inObject = place.open[place.open.length - 1] === 'object';
  switch (code) {
    case ParseErrorCode.InvalidSymbol:
      if (place.open.length === 0 && place.done) return { at, reason: `expected the end of the file after the JSON value, ${found}` };
      if (inObject && place.key) return { at, reason: `expected a property name in double quotes, ${found}` };
      return { at, reason: `expected ${VALUE}, ${found}` };
    case ParseErrorCode.PropertyNameExpected:
      return { at, reason: `expected a property name in double quotes, ${found}` };
    case ParseErrorCode.ValueExpected:
      return { at, reason: `expected ${VALUE}, ${found}` };
    case ParseErrorCode.ColonExpected:
      return { at, reason: `expected ':' after the property name, ${found}` };
    case ParseErrorCode.CommaExpected:
      return { at, reason: `${inObject ? AFTER_PROPERTY : AFTER_ITEM}, ${found}` };
    case ParseErrorCode.CloseBraceExpected:
      return { at, reason: `${AFTER_PROPERTY}, ${found}` };
    case ParseErrorCode.CloseBracketExpected:
      return { at, reason: `${AFTER_ITEM}, ${found}` };
    case ParseErrorCode.EndOfFileExpected:
      return { at, reason: `expected the end of the file after the JSON value, ${found}` };
    case ParseErrorCode.UnexpectedEndOfString:
      // The string token runs up to the line break that cut it, or to the end of the file.
      return at + length < text.length
        ? { at: at + length, reason: CONTROL }
        : { at, reason: 'a text that starts here never ends (a closing " is missing)' };
    case ParseErrorCode.InvalidCharacter:
      return { at, reason: CONTROL };
    case ParseErrorCode.InvalidEscapeCharacter:
    case ParseErrorCode.InvalidUnicode:
      return { at, reason: ESCAPE };
    case ParseErrorCode.InvalidCommentToken:
    case ParseErrorCode.UnexpectedEndOfComment:
      return { at, reason: 'JSON has no comments' };
    default:
      return { at, reason: `expected ${VALUE}, ${found}` };
  }
}

/** The first place `text` breaks strict JSON (RFC 8259), or undefined when it is valid JSON. */
export function findJsonProblem(text: string): JsonProblem | undefined {
  const place: Place = { open: [], key: false, done: false };
  let first: { at: number; reason: string } | undefined;
  const close = (): void => {
    place.open.pop();
    place.key = false;
    if (place.open.length === 0) place.done = true;
  };
  visit(
    text,
    {
      onObjectBegin: () => {
        place.open.push('object');
        place.key = true;
      },
      onArrayBegin: () => {
        place.open.push('array');
      },
      onObjectEnd: close,
      onArrayEnd: close,
      onObjectProperty: () => {
        place.key = false;
      },
      onSeparator: (c) => {
        place.key = c === ',' && place.open[place.open.length - 1] === 'object';
      },
      onLiteralValue: () => {
        if (place.open.length === 0) place.done = true;
      },
      onError: (code, offset, length) => {
        first ??= reasonOf(code, text, offset, length, place);
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (!first) return undefined;
  const before = text.slice(0, first.at);
  return { line: before.split('\n').length, column: first.at - before.lastIndexOf('\n'), reason: first.reason };
}
