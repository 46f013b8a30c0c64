'use strict';
// The local server's InvokeEndpointWithBidirectionalStream over HTTP/2 (run `npm run build` first), driven by a raw
// HTTP/2 client that signs the request and every event the way the SDK does (test/bidi-client.js).

const assert = require('assert');
const http2 = require('node:http2');
const { BidiServer, demoBidi } = require('../dist');
const { openBidi, payloadPart } = require('./bidi-client');

const KEY = { accessKeyId: 'AKIDBIDITEST0001', secretAccessKey: 'bidiTestSecret/abc+XYZ0123456789' };
const UTF8 = { dataType: 'UTF8', completionState: 'COMPLETE' };

describe('BidiServer: InvokeEndpointWithBidirectionalStream over HTTP/2', function () {
  let server;
  let url;
  const clients = [];

  const open = async (name, options = {}) => {
    const c = await openBidi(url, name, { credentials: KEY, ...options });
    clients.push(c);
    return c;
  };

  beforeEach(async function () {
    server = new BidiServer({ credentials: [KEY], endpoints: { demo: demoBidi(), slow: demoBidi({ delayMs: 20 }) } });
    url = await server.listen();
  });

  afterEach(async function () {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('answers each reading as it arrives, in order, and ends when the client ends', async function () {
    const c = await open('demo');
    const { status, headers } = await c.response;
    assert.strictEqual(status, 200);
    assert.strictEqual(headers['content-type'], 'application/vnd.amazon.eventstream');
    assert.strictEqual(headers['x-amzn-invoked-production-variant'], 'AllTraffic');
    await c.send('10', UTF8);
    await c.send(JSON.stringify({ value: 11, series: 'pump' }), UTF8);
    // Answers arrive while the input is still open: each part is scored as it comes.
    while (c.messages.length < 2) await new Promise((r) => setTimeout(r, 5));
    await c.send(Buffer.from([0, 1, 2, 255]), { dataType: 'BINARY', completionState: 'COMPLETE' });
    await c.end();
    const end = await c.done;
    assert.strictEqual(end.rstCode, http2.constants.NGHTTP2_NO_ERROR);
    assert.deepStrictEqual(
      c.messages.map((m) => [m.kind, m.type, m.headers.DataType, m.headers.CompletionState]),
      [
        ['event', 'PayloadPart', 'UTF8', 'COMPLETE'],
        ['event', 'PayloadPart', 'UTF8', 'COMPLETE'],
        ['event', 'PayloadPart', 'BINARY', 'COMPLETE'],
      ],
    );
    assert.deepStrictEqual([c.messages[0].json.index, c.messages[0].json.value, c.messages[1].json.series], [0, 10, 'pump']);
    assert.deepStrictEqual([...c.messages[2].body], [0, 1, 2, 255]);
    const record = server.streams[0];
    assert.deepStrictEqual([record.verified, record.status, record.partsReceived, record.partsSent, record.ended], [true, 200, 3, 3, true]);
  });

  it("accepts events signed by the SDK's own @aws-sdk/eventstream-handler-node over its NodeHttp2Handler", async function () {
    const { Readable } = require('node:stream');
    const { SignatureV4 } = require('@smithy/signature-v4');
    const { NodeHttp2Handler } = require('@smithy/node-http-handler');
    const { HttpRequest } = require('@smithy/core/protocols');
    const { fromUtf8, toUtf8 } = require('@smithy/core/serde');
    const { eventStreamPayloadHandlerProvider } = require('@aws-sdk/eventstream-handler-node');
    const { Sha256, codec } = require('./bidi-client');
    const target = new URL(url);
    const signer = new SignatureV4({ service: 'sagemaker', region: 'us-east-1', sha256: Sha256, credentials: KEY });
    // As the SDK's serializer does: one encoded event per part, then an empty chunk (the end frame).
    async function* parts() {
      for (const v of [5, 6, 7]) {
        yield payloadPart(String(v), UTF8);
        await new Promise((r) => setTimeout(r, 5));
      }
      yield new Uint8Array(0);
    }
    // hostHeaderMiddleware's HTTP/2 shape: ':authority' instead of host; middleware-eventstream's two headers.
    const request = await signer.sign(
      new HttpRequest({
        protocol: 'http:',
        hostname: target.hostname,
        port: Number(target.port),
        method: 'POST',
        path: '/endpoints/demo/invocations-bidirectional-stream',
        headers: { ':authority': target.host, 'content-type': 'application/vnd.amazon.eventstream', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-EVENTS' },
        body: Readable.from(parts()),
      }),
    );
    const h2 = new NodeHttp2Handler({ disableConcurrentStreams: true });
    try {
      const handler = eventStreamPayloadHandlerProvider({ messageSigner: async () => signer, utf8Encoder: toUtf8, utf8Decoder: fromUtf8, credentials: async () => KEY });
      const { response } = await handler.handle((args) => h2.handle(args.request, { isEventStream: true }), { request, input: {} });
      assert.strictEqual(response.statusCode, 200);
      const chunks = [];
      for await (const chunk of response.body) chunks.push(chunk);
      const all = Buffer.concat(chunks);
      const values = [];
      for (let at = 0; at < all.length; at += all.readUInt32BE(at)) {
        values.push(JSON.parse(Buffer.from(codec.decode(all.subarray(at, at + all.readUInt32BE(at))).body).toString()).value);
      }
      assert.deepStrictEqual(values, [5, 6, 7]);
      assert.strictEqual(server.streams[0].ended, true);
    } finally {
      h2.destroy();
    }
  });

  it('joins PARTIAL parts until the COMPLETE one, and reports an unreadable reading without ending the stream', async function () {
    const c = await open('demo');
    await c.send('{"val', { dataType: 'UTF8', completionState: 'PARTIAL' });
    await c.send('ue": 4', { dataType: 'UTF8', completionState: 'PARTIAL' });
    await c.send('2}', UTF8);
    await c.send('not a number', UTF8);
    await c.send('[1, 2]', UTF8);
    await c.end();
    await c.done;
    assert.deepStrictEqual(
      c.messages.map((m) => m.json),
      [
        { index: 0, series: 'default', value: 42, score: null, anomaly: false, count: 0, mean: null, stdDev: null },
        { index: 1, error: c.messages[1].json.error },
        { index: 2, series: 'default', value: 1, score: null, anomaly: false, count: 1, mean: 42, stdDev: null },
        c.messages[3].json,
      ],
    );
    assert.match(c.messages[1].json.error, /not a reading/);
    assert.strictEqual(c.messages[3].json.index, 3);
  });

  it('carries 5,000 parts through one stream in order', async function () {
    this.timeout(60000);
    const c = await open('demo');
    const n = 5000;
    for (let i = 0; i < n; i++) c.send(JSON.stringify({ value: i % 7, series: 's' }), UTF8);
    await c.end();
    await c.done;
    assert.strictEqual(c.messages.length, n);
    c.messages.forEach((m, i) => assert.strictEqual(m.json.index, i));
    assert.strictEqual(server.streams[0].partsReceived, n);
  });

  it('serves 16 streams at once on one connection, each with its own history', async function () {
    this.timeout(30000);
    const session = http2.connect(url);
    session.on('error', () => undefined);
    try {
      const streams = await Promise.all(Array.from({ length: 16 }, () => open('demo', { session })));
      await Promise.all(
        streams.map(async (c, k) => {
          for (let i = 0; i < 50; i++) c.send(String(k * 1000 + i), UTF8);
          await c.end();
          await c.done;
        }),
      );
      streams.forEach((c, k) => {
        assert.strictEqual(c.messages.length, 50);
        assert.deepStrictEqual(
          c.messages.map((m) => m.json.value),
          Array.from({ length: 50 }, (_, i) => k * 1000 + i),
        );
        assert.strictEqual(c.messages[49].json.count, 49);
      });
    } finally {
      session.close();
    }
  });

  it('refuses a tampered event signature with an error message and ends the stream', async function () {
    const c = await open('demo');
    await c.send('1', UTF8);
    while (c.messages.length < 1) await new Promise((r) => setTimeout(r, 5));
    await c.send('2', { ...UTF8, tamper: true });
    await c.send('3', UTF8);
    await c.done;
    const last = c.messages[c.messages.length - 1];
    assert.deepStrictEqual([last.kind, last.type], ['error', 'InvalidSignatureException']);
    assert.match(last.headers[':error-message'], /event signature we calculated does not match/);
    // The part before the tampered one was answered; none after it.
    assert.deepStrictEqual(
      c.messages.filter((m) => m.kind === 'event').map((m) => m.json.value),
      [1],
    );
    assert.match(server.streams[0].failure, /InvalidSignatureException/);
    assert.strictEqual(server.streams[0].partsReceived, 1);
  });

  it('refuses an event whose payload was changed after signing (the chain covers the payload)', async function () {
    const c = await open('demo');
    // A valid envelope whose inner event is swapped: sign one part, send another's bytes under that signature.
    const { codec } = require('./bidi-client');
    await c.send('1', UTF8);
    const signedFor = payloadPart('5', UTF8);
    const original = c.stream.write.bind(c.stream);
    c.stream.write = (bytes, ...rest) => {
      const message = codec.decode(bytes);
      return original(codec.encode({ headers: message.headers, body: payloadPart('6', UTF8) }), ...rest);
    };
    await c.sendInner(signedFor);
    await c.done;
    const last = c.messages[c.messages.length - 1];
    assert.strictEqual(last.type, 'InvalidSignatureException');
  });

  it('ends the stream with ModelStreamError when the model fails mid-stream', async function () {
    const c = await open('demo');
    await c.send('1', UTF8);
    await c.send('{"fail": "model"}', UTF8);
    await c.done;
    assert.deepStrictEqual(
      c.messages.map((m) => [m.kind, m.type]),
      [
        ['event', 'PayloadPart'],
        ['exception', 'ModelStreamError'],
      ],
    );
    assert.deepStrictEqual(c.messages[1].json, { Message: 'The demo model failed on request ({"fail": "model"}).', ErrorCode: 'DemoModelFailure' });
  });

  it('ends the stream with InternalStreamFailure on request', async function () {
    const c = await open('demo');
    await c.send('{"fail": "internal"}', UTF8);
    await c.done;
    assert.deepStrictEqual(
      c.messages.map((m) => [m.kind, m.type, m.json.Message]),
      [['exception', 'InternalStreamFailure', 'The demo stream failed on request ({"fail": "internal"}).']],
    );
  });

  it('resets the HTTP/2 stream on {"fail": "reset"}, without an event', async function () {
    const c = await open('demo');
    await c.send('1', UTF8);
    await c.send('{"fail": "reset"}', UTF8);
    const end = await c.done;
    assert.strictEqual(end.rstCode, http2.constants.NGHTTP2_INTERNAL_ERROR);
    assert.deepStrictEqual(
      c.messages.map((m) => m.json.value),
      [1],
    );
  });

  it('takes a per-stream delayMs and echo=parts from the model query string', async function () {
    const c = await open('demo', { headers: { 'x-amzn-sagemaker-model-query-string': 'echo=parts&delayMs=30' } });
    const started = Date.now();
    await c.send('ab', { dataType: 'UTF8', completionState: 'PARTIAL' });
    await c.send('c', UTF8);
    await c.send(Buffer.from([7, 7]));
    await c.end();
    await c.done;
    assert.ok(Date.now() - started >= 90, 'three answers 30 ms apart');
    assert.deepStrictEqual(
      c.messages.map((m) => m.json),
      [
        { index: 0, dataType: 'UTF8', completionState: 'PARTIAL', bytes: 2, text: 'ab' },
        { index: 1, dataType: 'UTF8', completionState: 'COMPLETE', bytes: 1, text: 'c' },
        { index: 2, dataType: null, completionState: null, bytes: 2 },
      ],
    );
  });

  it('answers a bad request signature before the stream, as the service front end does', async function () {
    const c = await open('demo', { credentials: { ...KEY, secretAccessKey: 'wrong' } });
    const { status, headers, body } = await c.response;
    assert.strictEqual(status, 403);
    assert.strictEqual(headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.match(body.message, /signature we calculated does not match/);
    const unknown = await open('demo', { credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' } });
    assert.strictEqual((await unknown.response).headers['x-amzn-errortype'], 'UnrecognizedClientException');
  });

  it('requires the streaming payload marker', async function () {
    const unsigned = await open('demo', { payloadHash: 'UNSIGNED-PAYLOAD' });
    let { status, headers, body } = await unsigned.response;
    assert.deepStrictEqual([status, headers['x-amzn-errortype']], [403, 'InvalidSignatureException']);
    assert.match(body.Message, /x-amz-content-sha256/);
    // A correct hash of the (empty) body is still not an event stream whose events are signed.
    const emptyHash = require('crypto').createHash('sha256').digest('hex');
    const hashed = await open('demo', { payloadHash: emptyHash });
    ({ status, headers, body } = await hashed.response);
    assert.deepStrictEqual([status, headers['x-amzn-errortype']], [403, 'InvalidSignatureException']);
    assert.match(body.Message, /STREAMING-AWS4-HMAC-SHA256-EVENTS/);
  });

  it('answers an unknown endpoint with InputValidationError 400', async function () {
    const c = await open('nobody-here');
    const { status, headers, body } = await c.response;
    assert.deepStrictEqual([status, headers['x-amzn-errortype']], [400, 'InputValidationError']);
    assert.strictEqual(body.Message, 'Endpoint nobody-here of account 123456789012 not found.');
  });

  const headerCases = [
    ['X-Amzn-SageMaker-Target-Variant', 'bad_variant!', /targetVariant/],
    ['X-Amzn-SageMaker-Target-Variant', 'v'.repeat(64), /targetVariant/],
    ['X-Amzn-SageMaker-Model-Invocation-Path', 'a//b', /modelInvocationPath/],
    ['X-Amzn-SageMaker-Model-Invocation-Path', 'x'.repeat(101), /modelInvocationPath/],
    ['X-Amzn-SageMaker-Model-Invocation-Path', 'has space', /modelInvocationPath/],
    ['X-Amzn-SageMaker-Model-Query-String', 'novalue', /modelQueryString/],
    ['X-Amzn-SageMaker-Model-Query-String', `a=${'b'.repeat(2047)}`, /modelQueryString/],
  ];
  for (const [name, value, rule] of headerCases) {
    it(`refuses ${name}: ${value.length > 20 ? `${value.length} characters` : value}`, async function () {
      const c = await open('demo', { headers: { [name.toLowerCase()]: value } });
      const { status, headers, body } = await c.response;
      assert.deepStrictEqual([status, headers['x-amzn-errortype']], [400, 'InputValidationError']);
      assert.match(body.Message, rule);
    });
  }

  it('takes valid optional headers and reports the target variant as the invoked one', async function () {
    let seen;
    server.setEndpoint('spy', (call) => {
      seen = call;
      return demoBidi()(call);
    });
    const c = await open('spy', {
      headers: {
        'x-amzn-sagemaker-target-variant': 'variant-b',
        'x-amzn-sagemaker-model-invocation-path': 'v1/chat.completions',
        'x-amzn-sagemaker-model-query-string': 'lang=en&x=%20y',
      },
    });
    assert.strictEqual((await c.response).headers['x-amzn-invoked-production-variant'], 'variant-b');
    await c.end();
    await c.done;
    assert.deepStrictEqual(
      [seen.targetVariant, seen.modelInvocationPath, seen.modelQueryString],
      ['variant-b', 'v1/chat.completions', 'lang=en&x=%20y'],
    );
  });

  it('answers a handler error before the stream (ModelError 424 with the original status)', async function () {
    server.setEndpoint('broken', () => ({
      error: 'ModelError',
      message: 'Received server error (500) from primary with message "boom".',
      fields: { OriginalStatusCode: 500, OriginalMessage: 'boom', LogStreamArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/broken' },
    }));
    const c = await open('broken');
    const { status, headers, body } = await c.response;
    assert.deepStrictEqual([status, headers['x-amzn-errortype']], [424, 'ModelError']);
    assert.deepStrictEqual([body.OriginalStatusCode, body.OriginalMessage], [500, 'boom']);
    assert.match(body.LogStreamArn, /^arn:aws:logs:/);
  });

  it('answers ServiceUnavailableError 503 from a handler, and takes temporary credentials with their session token', async function () {
    server.setEndpoint('busy', () => ({ error: 'ServiceUnavailableError', message: 'The endpoint is busy.' }));
    const c = await open('busy');
    const { status, headers, body } = await c.response;
    assert.deepStrictEqual([status, headers['x-amzn-errortype'], body.Message], [503, 'ServiceUnavailableError', 'The endpoint is busy.']);
    const temporary = { accessKeyId: 'ASIABIDITEMP0001', secretAccessKey: 'temp/secret', sessionToken: 'session-token-value' };
    server.addCredentials(temporary);
    const ok = await open('demo', { credentials: temporary });
    assert.strictEqual((await ok.response).status, 200);
    await ok.send('1', UTF8);
    await ok.end();
    await ok.done;
    assert.strictEqual(ok.messages.length, 1);
    const wrongToken = await open('demo', { credentials: { ...temporary, sessionToken: 'another' } });
    assert.strictEqual((await wrongToken.response).headers['x-amzn-errortype'], 'UnrecognizedClientException');
  });

  it('answers InternalServerError 500 when a handler throws', async function () {
    server.setEndpoint('throws', () => {
      throw new Error('handler bug');
    });
    const c = await open('throws');
    const { status, headers } = await c.response;
    assert.deepStrictEqual([status, headers['x-amzn-errortype']], [500, 'InternalServerError']);
  });

  it('answers UnknownOperationException for another path', async function () {
    const c = await open('demo', { path: '/endpoints/demo/invocations-sideways' });
    const { status, headers } = await c.response;
    assert.deepStrictEqual([status, headers['x-amzn-errortype']], [404, 'UnknownOperationException']);
  });

  it('ends the stream with InternalStreamFailure when the handler fails mid-stream', async function () {
    const seen = [];
    const failing = new BidiServer({
      credentials: [KEY],
      onHandlerError: (err, name) => seen.push([name, err.message]),
      endpoints: {
        flaky: () => ({
          output: (async function* () {
            yield { part: 'first', dataType: 'UTF8' };
            throw new Error('model crashed');
          })(),
        }),
      },
    });
    const flakyUrl = await failing.listen();
    try {
      const c = await openBidi(flakyUrl, 'flaky', { credentials: KEY });
      clients.push(c);
      await c.done;
      assert.deepStrictEqual(
        c.messages.map((m) => [m.kind, m.type]),
        [
          ['event', 'PayloadPart'],
          ['exception', 'InternalStreamFailure'],
        ],
      );
      assert.deepStrictEqual(seen, [['flaky', 'model crashed']]);
      assert.doesNotMatch(c.messages[1].text, /model crashed/, 'the handler error stays in the server');
    } finally {
      await failing.close();
    }
  });

  it('ends the stream with an error message when the input ends without its signed end event', async function () {
    const c = await open('demo');
    await c.send('1', UTF8);
    c.stream.end();
    await c.done;
    const last = c.messages[c.messages.length - 1];
    assert.deepStrictEqual([last.kind, last.type], ['error', 'InvalidSignatureException']);
    assert.match(last.headers[':error-message'], /without its signed end event/);
  });

  it('ends the stream with InputValidationError for bytes that are not an event stream, or an unknown event', async function () {
    const garbage = await open('demo');
    await garbage.sendRaw(Buffer.from('this is not an event stream at all'));
    await garbage.done;
    assert.deepStrictEqual(
      garbage.messages.map((m) => [m.kind, m.type]),
      [['error', 'InputValidationError']],
    );
    const { codec } = require('./bidi-client');
    const unknown = await open('demo');
    const str = (value) => ({ type: 'string', value });
    await unknown.sendInner(codec.encode({ headers: { ':message-type': str('event'), ':event-type': str('Surprise') }, body: Buffer.from('x') }));
    await unknown.done;
    assert.match(unknown.messages[0].headers[':error-message'], /Unknown input event 'Surprise'/);
    const badType = await open('demo');
    await badType.send('1', { dataType: 'TEXT' });
    await badType.done;
    assert.match(badType.messages[0].headers[':error-message'], /DataType must be UTF8 or BINARY/);
  });

  it("aborts the handler's signal and ends its input when the client resets the stream", async function () {
    let call;
    let inputEnded = false;
    server.setEndpoint('spy', (c) => {
      call = c;
      return {
        output: (async function* () {
          for await (const part of c.input) yield { part: part.bytes, dataType: 'BINARY' };
          inputEnded = true;
        })(),
      };
    });
    const c = await open('spy');
    await c.send('x', UTF8);
    while (c.messages.length < 1) await new Promise((r) => setTimeout(r, 5));
    c.stream.close(http2.constants.NGHTTP2_CANCEL);
    while (!call.signal.aborted || !inputEnded) await new Promise((r) => setTimeout(r, 5));
    assert.strictEqual(server.streams[0].ended, false);
  });

  it('closes open streams when the server closes', async function () {
    const c = await open('slow');
    await c.send('1', UTF8);
    await c.response;
    await server.close();
    const end = await c.done;
    assert.strictEqual(end.status, 200);
    assert.ok(c.stream.destroyed);
  });

  it('serves HTTP/2 over TLS (ALPN h2) when given a key and certificate', async function () {
    this.timeout(30000);
    const { makeCerts } = require('../dist/test-servers/certs');
    const certs = makeCerts();
    const secure = new BidiServer({ credentials: [KEY], endpoints: { demo: demoBidi() }, tls: { key: certs.serverKey, cert: certs.serverCert } });
    const secureUrl = await secure.listen();
    const session = http2.connect(secureUrl, { ca: certs.ca });
    session.on('error', () => undefined);
    try {
      assert.match(secureUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      const c = await openBidi(secureUrl, 'demo', { credentials: KEY, session });
      await c.send('8', UTF8);
      await c.end();
      await c.done;
      assert.strictEqual(session.alpnProtocol, 'h2');
      assert.deepStrictEqual(
        c.messages.map((m) => m.json.value),
        [8],
      );
    } finally {
      session.close();
      await secure.close();
      certs.remove();
    }
  });

  it('slows a fast producer down to a slow model instead of buffering without bound', async function () {
    this.timeout(30000);
    const c = await open('slow');
    const n = 100;
    const started = Date.now();
    let last;
    for (let i = 0; i < n; i++) last = c.send(JSON.stringify({ value: i, series: 'p', pad: 'x'.repeat(32768) }), UTF8);
    await last;
    // 100 parts of 32 KB answered 20 ms apart: the server holds at most 32 parts and stops reading, so HTTP/2 flow
    // control keeps the producer's last write waiting until the model has worked through many of them. The parts
    // add up to more than the held parts and both windows together: Node.js 22 opens the windows wider than
    // Node.js 20's 64 KB, and 60 parts of 4 KB then fit without any wait.
    assert.ok(Date.now() - started >= 200, `the producer was not slowed down (${Date.now() - started} ms)`);
    await c.end();
    await c.done;
    assert.strictEqual(c.messages.length, n);
    assert.deepStrictEqual(
      c.messages.map((m) => m.json.value),
      Array.from({ length: n }, (_, i) => i),
    );
  });
});
