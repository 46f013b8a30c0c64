/**
 * The `aws-chunked` content encoding S3 takes for uploads of unknown-length streams (the AWS SDK sends PutObject of
 * a stream this way, with its checksum in a trailer): `HEX-SIZE[;ext]\r\nDATA\r\n` per chunk, a `0\r\n` chunk, then
 * trailer lines `name:value\r\n` and an empty line. Decoding is strict: a malformed body is refused, not guessed at.
 */

/** A decoded upload: its data, and its trailers by lower-cased name. */
export interface DecodedChunks {
  data: Buffer;
  trailers: Map<string, string>;
}

const CRLF = Buffer.from('\r\n');

/** Decodes an aws-chunked body; a text saying what is malformed when it is. */
export function decodeAwsChunked(body: Buffer): DecodedChunks | string {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf(CRLF, at);
    if (lineEnd < 0) return 'a chunk header has no line end';
    const header = body.subarray(at, lineEnd).toString('latin1');
    const sizeText = header.split(';')[0].trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) return `a chunk size is not hexadecimal (${JSON.stringify(header.slice(0, 40))})`;
    const size = parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (size === 0) break;
    if (at + size + 2 > body.length) return 'a chunk is shorter than its size says';
    parts.push(body.subarray(at, at + size));
    at += size;
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) return 'a chunk is longer than its size says';
    at += 2;
  }
  const trailers = new Map<string, string>();
  for (;;) {
    const lineEnd = body.indexOf(CRLF, at);
    if (lineEnd < 0) {
      // A last trailer line without the closing empty line is tolerated; nothing after it is.
      if (at < body.length) return 'the trailers do not end with an empty line';
      break;
    }
    const line = body.subarray(at, lineEnd).toString('latin1');
    at = lineEnd + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) return `a trailer line is not name:value (${JSON.stringify(line.slice(0, 40))})`;
    trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (at < body.length) return 'there are bytes after the trailers';
  return { data: Buffer.concat(parts), trailers };
}
