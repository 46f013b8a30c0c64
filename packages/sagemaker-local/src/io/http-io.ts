/**
 * The HTTP plumbing the loopback servers share: a request's raw path and query, its headers as strings, its body
 * read up to a limit, and an answer carrying the request id and date every AWS response has.
 */

import { randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';

/** How far past the limit an oversized body is still drained (so the client can read the 413), before hanging up. */
const OVERSIZE_SLACK_BYTES = 1024 * 1024;

export type BodyOutcome = { kind: 'ok'; body: Buffer } | { kind: 'oversize'; drained: boolean } | { kind: 'aborted' };

/** The raw path and query string of a request, undecoded (SigV4 signs them as sent). */
export function splitUrl(req: IncomingMessage): { rawPath: string; rawQuery: string } {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  return q < 0 ? { rawPath: rawUrl, rawQuery: '' } : { rawPath: rawUrl.slice(0, q), rawQuery: rawUrl.slice(q + 1) };
}

/** Node's header object flattened to strings (repeated headers joined with ', '). */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Reads the body up to `maxBytes`. Past it, the rest is drained without keeping it for up to OVERSIZE_SLACK_BYTES
 * more (so the client, still writing, gets to read the 413); beyond that, or when Content-Length already says so,
 * it stops reading at once.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, maxBytes = Infinity): Promise<BodyOutcome> {
  const hardLimit = maxBytes + OVERSIZE_SLACK_BYTES;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > hardLimit) {
    req.pause();
    return Promise.resolve({ kind: 'oversize', drained: false });
  }
  return new Promise<BodyOutcome>((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (outcome: BodyOutcome): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total <= maxBytes) chunks.push(chunk);
      else if (total > hardLimit) {
        req.pause();
        settle({ kind: 'oversize', drained: false });
      }
    };
    req.on('data', onData);
    req.once('end', () => settle(total > maxBytes ? { kind: 'oversize', drained: true } : { kind: 'ok', body: Buffer.concat(chunks, total) }));
    req.once('error', () => settle({ kind: 'aborted' }));
    res.once('close', () => settle({ kind: 'aborted' }));
  });
}

/** Starts an answer: the status, a fresh request id, the date, the content type and any further headers. */
export function writeHead(res: ServerResponse, status: number, contentType: string, headers: Readonly<Record<string, string>> = {}): void {
  res.statusCode = status;
  res.setHeader('x-amzn-RequestId', randomUUID());
  res.setHeader('Date', new Date().toUTCString());
  res.setHeader('Content-Type', contentType);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}
