'use strict';
// Micro-batching: many messages in one InvokeEndpoint request, each message out with its own result, through the
// real SDK and the wire-true server.
const assert = require('node:assert/strict');
const { helper, load, useServer, json, until } = require('./harness');
const { MAX_BODY_BYTES } = require('../dist/shared/rules');

/** Where each message ended, by msg.id: [{ where: 'out' | 'caught', msg }]. */
function ledger(nodes) {
  const ends = new Map();
  const record = (where) => (msg) => ends.set(msg.id, [...(ends.get(msg.id) ?? []), { where, msg }]);
  nodes.out.on('input', record('out'));
  nodes.caught.on('input', record('caught'));
  return {
    ends,
    out: () => [...ends.values()].flat().filter((e) => e.where === 'out').map((e) => e.msg),
    caught: () => [...ends.values()].flat().filter((e) => e.where === 'caught').map((e) => e.msg),
    total: () => [...ends.values()].reduce((n, list) => n + list.length, 0),
  };
}

/** A CSV model: answers each row with `<first field>:score`, one line per row, and records the rows it got. */
function csvModel(batches) {
  return (req) => {
    const rows = req.body.toString().split('\n');
    batches.push({ rows, contentType: req.headers['content-type'], endpoint: req.endpointName, headers: req.headers });
    return { body: `${rows.map((r) => `${r.split(',')[0]}:score`).join('\n')}\n`, contentType: 'text/csv' };
  };
}

const invocations = (server) => server.requests.filter((r) => r.operation === 'invoke');

describe('sagemaker-invoke: micro-batching', function () {
  let server;
  useServer({}, undefined, (s) => { server = s; });

  it('csv: sends batchSize messages as one text/csv request; each message leaves with its own line, in order', async function () {
    const batches = [];
    server.setEndpoint('ep', csvModel(batches));
    const nodes = await load(server.url, { invoke: { batchSize: 5, batchWindow: 10000, batchFormat: 'csv' } });
    const book = ledger(nodes);
    for (let id = 0; id < 5; id++) nodes.n1.receive({ id, topic: `sensor-${id}`, payload: [`r${id}`, id * 1.5] });
    await until(() => book.total() === 5, 'five messages out');
    assert.equal(invocations(server).length, 1, 'one request');
    assert.deepEqual(batches[0].rows, ['r0,0', 'r1,1.5', 'r2,3', 'r3,4.5', 'r4,6']);
    assert.equal(batches[0].contentType, 'text/csv');
    assert.ok(invocations(server)[0].verified);
    const out = book.out();
    assert.deepEqual(out.map((m) => m.id), [0, 1, 2, 3, 4], 'in the order they came in');
    const requestId = out[0].sagemaker.requestId;
    assert.ok(requestId);
    out.forEach((m, i) => {
      assert.equal(m.payload, `r${i}:score`);
      assert.equal(m.topic, `sensor-${i}`, 'the same msg goes on');
      assert.deepEqual(m.sagemaker.batch, { size: 5, index: i, requestId });
      assert.equal(m.sagemaker.endpointName, 'ep');
      assert.equal(m.sagemaker.contentType, 'text/csv');
    });
  });

  it('csv: quotes fields holding commas, quotes and line breaks (RFC 4180); a string row goes as it is', async function () {
    const bodies = [];
    server.setEndpoint('ep', (req) => {
      bodies.push(req.body.toString());
      return { body: 'a\nb\nc\n', contentType: 'text/csv' };
    });
    const nodes = await load(server.url, { invoke: { batchSize: 3, batchFormat: 'csv' } });
    const book = ledger(nodes);
    nodes.n1.receive({ id: 1, payload: ['pump, north', 'said "stop"', 21.5] });
    nodes.n1.receive({ id: 2, payload: ['line one\nline two', null, true] });
    nodes.n1.receive({ id: 3, payload: '7,8,9' });
    await until(() => book.total() === 3, 'three messages out');
    assert.equal(bodies[0], '"pump, north","said ""stop""",21.5\n"line one\nline two",,true\n7,8,9');
    assert.deepEqual(book.out().map((m) => m.payload), ['a', 'b', 'c']);
  });

  it('json: an array of the inputs, or under batchKey; results from the answer\'s array or predictions', async function () {
    const bodies = [];
    server.setEndpoint('ep', (req) => {
      const body = JSON.parse(req.body.toString());
      bodies.push({ body, contentType: req.headers['content-type'] });
      const inputs = Array.isArray(body) ? body : body.instances;
      const results = inputs.map((x) => ({ echo: x.t * 2 }));
      return json(Array.isArray(body) ? results : { predictions: results });
    });
    let nodes = await load(server.url, { invoke: { batchSize: 3, batchFormat: 'json' } });
    let book = ledger(nodes);
    for (let id = 0; id < 3; id++) nodes.n1.receive({ id, payload: { t: id } });
    await until(() => book.total() === 3, 'three out');
    assert.deepEqual(bodies[0], { body: [{ t: 0 }, { t: 1 }, { t: 2 }], contentType: 'application/json' });
    assert.deepEqual(book.out().map((m) => m.payload), [{ echo: 0 }, { echo: 2 }, { echo: 4 }]);

    await helper.unload();
    nodes = await load(server.url, { invoke: { batchSize: 2, batchFormat: 'json', batchKey: 'instances' } });
    book = ledger(nodes);
    nodes.n1.receive({ id: 'a', payload: { t: 10 } });
    nodes.n1.receive({ id: 'b', payload: { t: 20 } });
    await until(() => book.total() === 2, 'two out');
    assert.deepEqual(bodies[1].body, { instances: [{ t: 10 }, { t: 20 }] });
    assert.deepEqual(book.out().map((m) => [m.id, m.payload]), [['a', { echo: 20 }], ['b', { echo: 40 }]]);
  });

  it('jsonlines: one document per line each way', async function () {
    const bodies = [];
    server.setEndpoint('ep', (req) => {
      bodies.push({ text: req.body.toString(), contentType: req.headers['content-type'] });
      const lines = req.body.toString().split('\n').map((l) => JSON.stringify({ got: JSON.parse(l) }));
      return { body: `${lines.join('\n')}\n`, contentType: 'application/jsonlines' };
    });
    const nodes = await load(server.url, { invoke: { batchSize: 3, batchFormat: 'jsonlines' } });
    const book = ledger(nodes);
    nodes.n1.receive({ id: 1, payload: { v: 1 } });
    nodes.n1.receive({ id: 2, payload: 'text\nwith a newline' });
    nodes.n1.receive({ id: 3, payload: [1, 2] });
    await until(() => book.total() === 3, 'three out');
    assert.deepEqual(bodies[0], { text: '{"v":1}\n"text\\nwith a newline"\n[1,2]', contentType: 'application/jsonlines' });
    assert.deepEqual(book.out().map((m) => m.payload), [{ got: { v: 1 } }, { got: 'text\nwith a newline' }, { got: [1, 2] }]);
  });

  it('messages that would make different requests never share one: endpoint, custom attributes, accept each split', async function () {
    const batches = [];
    for (const name of ['ep-a', 'ep-b']) server.setEndpoint(name, csvModel(batches));
    const nodes = await load(server.url, { invoke: { endpointName: '', batchSize: 3, batchWindow: 100 } });
    const book = ledger(nodes);
    const msgs = [
      { id: 1, endpointName: 'ep-a', payload: '1' },
      { id: 2, endpointName: 'ep-b', payload: '2' },
      { id: 3, endpointName: 'ep-a', payload: '3', customAttributes: 'tenant=x' },
      { id: 4, endpointName: 'ep-a', payload: '4' },
      { id: 5, endpointName: 'ep-b', payload: '5' },
      { id: 6, endpointName: 'ep-a', payload: '6', accept: 'text/csv' },
      { id: 7, endpointName: 'ep-a', payload: '7', customAttributes: 'tenant=x' },
    ];
    for (const m of msgs) nodes.n1.receive(m);
    await until(() => book.total() === 7, 'seven out');
    const seen = batches.map((b) => `${b.endpoint}|${b.headers['x-amzn-sagemaker-custom-attributes'] ?? ''}|${b.headers.accept ?? ''}|${b.rows.join(' ')}`).sort();
    assert.deepEqual(seen, ['ep-a|tenant=x||3 7', 'ep-a||text/csv|6', 'ep-a|||1 4', 'ep-b|||2 5']);
    for (const m of book.out()) assert.equal(m.payload, `${m.id}:score`, `message ${m.id} got its own answer`);
    assert.deepEqual(book.out().find((m) => m.id === 6).sagemaker.batch.size, 1);
  });

  it('a lone message waits batchWindow ms for company, then goes alone', async function () {
    const batches = [];
    server.setEndpoint('ep', csvModel(batches));
    const nodes = await load(server.url, { invoke: { batchSize: 50, batchWindow: 150 } });
    const book = ledger(nodes);
    const started = Date.now();
    nodes.n1.receive({ id: 1, payload: 'only' });
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(invocations(server).length, 0, 'nothing sent inside the window');
    await until(() => book.total() === 1, 'the message out');
    const waited = Date.now() - started;
    assert.ok(waited >= 145 && waited < 1500, `waited ${waited} ms`);
    assert.deepEqual(batches[0].rows, ['only']);
    assert.deepEqual(book.out()[0].sagemaker.batch.size, 1);
  });

  it('a message with a session id is never batched: it goes at once, alone, and follows its session', async function () {
    const batches = [];
    server.setEndpoint('ep', (req) => {
      const answer = csvModel(batches)(req);
      if (req.headers['x-amzn-sagemaker-session-id'] === 'NEW_SESSION') answer.headers = { 'X-Amzn-SageMaker-New-Session-Id': 'sess-1; Expires=2030-01-01T00:00:00Z' };
      return answer;
    });
    const nodes = await load(server.url, { invoke: { batchSize: 10, batchWindow: 5000 } });
    const book = ledger(nodes);
    nodes.n1.receive({ id: 1, payload: 'x1' });
    nodes.n1.receive({ id: 2, payload: 's1', sessionId: 'NEW_SESSION' });
    nodes.n1.receive({ id: 3, payload: 'x3' });
    await until(() => book.total() === 1, 'the session message');
    const [session] = book.out();
    assert.equal(session.id, 2);
    assert.equal(session.payload, 's1:score');
    assert.equal(session.sessionId, 'sess-1');
    assert.deepEqual(batches.map((b) => b.rows), [['s1']]);
    assert.equal(batches[0].headers['x-amzn-sagemaker-session-id'], 'NEW_SESSION');
    assert.equal(batches[0].contentType, 'text/csv', 'still in the batch format');
    await nodes.n1.close(true); // the two others end too (tested below); here only the session message matters
  });

  it('an answer with the wrong count of results fails every message of the batch, each once, with the raw answer', async function () {
    server.setEndpoint('ep', () => ({ body: '0.1\n0.2\n', contentType: 'text/csv' }));
    const nodes = await load(server.url, { invoke: { batchSize: 3 } });
    const book = ledger(nodes);
    for (let id = 0; id < 3; id++) nodes.n1.receive({ id, payload: String(id) });
    await until(() => book.total() === 3, 'three at Catch');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(book.total(), 3, 'each ends once');
    assert.equal(book.out().length, 0);
    book.caught().forEach((m) => {
      assert.equal(
        m.error.message,
        'Error: The answer to a batch of 3 messages from endpoint ep holds 2 results, not one per message. The raw answer is in msg.sagemaker.rawBody (the whole batch of 3 messages failed)',
      );
      assert.equal(m.sagemaker.error.name, 'InvalidResponse');
      assert.equal(m.sagemaker.rawBody.toString(), '0.1\n0.2\n');
      assert.equal(m.sagemaker.batch.size, 3);
      assert.equal(m.sagemaker.batch.index, m.id);
      assert.ok(m.sagemaker.batch.requestId);
    });
  });

  it('a batch the service fails fails every message in it through its own done(err); the node goes on', async function () {
    let fail = true;
    server.setEndpoint('ep', (req) => {
      if (fail) return { error: 'ModelError', message: 'Received client error (400)', fields: { OriginalStatusCode: 400, OriginalMessage: 'bad row 2', LogStreamArn: 'arn:log' } };
      return csvModel([])(req);
    });
    const nodes = await load(server.url, { invoke: { batchSize: 4 } });
    const book = ledger(nodes);
    for (let id = 0; id < 4; id++) nodes.n1.receive({ id, payload: String(id) });
    await until(() => book.total() === 4, 'four at Catch');
    for (const m of book.caught()) {
      assert.match(m.error.message, /^Error: The model on endpoint ep failed with status 400: bad row 2 .*\(the whole batch of 4 messages failed\)$/);
      assert.equal(m.sagemaker.error.name, 'ModelError');
      assert.equal(m.sagemaker.error.originalMessage, 'bad row 2');
      assert.equal(m.sagemaker.batch.size, 4);
    }
    assert.deepEqual(book.caught().map((m) => m.sagemaker.batch.index).sort(), [0, 1, 2, 3]);
    fail = false;
    for (let id = 10; id < 14; id++) nodes.n1.receive({ id, payload: String(id) });
    await until(() => book.out().length === 4, 'the next batch goes through');
    assert.equal(book.total(), 8);
  });

  it('a message the batch format cannot hold fails alone, before joining a batch; the others go on', async function () {
    const batches = [];
    server.setEndpoint('ep', csvModel(batches));
    const nodes = await load(server.url, { invoke: { batchSize: 2 } });
    const book = ledger(nodes);
    nodes.n1.receive({ id: 1, payload: 'a' });
    nodes.n1.receive({ id: 2, payload: { not: 'a row' } });
    nodes.n1.receive({ id: 3, payload: Buffer.from('bytes') });
    nodes.n1.receive({ id: 4, payload: 'b' });
    await until(() => book.total() === 4, 'all four ended');
    assert.deepEqual(book.out().map((m) => m.id), [1, 4]);
    const errors = Object.fromEntries(book.caught().map((m) => [m.id, m.error.message]));
    assert.equal(errors[2], 'Error: msg.payload cannot go into the csv batch: it is an object; give a string (one row) or an array of numbers and strings');
    assert.equal(errors[3], 'Error: msg.payload cannot go into the csv batch: it is binary (a Buffer); a batch body is text');
    assert.deepEqual(batches.map((b) => b.rows), [['a', 'b']]);
  });

  it('cuts a batch before its body would pass 6 MB: seven rows of 1 MiB go as 5 + 2', async function () {
    const sizes = [];
    server.setEndpoint('ep', (req) => {
      const rows = req.body.toString().split('\n');
      sizes.push({ bytes: req.body.length, rows: rows.length });
      return { body: rows.map((r) => r.length).join('\n'), contentType: 'text/csv' };
    });
    const nodes = await load(server.url, { invoke: { batchSize: 100, batchWindow: 300 } });
    const book = ledger(nodes);
    const row = 'x'.repeat(1024 * 1024);
    for (let id = 0; id < 7; id++) nodes.n1.receive({ id, payload: row });
    await until(() => book.total() === 7, 'seven out', 10000);
    assert.equal(book.out().length, 7);
    assert.deepEqual(sizes.map((s) => s.rows), [5, 2]);
    for (const s of sizes) assert.ok(s.bytes <= MAX_BODY_BYTES, `${s.bytes} bytes`);
    assert.deepEqual(book.out().map((m) => m.payload), Array(7).fill(String(row.length)));
  });

  it('maxInFlight counts requests, maxQueue counts messages', async function () {
    const waiting = [];
    let open = 0;
    let peak = 0;
    server.setEndpoint('ep', (req) => {
      open += 1;
      peak = Math.max(peak, open);
      return new Promise((resolve) => waiting.push(() => {
        open -= 1;
        resolve(csvModel([])(req));
      }));
    });
    const nodes = await load(server.url, { invoke: { batchSize: 4, batchWindow: 10000, maxInFlight: 1, maxQueue: 8 } });
    const book = ledger(nodes);
    // 4 fill a batch that starts at once; 8 more fill two batches that wait (8 messages queued): the queue is full.
    for (let id = 0; id < 14; id++) nodes.n1.receive({ id, payload: String(id) });
    await until(() => book.total() === 2, 'the two over the bound');
    assert.deepEqual(book.caught().map((m) => [m.id, m.sagemaker.error.name]), [[12, 'QueueFull'], [13, 'QueueFull']]);
    assert.match(book.caught()[0].error.message, /1 requests in flight and 8 messages queued/);
    while (book.total() < 14) {
      await until(() => waiting.length > 0 || book.total() === 14, 'a request or the end');
      if (waiting.length) waiting.shift()();
    }
    assert.equal(peak, 1, 'one request at a time');
    assert.equal(invocations(server).length, 3);
    assert.deepEqual(book.out().map((m) => m.id), [...Array(12).keys()]);
  });

  it('status: batches in flight, messages waiting and the mean batch size', async function () {
    const waiting = [];
    server.setEndpoint('ep', (req) => new Promise((resolve) => waiting.push(() => resolve(csvModel([])(req)))));
    const nodes = await load(server.url, { invoke: { batchSize: 4, batchWindow: 10000, maxInFlight: 2 } });
    const book = ledger(nodes);
    const statuses = [];
    nodes.n1.on('call:status', (call) => statuses.push(call.args[0]));
    for (let id = 0; id < 8; id++) nodes.n1.receive({ id, payload: String(id) });
    nodes.n1.receive({ id: 8, payload: '8' });
    await until(() => statuses.some((s) => s.text === '2 batches in flight, 1 msgs waiting, mean size 4.0'), 'the busy status');
    while (waiting.length) waiting.shift()();
    await until(() => book.out().length === 8, 'two batches out');
    await nodes.n1.close(true);
  });

  it('closing fails the messages of open and queued batches, aborts the one in flight: each message ends once', async function () {
    server.setEndpoint('ep', () => ({ hang: true }));
    const nodes = await load(server.url, { invoke: { batchSize: 3, batchWindow: 60000, maxInFlight: 1 }, config: { timeout: 60000 } });
    const errors = [];
    nodes.n1.on('call:error', (call) => errors.push(call.args));
    for (let id = 0; id < 8; id++) nodes.n1.receive({ id, payload: String(id) });
    await until(() => invocations(server).length === 1, 'the first batch in flight');
    const started = Date.now();
    await nodes.n1.close(true);
    assert.ok(Date.now() - started < 2000);
    await until(() => errors.length === 8, 'all eight ended');
    const byId = new Map();
    for (const [err, msg] of errors) byId.set(msg.id, [...(byId.get(msg.id) ?? []), String(err)]);
    assert.equal(byId.size, 8);
    const kinds = [...byId.entries()].sort((a, b) => a[0] - b[0]).map(([, [e]]) => (
      /aborted because the node was closed/.test(e) ? 'aborted' : /while the message waited in its queue/.test(e) ? 'queued' : /waited for its batch to fill/.test(e) ? 'filling' : e
    ));
    assert.deepEqual(kinds, ['aborted', 'aborted', 'aborted', 'queued', 'queued', 'queued', 'filling', 'filling']);
    assert.equal(invocations(server).length, 1, 'nothing was sent after close');
  });

  it('every message ends exactly once when batches meet model errors, throttling and resets', async function () {
    this.timeout(60000);
    let n = 0;
    server.setEndpoint('ep', (req) => {
      n += 1;
      if (n % 7 === 0) return { error: 'ModelError', message: 'boom', fields: { OriginalStatusCode: 500, OriginalMessage: 'boom' } };
      if (n % 5 === 0) return { error: 'ThrottlingException', message: 'slow down' };
      if (n % 11 === 0) return { reset: true };
      return csvModel([])(req);
    });
    const nodes = await load(server.url, { invoke: { batchSize: 16, batchWindow: 5, maxInFlight: 4 }, config: { maxAttempts: 2 } });
    const book = ledger(nodes);
    for (let id = 0; id < 1000; id++) {
      nodes.n1.receive({ id, payload: `${id},${id % 3}` });
      if (id % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => book.total() >= 1000, 'every message ended', 30000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(book.ends.size, 1000);
    assert.equal(book.total(), 1000, 'none ended twice');
    for (const m of book.out()) assert.equal(m.payload, `${m.id}:score`);
    assert.ok(book.out().length > 0 && book.caught().length > 0, `${book.out().length} out, ${book.caught().length} caught`);
  });

  it('settings that cannot work make the node not configured, saying why', async function () {
    const cases = [
      [{ mode: 'stream', batchSize: 8 }, 'batchSize 8 batches InvokeEndpoint calls, but mode stream (InvokeEndpointWithResponseStream) cannot batch: set batchSize to 1, or choose mode invoke'],
      [{ batchSize: 8, output: 'buffer' }, /binary buffer cannot be cut/],
      [{ batchSize: 8, batchKey: 'instances' }, /batchKey is set, but batchFormat csv/],
      [{ batchSize: 64, maxQueue: 10 }, /maxQueue 10 is smaller than batchSize 64/],
      [{ batchSize: 1001 }, 'The node\'s batchSize is "1001": batchSize must be a whole number from 1 to 1000'],
      [{ batchSize: 4, batchWindow: -1 }, 'The node\'s batchWindow is "-1": batchWindow must be a whole number from 0 to 60000'],
      [{ batchSize: 4, batchFormat: 'xml' }, 'The node\'s batchFormat is "xml": batchFormat must be one of csv, json, jsonlines'],
    ];
    for (const [invoke, expected] of cases) {
      const nodes = await load(server.url, { invoke });
      const book = ledger(nodes);
      nodes.n1.receive({ id: 1, payload: 'x' });
      await until(() => book.total() === 1, 'the message at Catch');
      const [m] = book.caught();
      if (typeof expected === 'string') assert.equal(m.error.message, `Error: ${expected}`);
      else assert.match(m.error.message, expected);
      assert.equal(m.sagemaker.error.name, 'ConfigurationError');
      await helper.unload();
    }
    assert.equal(invocations(server).length, 0);
  });

  it('batchSize 1 (the default) sends one request per message, as before', async function () {
    server.setEndpoint('ep', (req) => json({ got: JSON.parse(req.body.toString()) }));
    const nodes = await load(server.url, { invoke: {} });
    const book = ledger(nodes);
    nodes.n1.receive({ id: 1, payload: { a: 1 } });
    nodes.n1.receive({ id: 2, payload: { a: 2 } });
    await until(() => book.total() === 2, 'two out');
    assert.equal(invocations(server).length, 2);
    assert.equal(book.out()[0].sagemaker.batch, undefined);
  });
});
