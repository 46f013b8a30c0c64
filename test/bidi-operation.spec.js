'use strict';
// openBidiStream end to end: the SDK's own command, signing and event-stream stack (src/bidi/operation.ts,
// src/bidi/client.ts) against the local server's HTTP/2 route, which checks the request's SigV4 signature
// and every event's chained signature. Run `npm run build` first.

const assert = require('assert');
const { BidiServer, demoBidi } = require('sagemaker-local');
const { createBidiClient } = require('../dist/bidi/client');
const { openBidiStream } = require('../dist/bidi/operation');
const { InputQueue } = require('../dist/bidi/input-queue');
const { makeCerts } = require('./workspace').testServer('certs');
const { ConnectProxy } = require('./workspace').testServer('connect-proxy');
const { encodeMessage } = require('sagemaker-local');
const http2 = require('node:http2');

const KEY = { accessKeyId: 'AKIDBIDIOPTEST01', secretAccessKey: 'bidiOpSecret/abc+XYZ0123456789' };
const utf8 = (text, completionState = 'COMPLETE') => ({ bytes: Buffer.from(text), dataType: 'UTF8', completionState });
const text = (ev) => Buffer.from(ev.bytes).toString('utf8');
const json = (ev) => JSON.parse(text(ev));

/** Reads every event; returns { events, error }. */
async function drain(stream) {
  const events = [];
  try {
    for await (const ev of stream.events) events.push(ev);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

describe('openBidiStream: InvokeEndpointWithBidirectionalStream through the SDK, against the local server', function () {
  this.timeout(30000);
  let server;
  let client;
  let url;

  beforeEach(async function () {
    server = new BidiServer({ credentials: [KEY], endpoints: { demo: demoBidi() } });
    url = await server.listen();
    client = createBidiClient({ region: 'us-east-1', bidiEndpointUrl: url, timeout: 10000, credentials: KEY });
  });

  afterEach(async function () {
    client.destroy();
    await server.close();
  });

  it('sends parts as they come and reads answers while the input is open; the server accepts every chained signature', async function () {
    const input = new InputQueue(10);
    const opening = openBidiStream(client, { endpointName: 'demo' }, input);
    await input.push(utf8('10'));
    const stream = await opening;
    assert.strictEqual(stream.invokedProductionVariant, 'AllTraffic');
    const it = stream.events[Symbol.asyncIterator]();
    const first = await it.next();
    assert.deepStrictEqual([first.value.kind, first.value.dataType, json(first.value).value], ['part', 'UTF8', 10]);
    // The second part is sent only now, after the first answer: the stream is really bidirectional.
    await input.push(utf8('{"val', 'PARTIAL'));
    await input.push(utf8('ue": 42}'));
    await input.push({ bytes: Buffer.from([0, 1, 2, 255]), dataType: 'BINARY', completionState: 'COMPLETE' });
    input.end();
    const rest = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    assert.deepStrictEqual(rest.map((e) => [e.kind, e.dataType, e.completionState]), [
      ['part', 'UTF8', 'COMPLETE'],
      ['part', 'BINARY', 'COMPLETE'],
    ]);
    assert.strictEqual(json(rest[0]).value, 42);
    assert.deepStrictEqual([...rest[1].bytes], [0, 1, 2, 255]);
    const record = server.streams[0];
    assert.deepStrictEqual([record.verified, record.status, record.partsReceived, record.partsSent, record.ended], [true, 200, 4, 3, true]);
    assert.strictEqual(record.failure, undefined);
  });

  it('tells `opened` when the service accepts the stream, long before a model that answers only at the end', async function () {
    server.setEndpoint('at-end', (call) => ({
      output: (async function* () {
        let n = 0;
        for await (const p of call.input) n += p.bytes.length;
        yield { part: `bytes=${n}`, dataType: 'UTF8', completionState: 'COMPLETE' };
      })(),
    }));
    const input = new InputQueue(10);
    let opened;
    const openedNow = new Promise((resolve) => (opened = resolve));
    let resolved = false;
    const opening = openBidiStream(client, { endpointName: 'at-end' }, input, undefined, { opened });
    opening.then(() => (resolved = true));
    for (const t of ['ab', 'cd', 'e']) await input.push(utf8(t, 'PARTIAL'));
    assert.deepStrictEqual(await openedNow, { invokedProductionVariant: 'AllTraffic' });
    assert.strictEqual(resolved, false, 'send() still waits for the first answer');
    input.end();
    const { events } = await drain(await opening);
    assert.deepStrictEqual(events.map(text), ['bytes=5']);
  });

  it('sends the optional headers', async function () {
    let seen;
    server.setEndpoint('headers', (call) => {
      seen = call;
      return demoBidi()(call);
    });
    const input = new InputQueue(2);
    const opening = openBidiStream(client, { endpointName: 'headers', targetVariant: 'variant-b', modelInvocationPath: 'v1/chat', modelQueryString: 'a=1&b=2' }, input);
    input.push(utf8('1'));
    input.end();
    const stream = await opening;
    await drain(stream);
    assert.deepStrictEqual([seen.targetVariant, seen.modelInvocationPath, seen.modelQueryString], ['variant-b', 'v1/chat', 'a=1&b=2']);
    assert.strictEqual(stream.invokedProductionVariant, 'variant-b');
  });

  it('fails before the stream with the modeled errors, by name, with their fields', async function () {
    const input = new InputQueue(2);
    input.push(utf8('1')).catch(() => undefined);
    await assert.rejects(openBidiStream(client, { endpointName: 'nope' }, input), (e) => {
      assert.strictEqual(e.name, 'InputValidationError');
      assert.strictEqual(e.$fault, 'client');
      assert.strictEqual(e.$metadata.httpStatusCode, 400);
      assert.ok(e.message.length > 0);
      return true;
    });
    assert.strictEqual(input.closed, true, 'the input side is closed when the open fails');

    await assert.rejects(openBidiStream(client, { endpointName: 'demo', modelInvocationPath: '/bad path' }, new InputQueue(1)),
      (e) => e.name === 'InputValidationError');

    server.setEndpoint('broken', () => ({
      error: 'ModelError',
      message: 'Received server error (500) from primary with message "boom".',
      fields: { OriginalStatusCode: 500, OriginalMessage: 'boom' },
    }));
    await assert.rejects(openBidiStream(client, { endpointName: 'broken' }, new InputQueue(1)), (e) => {
      assert.deepStrictEqual([e.name, e.OriginalStatusCode, e.OriginalMessage, e.$metadata.httpStatusCode], ['ModelError', 500, 'boom', 424]);
      assert.match(e.message, /boom/);
      return true;
    });

    server.setEndpoint('throws', () => {
      throw new Error('handler bug');
    });
    await assert.rejects(openBidiStream(client, { endpointName: 'throws' }, new InputQueue(1)), (e) => e.name === 'InternalServerError' && e.$fault === 'server');

    server.setEndpoint('busy', () => ({ error: 'ServiceUnavailableError', message: 'Try again later.', status: 503, fields: { ErrorCode: 'Busy' } }));
    await assert.rejects(openBidiStream(client, { endpointName: 'busy' }, new InputQueue(1)), (e) => {
      assert.deepStrictEqual([e.name, e.$fault, e.$metadata.httpStatusCode, e.ErrorCode, e.message], ['ServiceUnavailableError', 'server', 503, 'Busy', 'Try again later.']);
      return true;
    });
  });

  it('fails with the connection\'s own error when nothing listens', async function () {
    const nowhere = createBidiClient({ region: 'us-east-1', bidiEndpointUrl: 'http://127.0.0.1:9', timeout: 10000, credentials: KEY });
    try {
      await assert.rejects(openBidiStream(nowhere, { endpointName: 'demo' }, new InputQueue(1)), (e) => e.code === 'ECONNREFUSED');
    } finally {
      nowhere.destroy();
    }
  });

  it('refuses bad credentials before the stream', async function () {
    const other = createBidiClient({ region: 'us-east-1', bidiEndpointUrl: url, timeout: 10000, credentials: { ...KEY, secretAccessKey: 'wrong' } });
    try {
      await assert.rejects(openBidiStream(other, { endpointName: 'demo' }, new InputQueue(1)), (e) => e.name === 'InvalidSignatureException');
    } finally {
      other.destroy();
    }
  });

  it('turns a mid-stream ModelStreamError and InternalStreamFailure into a last event', async function () {
    for (const [fail, kind] of [['model', 'modelStreamError'], ['internal', 'internalStreamFailure']]) {
      const input = new InputQueue(4);
      const opening = openBidiStream(client, { endpointName: 'demo' }, input);
      await input.push(utf8('1'));
      const stream = await opening;
      await input.push(utf8(JSON.stringify({ fail })));
      const { events, error } = await drain(stream);
      assert.strictEqual(error, undefined);
      assert.deepStrictEqual(events.map((e) => e.kind), ['part', kind]);
      assert.match(events[1].message, /failed on request/);
      if (kind === 'modelStreamError') assert.strictEqual(events[1].errorCode, 'DemoModelFailure');
      // The stream is over: the input side no longer takes parts.
      await assert.rejects(input.push(utf8('2')), (e) => e.name === 'InputClosed');
    }
  });

  it('opens the stream even when the model\'s first answer is its failure (an event, not an open error)', async function () {
    const input = new InputQueue(2);
    const opening = openBidiStream(client, { endpointName: 'demo' }, input);
    await input.push(utf8(JSON.stringify({ fail: 'model' })));
    const { events, error } = await drain(await opening);
    assert.strictEqual(error, undefined);
    assert.deepStrictEqual(events.map((e) => [e.kind, e.errorCode]), [['modelStreamError', 'DemoModelFailure']]);
    await assert.rejects(input.push(utf8('2')), (e) => e.name === 'InputClosed');
  });

  it('aborts at once, before and during the stream', async function () {
    const before = new AbortController();
    before.abort();
    await assert.rejects(openBidiStream(client, { endpointName: 'demo' }, new InputQueue(1), before.signal), (e) => e.name === 'AbortError');

    const during = new AbortController();
    const input = new InputQueue(4);
    const opening = openBidiStream(client, { endpointName: 'demo' }, input, during.signal);
    await input.push(utf8('1'));
    const stream = await opening;
    const it = stream.events[Symbol.asyncIterator]();
    assert.strictEqual((await it.next()).value.kind, 'part');
    during.abort();
    await assert.rejects(it.next(), (e) => e.name === 'AbortError');
    await assert.rejects(input.push(utf8('2')), (e) => e.name === 'InputClosed');
  });

  it('carries 5,000 parts in order through one stream, each push resolving as the wire takes it', async function () {
    const n = 5000;
    const input = new InputQueue(100);
    const opening = openBidiStream(client, { endpointName: 'demo' }, input);
    const producing = (async () => {
      for (let i = 0; i < n; i++) await input.push(utf8(String(i)));
      input.end();
    })();
    const { events, error } = await drain(await opening);
    await producing;
    assert.strictEqual(error, undefined);
    assert.strictEqual(events.length, n);
    events.forEach((e, i) => assert.strictEqual(json(e).value, i));
    assert.deepStrictEqual([server.streams[0].partsReceived, server.streams[0].verified], [n, true]);
  });

  it('runs 16 streams at once, each its own HTTP/2 session and history', async function () {
    const runs = Array.from({ length: 16 }, async (_, s) => {
      const input = new InputQueue(10);
      const opening = openBidiStream(client, { endpointName: 'demo' }, input);
      const producing = (async () => {
        for (let i = 0; i < 50; i++) await input.push(utf8(JSON.stringify({ value: s * 1000 + i, series: `s${s}` })));
        input.end();
      })();
      const { events, error } = await drain(await opening);
      await producing;
      assert.strictEqual(error, undefined);
      return events.map((e) => json(e).value);
    });
    const results = await Promise.all(runs);
    results.forEach((values, s) => assert.deepStrictEqual(values, Array.from({ length: 50 }, (_, i) => s * 1000 + i)));
    assert.strictEqual(server.streams.length, 16);
    assert.ok(server.streams.every((r) => r.verified && r.ended && r.partsReceived === 50));
  });

  it('fails the answers with TimeoutError when the stream goes quiet for the timeout', async function () {
    const quick = createBidiClient({ region: 'us-east-1', bidiEndpointUrl: url, timeout: 300, credentials: KEY });
    try {
      const input = new InputQueue(2);
      const opening = openBidiStream(quick, { endpointName: 'demo' }, input);
      await input.push(utf8('1'));
      const { events, error } = await drain(await opening);
      assert.strictEqual(events.length, 1);
      assert.strictEqual(error && error.name, 'TimeoutError');
      assert.match(error.message, /300 ms/);
    } finally {
      quick.destroy();
    }
  });

  it('fails the answers with StreamReset when the server resets the stream after its first answer', async function () {
    const raw = http2.createServer();
    raw.on('stream', (stream) => {
      stream.on('error', () => undefined);
      stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
      stream.write(encodeMessage({
        headers: { ':message-type': { type: 'string', value: 'event' }, ':event-type': { type: 'string', value: 'PayloadPart' } },
        body: Buffer.from('first'),
      }));
      setTimeout(() => stream.destroy(new Error('server failure')), 50);
    });
    await new Promise((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const c = createBidiClient({ region: 'us-east-1', bidiEndpointUrl: `http://127.0.0.1:${raw.address().port}`, timeout: 10000, credentials: KEY });
    try {
      const input = new InputQueue(2);
      const opening = openBidiStream(c, { endpointName: 'x' }, input);
      await input.push(utf8('1'));
      const { events, error } = await drain(await opening);
      assert.deepStrictEqual(events.map(text), ['first']);
      assert.deepStrictEqual([error && error.name, error && error.code], ['StreamReset', 'ERR_HTTP2_STREAM_ERROR']);
      assert.match(error.message, /reset before the server ended it \(HTTP\/2 error code 2\)/);
      await assert.rejects(input.push(utf8('2')), (e) => e.name === 'InputClosed');
    } finally {
      c.destroy();
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  describe('over TLS, and through a proxy', function () {
    let certs;
    let tlsServer;
    let tlsUrl;
    let proxy;

    before(async function () {
      certs = makeCerts();
      tlsServer = new BidiServer({ credentials: [KEY], endpoints: { demo: demoBidi() }, tls: { key: certs.serverKey, cert: certs.serverCert } });
      tlsUrl = await tlsServer.listen();
      proxy = new ConnectProxy({ username: 'proxy-user', password: 'proxy-pass' });
      await proxy.listen();
    });

    after(async function () {
      await tlsServer.close();
      await proxy.close();
      certs.remove();
    });

    const roundTrip = async (c) => {
      const input = new InputQueue(2);
      const opening = openBidiStream(c, { endpointName: 'demo' }, input);
      await input.push(utf8('7'));
      input.end();
      const { events, error } = await drain(await opening);
      assert.strictEqual(error, undefined);
      assert.deepStrictEqual(events.map((e) => json(e).value), [7]);
    };

    it('speaks h2 over TLS trusting the company CA, and refuses an untrusted server', async function () {
      const trusting = createBidiClient({ region: 'us-east-1', bidiEndpointUrl: tlsUrl, timeout: 10000, credentials: KEY, tls: { ca: certs.ca } });
      const untrusting = createBidiClient({ region: 'us-east-1', bidiEndpointUrl: tlsUrl, timeout: 10000, credentials: KEY });
      try {
        await roundTrip(trusting);
        // The connection's own error, as for the other calls (the SDK's HTTP/2 handler alone says "aborted").
        await assert.rejects(openBidiStream(untrusting, { endpointName: 'demo' }, new InputQueue(1)),
          (e) => /certificate/i.test(e.message) && e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      } finally {
        trusting.destroy();
        untrusting.destroy();
      }
    });

    it('goes through a CONNECT tunnel when a proxy applies (TLS inside it end to end)', async function () {
      const tunnelled = createBidiClient({
        region: 'us-east-1', bidiEndpointUrl: tlsUrl, timeout: 10000, credentials: KEY, tls: { ca: certs.ca },
        proxyEnv: { https_proxy: proxy.url }, proxyAuth: { username: 'proxy-user', password: 'proxy-pass' },
      });
      const refused = createBidiClient({
        region: 'us-east-1', bidiEndpointUrl: tlsUrl, timeout: 10000, credentials: KEY, tls: { ca: certs.ca },
        proxyEnv: { https_proxy: proxy.url }, proxyAuth: { username: 'proxy-user', password: 'wrong' },
      });
      try {
        await roundTrip(tunnelled);
        assert.strictEqual(proxy.tunnels(new URL(tlsUrl).host), 1);
        // A refused tunnel is the same FlowError as for the other calls, the password never in it.
        await assert.rejects(openBidiStream(refused, { endpointName: 'demo' }, new InputQueue(1)), (e) => {
          assert.deepStrictEqual([e.name, e.key, e.params.status], ['FlowError', 'proxyAuthFailed', 407]);
          assert.ok(!JSON.stringify(e.params).includes('wrong'));
          return true;
        });
      } finally {
        tunnelled.destroy();
        refused.destroy();
      }
    });
  });
});
