/**
 * The start of an answer's body as one line of plain words, for an error message: what a proxy's or a gateway's
 * page says ("502 Bad Gateway nginx") rather than its markup. Pure; no Node-RED import.
 *
 * Secrets: the node replaces the config node's secrets in the whole message, so an excerpt never ends inside a
 * run of characters a key or token is made of; a secret in the excerpt is then whole, and replaced.
 */

/** About the first few hundred characters: enough to name the page, short enough for a status and a debug line. */
export const EXCERPT_CHARS = 300;

/** Only the start of a long page is read: the words that say what it is come first. */
const SCAN_CHARS = 32 * 1024;

/** Characters of keys, tokens and passwords in URLs: an excerpt is not cut between two of them. */
const TOKEN_CHAR = /[A-Za-z0-9+/=_%.~-]/;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The body as text, or undefined when it is not text (a binary body says nothing readable). */
export function bodyText(bytes: Uint8Array): string | undefined {
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, SCAN_CHARS * 4)).slice(0, SCAN_CHARS);
  const sample = text.slice(0, 2048);
  // U+FFFD (bytes that are not UTF-8) and control characters other than whitespace mark a binary body.
  const odd = sample.match(/[\uFFFD\u0000-\u0008\u000E-\u001F]/g)?.length ?? 0;
  return odd > sample.length / 20 ? undefined : text;
}

/** Markup without its tags, comments, scripts and styles: the words a browser would show. Linear in the length. */
export function stripMarkup(markup: string): string {
  const lower = markup.toLowerCase();
  let out = '';
  let i = 0;
  while (i < markup.length) {
    const lt = markup.indexOf('<', i);
    if (lt < 0) {
      out += markup.slice(i);
      break;
    }
    out += `${markup.slice(i, lt)} `;
    if (markup.startsWith('<!--', lt)) {
      const end = markup.indexOf('-->', lt + 4);
      i = end < 0 ? markup.length : end + 3;
      continue;
    }
    if (markup.startsWith('<![CDATA[', lt)) {
      const end = markup.indexOf(']]>', lt + 9);
      out += `${markup.slice(lt + 9, end < 0 ? markup.length : end)} `;
      i = end < 0 ? markup.length : end + 3;
      continue;
    }
    const gt = markup.indexOf('>', lt);
    if (gt < 0) break; // a tag that never closes: the rest is markup
    const hidden = /^<(script|style)\b/.exec(lower.slice(lt, lt + 8));
    if (hidden) {
      const close = lower.indexOf(`</${hidden[1]}`, gt);
      const closeEnd = close < 0 ? -1 : markup.indexOf('>', close);
      i = closeEnd < 0 ? markup.length : closeEnd + 1;
      continue;
    }
    i = gt + 1;
  }
  return decodeEntities(out);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** Drops a phrase said twice at the start, as a page's title and its heading usually are ("502 Bad Gateway"). */
function dropRepeatedHead(text: string): string {
  const words = text.split(' ');
  for (let n = Math.min(12, Math.floor(words.length / 2)); n >= 1; n--) {
    if (words.slice(0, n).join(' ') === words.slice(n, 2 * n).join(' ')) return words.slice(n).join(' ');
  }
  return text;
}

/** At most `limit` characters, cut between words and never inside a run of token characters; "…" marks a cut. */
export function cutText(text: string, limit: number = EXCERPT_CHARS): string {
  if (text.length <= limit) return text;
  let end = text.lastIndexOf(' ', limit);
  if (end <= 0) {
    end = limit;
    while (end > 0 && TOKEN_CHAR.test(text[end - 1]) && TOKEN_CHAR.test(text[end] ?? '')) end--;
  }
  return end > 0 ? `${text.slice(0, end).trimEnd()} …` : '…';
}

/** Whether a content type (or, without one, the text itself) says the body is HTML or XML. */
function isMarkup(text: string, contentType: string): boolean {
  if (/html|xml/i.test(contentType)) return true;
  return contentType === '' && /^\s*</.test(text);
}

/** The body's words on one line, at most EXCERPT_CHARS long; '' for a body with no words. */
export function excerpt(text: string, contentType: string): string {
  const start = text.slice(0, SCAN_CHARS);
  const words = (isMarkup(start, contentType) ? stripMarkup(start) : start).replace(/\s+/g, ' ').trim();
  return cutText(dropRepeatedHead(words));
}
