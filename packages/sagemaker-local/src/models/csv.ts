/**
 * The demo model's CSV reading, on csv-parse (RFC 4180: fields separated by commas, records by CRLF, LF or a lone
 * CR; a field in double quotes may hold commas, line breaks and doubled quotes). This module only adds what the
 * demo's messages need: the line each record starts on, blank lines skipped, and csv-parse's errors in plain words
 * with the line.
 *
 * The local server is the independent party the invoke node is tested against, so it reads CSV with a library of
 * its own, never with the node's writer (src/invoke/batch.ts of the Node-RED package).
 */

import { parse } from 'csv-parse/sync';

/** One record: its fields, and the line it starts on (1-based, for messages). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** A text that is not CSV; `line` is where the record at fault starts. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const OPTIONS = { relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] };
const LINE_BREAKS = /\r\n|\r|\n/g;

/** What csv-parse's error code means, for the record that starts on `line`. */
function syntaxError(err: Error & { code?: string }, line: number): CsvSyntaxError {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvSyntaxError(`the quoted field of the row that starts on line ${line} is never closed`, line);
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new CsvSyntaxError(`line ${line}: text after the closing quote of a field (a quote inside a field is written "")`, line);
    case 'INVALID_OPENING_QUOTE':
      return new CsvSyntaxError(`line ${line}: a quote inside a field that does not start with one (quote the whole field, and write a quote inside it as "")`, line);
    default:
      return new CsvSyntaxError(`line ${line}: ${err.message}`, line);
  }
}

/**
 * The records of a CSV text. A line with nothing on it is no record (a trailing line break ends the last record
 * rather than starting an empty one). A quote that is never closed, text after a closing quote or a quote inside
 * an unquoted field is a CsvSyntaxError naming the line.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  try {
    parse(text, {
      ...OPTIONS,
      on_record: (fields: string[]) => {
        const start = line;
        // A record takes its own line plus the line breaks quoted inside its fields.
        for (const field of fields) line += field.match(LINE_BREAKS)?.length ?? 0;
        line += 1;
        if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: start });
        return null; // kept here, not in csv-parse's own list
      },
    });
  } catch (err) {
    if (typeof (err as { code?: unknown }).code === 'string' && !(err instanceof RangeError)) throw syntaxError(err as Error, line);
    throw err;
  }
  return records;
}
