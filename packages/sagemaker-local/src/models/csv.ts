/**
 * A CSV reader for the demo model, after RFC 4180: fields separated by commas, records by CRLF or LF (a lone CR
 * too), a field in double quotes may hold commas, line breaks and doubled quotes (`""` is one `"`).
 *
 * It is written here, apart from the invoke node's CSV writer (src/invoke/batch.ts), on purpose: the local server
 * is the independent party the node is tested against, so it must not share the node's code.
 */

/** One record: its fields, which of them were quoted, and the line it starts on (1-based, for messages). */
export interface CsvRecord {
  fields: string[];
  quoted: boolean[];
  line: number;
}

/** A text that is not CSV; `line` is where the problem is. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * The records of a CSV text. A line with nothing on it is no record (a trailing line break ends the last record
 * rather than starting an empty one). A quote that is never closed, or text after a closing quote, is a
 * CsvSyntaxError; a quote inside an unquoted field is kept as text, as most CSV writers expect.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  let fields: string[] = [];
  let quoted: boolean[] = [];
  let recordLine = 1;

  const endRecord = (): void => {
    // A blank line reads as one unquoted empty field: it holds no record.
    if (!(fields.length === 1 && fields[0] === '' && !quoted[0])) records.push({ fields, quoted, line: recordLine });
    fields = [];
    quoted = [];
  };

  for (;;) {
    // At the start of a field.
    if (fields.length === 0) recordLine = line;
    if (text[i] === '"') {
      const opened = line;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= n) throw new CsvSyntaxError(`the quoted field that starts on line ${opened} is never closed`, opened);
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line += 1;
        value += c;
        i += 1;
      }
      fields.push(value);
      quoted.push(true);
      if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        throw new CsvSyntaxError(`line ${line}: text after the closing quote of a field (a quote inside a field is written "")`, line);
      }
    } else {
      let end = i;
      while (end < n && text[end] !== ',' && text[end] !== '\r' && text[end] !== '\n') end += 1;
      fields.push(text.slice(i, end));
      quoted.push(false);
      i = end;
    }
    // After a field: a comma, a line break or the end.
    if (i >= n) {
      endRecord();
      return records;
    }
    if (text[i] === ',') {
      i += 1;
      continue;
    }
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
    line += 1;
    endRecord();
    if (i >= n) return records;
  }
}
