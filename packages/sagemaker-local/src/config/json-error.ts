/**
 * Where a JSON text goes wrong, as a person fixing a file needs it: line, column and what was expected. JSON.parse
 * says that on some Node.js versions and not on others (Node.js 20 often only quotes the text), so this small strict
 * JSON reader finds the place itself. Pure; used only after JSON.parse has failed.
 */

export interface JsonProblem {
  /** 1-based */
  line: number;
  /** 1-based, in characters */
  column: number;
  reason: string;
}

class Stop {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {}
}

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The first place `text` breaks strict JSON (RFC 8259), or undefined when it is valid JSON. */
export function findJsonProblem(text: string): JsonProblem | undefined {
  let i = 0;
  const found = (at = i): string => (at >= text.length ? 'the end of the file' : `'${text[at]}'`);
  const stop = (reason: string, at = i): never => {
    throw new Stop(at, reason);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };

  const string = (): void => {
    const start = i;
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && HEX4.test(text.slice(i + 2, i + 6))) i += 6;
        else stop('a backslash in a text must start an escape such as \\n, \\" or \\u00e9');
        continue;
      }
      if (c < ' ') stop('a text cannot hold a line break or another control character: write it as an escape such as \\n');
      i++;
    }
    stop('a text that starts here never ends (a closing " is missing)', start);
  };

  const container = (close: '}' | ']'): void => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      space();
      if (close === '}') {
        if (text[i] !== '"') stop(`expected a property name in double quotes, found ${found()}`);
        string();
        space();
        if (text[i] !== ':') stop(`expected ':' after the property name, found ${found()}`);
        i++;
      }
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) {
        i++;
        return;
      }
      stop(`expected ',' or '${close}' after ${close === '}' ? 'a property value' : 'an array item'}, found ${found()}`);
    }
  };

  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') return container('}');
    if (c === '[') return container(']');
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m && m[0] !== '-' && m[0].length > 0) {
      i += m[0].length;
      return;
    }
    stop(`expected a value (an object, array, text in double quotes, number, true, false or null), found ${found()}`);
  };

  try {
    value();
    space();
    if (i < text.length) stop(`expected the end of the file after the JSON value, found ${found()}`);
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.at);
    const line = before.split('\n').length;
    return { line, column: err.at - before.lastIndexOf('\n'), reason: err.reason };
  }
}
