'use strict';
// A raw HTTP/2 client of InvokeEndpointWithBidirectionalStream for the server's tests, signing the way the SDK does:
// the request with @smithy/signature-v4 (':authority' signed, x-amz-content-sha256 STREAMING-AWS4-HMAC-SHA256-EVENTS),
// each event with the same signer's signMessage, chained from the request's signature, in envelopes encoded by
// @smithy/core's EventStreamCodec; answers decoded by that codec too. Test code only: the server must not share it.

const http2 = require('node:http2');
const { createHash, createHmac } = require('node:crypto');
const { SignatureV4 } = require('@smithy/signature-v4');
const { EventStreamCodec } = require('@smithy/core/event-streams');
const { fromUtf8, toUtf8 } = require('@smithy/core/serde');

const codec = new EventStreamCodec(toUtf8, fromUtf8);

class Sha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(secret));
  }
  update(data) {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const str = (value) => ({ type: 'string', value });

/** An inner PayloadPart event, encoded. */
function payloadPart(bytes, { dataType, completionState, p } = {}) {
  const headers = { ':message-type': str('event'), ':event-type': str('PayloadPart'), ':content-type': str('application/octet-stream') };
  if (dataType !== undefined) headers.DataType = str(dataType);
  if (completionState !== undefined) headers.CompletionState = str(completionState);
  if (p !== undefined) headers.P = str(p);
  return codec.encode({ headers, body: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes });
}

/** Splits a byte stream into whole messages by their prelude length (the codec checks each one). */
class Framer {
  constructor() {
    this.buffer = Buffer.alloc(0);
  }
  push(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out = [];
    while (this.buffer.length >= 4) {
      const total = this.buffer.readUInt32BE(0);
      if (this.buffer.length < total) break;
      out.push(this.buffer.subarray(0, total));
      this.buffer = this.buffer.subarray(total);
    }
    return out;
  }
}

/** A decoded answer message as a plain object: {type, headers, body, text, json?}. */
function readable(message) {
  const headers = {};
  for (const [name, h] of Object.entries(message.headers)) headers[name] = h.value;
  const body = Buffer.from(message.body);
  const kind = headers[':message-type'];
  const type = kind === 'event' ? headers[':event-type'] : kind === 'exception' ? headers[':exception-type'] : headers[':error-code'];
  const out = { kind, type, headers, body, text: body.toString('utf8') };
  try {
    out.json = JSON.parse(out.text);
  } catch {
    // not JSON
  }
  return out;
}

/**
 * Opens one stream (`options.onMessage(message)`, when given, takes each answer instead of `messages`, so a
 * long run keeps no history). Returns { response (resolves {status, headers, body} once headers arrive; body only for
 * errors, once ended), send(part, opts), end(), messages (array, filled as they arrive), done (resolves when the
 * response ends or the stream closes), stream, session }.
 */
async function openBidi(url, endpointName, options) {
  const { credentials, region = 'us-east-1', headers: extra = {}, session: given } = options;
  const target = new URL(url);
  const authority = target.host;
  const path = options.path ?? `/endpoints/${encodeURIComponent(endpointName)}/invocations-bidirectional-stream`;
  const signer = new SignatureV4({ service: options.service ?? 'sagemaker', region, sha256: Sha256, credentials, applyChecksum: false });
  const signingDate = options.signingDate ?? new Date();
  const request = {
    method: 'POST',
    protocol: 'http:',
    hostname: target.hostname,
    port: Number(target.port),
    path,
    query: {},
    headers: {
      ':authority': authority,
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amz-content-sha256': options.payloadHash ?? 'STREAMING-AWS4-HMAC-SHA256-EVENTS',
      ...extra,
    },
  };
  const signed = await signer.sign(request, { signingDate });
  const authorization = signed.headers.authorization;
  let prior = /Signature=([0-9a-f]+)$/.exec(authorization)[1];
  const session = given ?? http2.connect(url);
  if (!given) session.on('error', () => undefined);
  const reqHeaders = { ...signed.headers, ':method': 'POST', ':path': path };
  if (options.mutateHeaders) options.mutateHeaders(reqHeaders);
  const stream = session.request(reqHeaders, { endStream: false });
  stream.on('error', () => undefined);
  const messages = [];
  const framer = new Framer();
  let status = 0;
  let responseHeaders;
  const errorBody = [];
  const response = new Promise((resolve, reject) => {
    stream.once('response', (h) => {
      status = h[':status'];
      responseHeaders = h;
      if (status === 200) resolve({ status, headers: h });
      else stream.once('end', () => resolve({ status, headers: h, body: JSON.parse(Buffer.concat(errorBody).toString('utf8') || '{}') }));
    });
    stream.once('close', () => reject(Object.assign(new Error(`stream closed before a response (rst ${stream.rstCode})`), { rstCode: stream.rstCode })));
  });
  response.catch(() => undefined);
  stream.on('data', (chunk) => {
    if (status !== 200) {
      errorBody.push(chunk);
      return;
    }
    for (const raw of framer.push(chunk)) {
      const message = readable(codec.decode(raw));
      if (options.onMessage) options.onMessage(message);
      else messages.push(message);
    }
  });
  const done = new Promise((resolve) => stream.once('close', () => resolve({ rstCode: stream.rstCode, status, headers: responseHeaders })));

  const envelope = async (inner, tamper) => {
    const now = new Date();
    const dateHeader = { ':date': { type: 'timestamp', value: now } };
    const { signature } = await signer.signMessage({ message: { headers: dateHeader, body: inner }, priorSignature: prior }, { signingDate: now });
    prior = signature;
    const sig = Buffer.from(signature, 'hex');
    if (tamper) sig[0] ^= 0xff;
    return codec.encode({ headers: { ...dateHeader, ':chunk-signature': { type: 'binary', value: new Uint8Array(sig) } }, body: inner });
  };
  // Signing is async: keep the envelopes in order, each chained to the one before.
  let queue = Promise.resolve();
  const write = (inner, tamper) => {
    queue = queue.then(async () => {
      const bytes = await envelope(inner, tamper);
      if (!stream.destroyed && !stream.writableEnded) {
        if (!stream.write(bytes)) {
          await new Promise((resolve) => {
            const done = () => {
              stream.off('drain', done);
              stream.off('close', done);
              resolve();
            };
            stream.on('drain', done);
            stream.on('close', done);
          });
        }
      }
    });
    return queue;
  };
  return {
    stream,
    session,
    messages,
    response,
    done,
    send: (bytes, opts = {}) => write(payloadPart(bytes, opts), opts.tamper),
    sendRaw: (bytes) => (queue = queue.then(() => stream.write(bytes))),
    sendInner: (inner, opts = {}) => write(inner, opts.tamper),
    end: () =>
      (queue = queue.then(async () => {
        const bytes = await envelope(new Uint8Array(0));
        if (!stream.destroyed && !stream.writableEnded) stream.end(bytes);
      })),
    close: () => {
      if (!given) session.close();
    },
  };
}

module.exports = { openBidi, payloadPart, codec, Sha256 };
