'use strict';
// mode stream: InvokeEndpointWithResponseStream through the node, against the wire-true server's event stream.
const assert = require('node:assert/strict');
const { load, outcome, useServer, feed, until } = require('./harness');
const splitJoin = require('@node-red/nodes/core/sequence/17-split.js');
const net = require('node:net');

const STREAM = { mode: 'stream' };

/** Collects what reaches `out` and `caught` until the input msg has ended (done called once). */
function collect(nodes) {
  const got = { out: [], caught: [], errors: [], dones: 0 };
  nodes.out.on('input', (m) => got.out.push(m));
  nodes.caught.on('input', (m) => got.caught.push(m));
  nodes.n1.on('call:error', (call) => got.errors.push(call.args));
  return got;
}

/**
 * A TCP relay in front of the server whose connections a test can reset (RST), as a network that breaks: the
 * server is not told, so the client sees exactly a connection reset in the middle of the answer.
 */
async function relay(target) {
  const { hostname, port } = new URL(target);
  const pairs = new Set();
  const srv = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const s of [client, upstream]) s.on('error', end).on('close', end);
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${srv.address().port}`,
    reset: () => { for (const { client } of pairs) client.resetAndDestroy(); },
    close: () => new Promise((resolve) => {
      for (const { client, upstream } of pairs) { client.destroy(); upstream.destroy(); }
      srv.close(resolve);
    }),
  };
}

describe('sagemaker-invoke mode stream: parts as they arrive', function () {
  let server;
  useServer({}, undefined, (s) => { server = s; });

  it('sends one msg per part, copies of the input, the last with count, complete and metadata', async function () {
    server.setEndpoint('ep', () => ({
      contentType: 'text/plain; charset=utf-8',
      headers: { 'x-Amzn-Invoked-Production-Variant': 'AllTraffic', 'X-Amzn-SageMaker-Custom-Attributes': 'back=1' },
      stream: [{ part: 'Hel' }, { part: 'lo, ' }, { part: 'world' }],
    }));
    const nodes = await load(server.url, { invoke: { ...STREAM, accept: 'text/plain' } });
    const got = collect(nodes);
    nodes.n1.receive({ _msgid: 'm-1', payload: { inputs: 'hi' }, topic: 'chat', inferenceId: 'inf-1' });
    await until(() => got.out.some((m) => m.complete), 'the last part');
    assert.deepEqual(got.out.map((m) => m.payload), ['Hel', 'lo, ', 'world']);
    assert.deepEqual(got.out.map((m) => m.parts), [
      { id: 'm-1', type: 'string', ch: '', index: 0 },
      { id: 'm-1', type: 'string', ch: '', index: 1 },
      { id: 'm-1', type: 'string', ch: '', index: 2, count: 3 },
    ]);
    assert.ok(got.out.every((m) => m.topic === 'chat'), 'each part is a copy of the input msg');
    assert.equal(new Set(got.out).size, 3, 'separate msg objects');
    assert.deepEqual(got.out.map((m) => m.complete), [undefined, undefined, true]);
    assert.equal(got.out[0].sagemaker, undefined);
    const meta = got.out[2].sagemaker;
    assert.equal(meta.endpointName, 'ep');
    assert.equal(meta.contentType, 'text/plain; charset=utf-8');
    assert.equal(meta.invokedProductionVariant, 'AllTraffic');
    assert.equal(meta.customAttributes, 'back=1');
    assert.equal(meta.inferenceId, 'inf-1');
    assert.equal(meta.partsReceived, 3);
    assert.match(meta.requestId, /^[0-9a-f-]{36}$/);
    assert.ok(meta.firstPartMs <= meta.durationMs);
    const req = server.requests[0];
    assert.equal(req.path, '/endpoints/ep/invocations-response-stream');
    assert.equal(req.verified, true);
    assert.equal(req.headers['x-amzn-sagemaker-accept'], 'text/plain', 'Accept travels as X-Amzn-SageMaker-Accept');
    assert.equal(req.headers.accept, undefined);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-amzn-sagemaker-inference-id'], 'inf-1');
    assert.equal(got.caught.length, 0);
  });

  it('the first part leaves the node before the server has finished the stream', async function () {
    const source = feed();
    server.setEndpoint('ep', () => ({ contentType: 'text/plain', stream: source }));
    const nodes = await load(server.url, { invoke: STREAM });
    const got = collect(nodes);
    nodes.n1.receive({ payload: 'go' });
    source.send({ part: 'one ' });
    source.send({ part: 'two ' });
    // The node holds one part back (to mark the last); the first must come out now, with the stream still open.
    await until(() => got.out.length === 1, 'the first part downstream');
    assert.equal(got.out[0].payload, 'one ');
    assert.equal(source.state.ended, false);
    assert.equal(server.requests[0].streamEnded, false, 'the server has not finished the stream');
    source.send({ part: 'three' });
    source.end();
    await until(() => got.out.length === 3, 'all parts');
    assert.deepEqual(got.out.map((m) => m.payload), ['one ', 'two ', 'three']);
  });

  it('a core Join node in automatic mode rebuilds the whole answer, text or bytes', async function () {
    const e = Buffer.from('é');
    server.setEndpoint('text', () => ({ contentType: 'text/plain', stream: [{ part: 'caf' }, { part: e.subarray(0, 1) }, { part: Buffer.concat([e.subarray(1), Buffer.from('!')]) }] }));
    server.setEndpoint('bytes', () => ({ contentType: 'audio/wav', stream: [{ part: Buffer.from([1, 2]) }, { part: Buffer.from([3]) }] }));
    const nodes = await load(server.url, {
      invoke: { ...STREAM, endpointName: '', wires: [['join1']] },
      extraTypes: [splitJoin],
      extraNodes: [{ id: 'join1', type: 'join', z: 'f1', mode: 'auto', build: 'string', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '', reduceRight: false, wires: [['out']] }],
    });
    const text = await outcome(nodes, { payload: 'x', endpointName: 'text', topic: 't' });
    assert.equal(text.where, 'out');
    assert.equal(text.msg.payload, 'café!');
    assert.equal(text.msg.topic, 't');
    assert.equal(text.msg.sagemaker.partsReceived, 3, 'the joined msg keeps the metadata of the last part');
    assert.equal(text.msg.parts, undefined);
    const bytes = await outcome(nodes, { payload: 'x', endpointName: 'bytes' });
    assert.ok(Buffer.isBuffer(bytes.msg.payload));
    assert.deepEqual([...bytes.msg.payload], [1, 2, 3]);
  });

  it('streamSplit lines: JSON Lines and server-sent events cut anywhere become one parsed msg per line; Join makes an array', async function () {
    server.setEndpoint('jsonl', () => ({
      contentType: 'application/jsonlines',
      stream: [{ part: '{"token":"Hel' }, { part: 'lo"}\n{"token":" wor' }, { part: 'ld"}\n' }],
    }));
    server.setEndpoint('sse', () => ({
      contentType: 'text/event-stream',
      stream: [{ part: 'data: {"t":1}\n\ndata: {"t"' }, { part: ':2}\n\n' }, { part: 'data: [DONE]\n\n' }],
    }));
    const nodes = await load(server.url, {
      invoke: { ...STREAM, streamSplit: 'lines', endpointName: '', wires: [['out', 'join1']] },
      extraTypes: [splitJoin],
      extraNodes: [
        { id: 'join1', type: 'join', z: 'f1', mode: 'auto', build: 'array', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '', joinerType: 'str', accumulate: false, timeout: '', count: '', reduceRight: false, wires: [['joined']] },
        { id: 'joined', type: 'helper', z: 'f1' },
      ],
    });
    const got = collect(nodes);
    const joined = [];
    require('./harness').helper.getNode('joined').on('input', (m) => joined.push(m));
    nodes.n1.receive({ payload: 'x', endpointName: 'jsonl' });
    await until(() => joined.length === 1, 'the joined JSON Lines answer');
    assert.deepEqual(got.out.map((m) => m.payload), [{ token: 'Hello' }, { token: ' world' }]);
    assert.deepEqual(got.out.map((m) => m.parts.type), ['array', 'array']);
    assert.deepEqual(joined[0].payload, [{ token: 'Hello' }, { token: ' world' }]);
    got.out.length = 0;
    nodes.n1.receive({ payload: 'x', endpointName: 'sse' });
    await until(() => joined.length === 2, 'the joined event stream');
    assert.deepEqual(got.out.map((m) => m.payload), [{ t: 1 }, { t: 2 }], 'data: stripped, empty lines and [DONE] not sent');
    assert.deepEqual(joined[1].payload, [{ t: 1 }, { t: 2 }]);
  });

  it('streamSplit lines with text output: lines re-cut, Join with the newline rebuilds the text', async function () {
    server.setEndpoint('ep', () => ({ contentType: 'text/csv', stream: [{ part: '1,2\n3' }, { part: ',4\n5,6' }] }));
    const nodes = await load(server.url, {
      invoke: { ...STREAM, streamSplit: 'lines', wires: [['out', 'join1']] },
      extraTypes: [splitJoin],
      extraNodes: [
        { id: 'join1', type: 'join', z: 'f1', mode: 'auto', build: 'string', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '', joinerType: 'str', accumulate: false, timeout: '', count: '', reduceRight: false, wires: [['joined']] },
        { id: 'joined', type: 'helper', z: 'f1' },
      ],
    });
    const got = collect(nodes);
    const joined = [];
    require('./harness').helper.getNode('joined').on('input', (m) => joined.push(m));
    nodes.n1.receive({ payload: 'x' });
    await until(() => joined.length === 1, 'the joined text');
    assert.deepEqual(got.out.map((m) => m.payload), ['1,2', '3,4', '5,6']);
    assert.equal(joined[0].payload, '1,2\n3,4\n5,6');
  });

  it('an answer of no parts still ends with one msg that closes the sequence', async function () {
    server.setEndpoint('ep', () => ({ contentType: 'text/plain', stream: [] }));
    const nodes = await load(server.url, { invoke: STREAM });
    const { where, msg } = await outcome(nodes, { _msgid: 'z', payload: 'x' });
    assert.equal(where, 'out');
    assert.equal(msg.payload, '');
    assert.deepEqual(msg.parts, { id: 'z', type: 'string', ch: '', index: 0, count: 1 });
    assert.equal(msg.complete, true);
    assert.equal(msg.sagemaker.partsReceived, 0);
  });

  it('writes parts to another msg property when told, and Join is told where they are', async function () {
    server.setEndpoint('ep', () => ({ contentType: 'text/plain', stream: [{ part: 'a' }] }));
    const nodes = await load(server.url, { invoke: { ...STREAM, outputProperty: 'answer' } });
    const { msg } = await outcome(nodes, { payload: 'question' });
    assert.equal(msg.answer, 'a');
    assert.equal(msg.payload, 'question');
    assert.equal(msg.parts.property, 'answer');
  });
});

/** A core Join node in automatic mode behind n1 (wired to `out` too), and what it sends. */
function joinFlow(invoke) {
  return {
    invoke: { ...STREAM, streamSplit: 'lines', endpointName: '', ...invoke, wires: [['out', 'join1']] },
    extraTypes: [splitJoin],
    extraNodes: [
      { id: 'join1', type: 'join', z: 'f1', mode: 'auto', build: 'string', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '', reduceRight: false, wires: [['joined']] },
      { id: 'joined', type: 'helper', z: 'f1' },
    ],
  };
}

describe('sagemaker-invoke mode stream: server-sent events (text/event-stream)', function () {
  let server;
  useServer({}, undefined, (s) => { server = s; });

  /** Streams `text` cut into parts at `cuts` (byte offsets), as SageMaker may cut a model's bytes. */
  const cutAt = (text, cuts) => {
    const all = Buffer.from(text, 'utf8');
    const edges = [0, ...cuts, all.length];
    return edges.slice(1).map((end, i) => ({ part: all.subarray(edges[i], end) }));
  };

  it('plain-text tokens: one msg per event, text under auto, Join rebuilds the text with nothing between', async function () {
    const body = 'data: Hé\r\n\r\ndata: llo\r\n\r\n: keep-alive\r\n\r\nevent: token\r\nid: 3\r\ndata:  wörld\r\n\r\ndata: 42\r\n\r\ndata: [DONE]\r\n\r\n';
    // Cut mid-line, mid-CRLF and inside the two bytes of é and of ö.
    server.setEndpoint('tokens', () => ({ contentType: 'text/event-stream', stream: cutAt(body, [7, 10, 19, 60, 66, 67]) }));
    const nodes = await load(server.url, joinFlow({}));
    const got = collect(nodes);
    const joined = [];
    require('./harness').helper.getNode('joined').on('input', (m) => joined.push(m));
    nodes.n1.receive({ _msgid: 's-1', payload: 'x', endpointName: 'tokens', topic: 'chat' });
    await until(() => joined.length === 1, 'the joined text');
    assert.deepEqual(got.out.map((m) => m.payload), ['Hé', 'llo', ' wörld', '42'], 'a number token stays text');
    assert.deepEqual(got.out.map((m) => [m.parts.type, m.parts.ch, m.parts.index]), [['string', '', 0], ['string', '', 1], ['string', '', 2], ['string', '', 3]]);
    assert.deepEqual(got.out.map((m) => m.sagemaker && m.sagemaker.event), [undefined, undefined, 'token', undefined]);
    assert.deepEqual(got.out.map((m) => m.sagemaker && m.sagemaker.eventId), [undefined, undefined, '3', undefined]);
    assert.equal(got.out[3].complete, true);
    assert.equal(got.out[3].parts.count, 4);
    assert.equal(got.out[3].sagemaker.partsReceived, 7);
    assert.equal(joined[0].payload, 'Héllo wörld42');
    assert.equal(joined[0].topic, 'chat');
    assert.equal(got.caught.length, 0);
  });

  it('JSON data over several data: lines is one parsed msg; event names and ids; Join makes an array', async function () {
    const body = 'event: token\nid: 1\ndata: {"token": "Hel",\ndata:  "index": 0}\n\nevent: token\nid: 2\ndata: {"token": "lo", "index": 1}\n\ndata: [DONE]\n\n';
    server.setEndpoint('tgi', () => ({ contentType: 'text/event-stream; charset=utf-8', stream: cutAt(body, [3, 25, 41, 70, 71]) }));
    for (const output of ['auto', 'json']) {
      const nodes = await load(server.url, joinFlow({ output }));
      const got = collect(nodes);
      const joined = [];
      require('./harness').helper.getNode('joined').on('input', (m) => joined.push(m));
      nodes.n1.receive({ payload: 'x', endpointName: 'tgi' });
      await until(() => joined.length === 1, `the joined array (${output})`);
      assert.deepEqual(got.out.map((m) => m.payload), [{ token: 'Hel', index: 0 }, { token: 'lo', index: 1 }], output);
      assert.deepEqual(got.out.map((m) => [m.sagemaker.event, m.sagemaker.eventId]), [['token', '1'], ['token', '2']]);
      assert.deepEqual(got.out.map((m) => m.parts.type), ['array', 'array']);
      assert.deepEqual(joined[0].payload, [{ token: 'Hel', index: 0 }, { token: 'lo', index: 1 }]);
      assert.equal(got.caught.length, 0);
      await require('./harness').helper.unload();
    }
  });

  it('an event without a name or id carries none, even when the input msg carries an earlier answer\'s', async function () {
    server.setEndpoint('ep', () => ({ contentType: 'text/event-stream', stream: [{ part: 'data: a\n\nevent: token\nid: 2\ndata: b\n\ndata: c\n\n' }] }));
    const nodes = await load(server.url, { invoke: { ...STREAM, streamSplit: 'lines' } });
    const got = collect(nodes);
    // The msg comes from an earlier SageMaker node whose last event had a name and an id.
    nodes.n1.receive({ payload: 'x', sagemaker: { endpointName: 'earlier', event: 'old', eventId: '9' } });
    await until(() => got.out.length === 3, 'three events');
    assert.deepEqual(got.out.map((m) => m.payload), ['a', 'b', 'c']);
    assert.deepEqual(got.out.map((m) => [m.sagemaker.event, m.sagemaker.eventId]), [[undefined, undefined], ['token', '2'], [undefined, undefined]]);
    assert.equal(got.caught.length, 0);
  });

  it('output json: an event that is not JSON fails at Catch naming the event, after the events before it', async function () {
    server.setEndpoint('ep', () => ({ contentType: 'text/event-stream', stream: [{ part: 'data: {"a":1}\n\ndata: Hello\n\n' }] }));
    const nodes = await load(server.url, { invoke: { ...STREAM, streamSplit: 'lines', output: 'json' } });
    const got = collect(nodes);
    nodes.n1.receive({ payload: 'x' });
    await until(() => got.caught.length === 1, 'the failure');
    assert.deepEqual(got.out.map((m) => m.payload), [{ a: 1 }]);
    assert.match(got.caught[0].error.message, /Event 2 of the streamed answer \(text\/event-stream\) does not parse as JSON/);
    assert.equal(got.caught[0].sagemaker.error.name, 'InvalidResponse');
  });

  it('streamSplit none keeps the service\'s parts as they are, events or not', async function () {
    server.setEndpoint('ep', () => ({ contentType: 'text/event-stream', stream: [{ part: 'data: a\n' }, { part: '\n' }] }));
    const nodes = await load(server.url, { invoke: STREAM });
    const got = collect(nodes);
    nodes.n1.receive({ payload: 'x' });
    await until(() => got.out.some((m) => m.complete), 'the last part');
    assert.deepEqual(got.out.map((m) => m.payload), ['data: a\n', '\n']);
  });
});

describe('sagemaker-invoke mode stream: failures', function () {
  let server;
  useServer({}, undefined, (s) => { server = s; });

  it('a ModelStreamError mid-stream: parts already sent stay sent, the failure reaches Catch with the details', async function () {
    server.setEndpoint('ep', () => ({
      contentType: 'text/plain',
      stream: [{ part: 'a' }, { part: 'b' }, { error: 'ModelStreamError', message: 'model fell over', errorCode: 'ModelInvocationTimeExceeded' }],
    }));
    const nodes = await load(server.url, { invoke: STREAM });
    const got = collect(nodes);
    nodes.n1.receive({ payload: 'x', topic: 'keep' });
    await until(() => got.caught.length === 1, 'the failure at Catch');
    assert.deepEqual(got.out.map((m) => m.payload), ['a', 'b'], 'what arrived went downstream');
    const failed = got.caught[0];
    assert.equal(failed.topic, 'keep');
    assert.match(failed.error.message, /failed in the middle of its streamed answer \(ModelInvocationTimeExceeded\) after 2 part\(s\): model fell over/);
    assert.deepEqual(
      [failed.sagemaker.error.name, failed.sagemaker.error.errorCode, failed.sagemaker.error.message, failed.sagemaker.error.partsReceived],
      ['ModelStreamError', 'ModelInvocationTimeExceeded', 'model fell over', 2],
    );
    assert.equal(got.errors.length, 1, 'the msg ended once');
  });

  it('an InternalStreamFailure, even as the first event, reaches Catch', async function () {
    server.setEndpoint('ep', () => ({ stream: [{ error: 'InternalStreamFailure', message: 'service broke' }] }));
    const nodes = await load(server.url, { invoke: STREAM });
    const { where, msg } = await outcome(nodes, { payload: 'x' });
    assert.equal(where, 'caught');
    assert.match(msg.error.message, /stream from endpoint ep failed after 0 part\(s\) \(InternalStreamFailure\): service broke/);
    assert.equal(msg.sagemaker.error.partsReceived, 0);
  });

  it('a line that does not parse ends the stream at Catch, after the lines before it', async function () {
    const source = feed();
    server.setEndpoint('ep', () => ({ contentType: 'application/jsonlines', stream: source }));
    const nodes = await load(server.url, { invoke: { ...STREAM, streamSplit: 'lines' } });
    const got = collect(nodes);
    nodes.n1.receive({ payload: 'x' });
    source.send({ part: '{"a":1}\n{"a":2}\nnot json\n' });
    await until(() => got.caught.length === 1, 'the failure');
    assert.deepEqual(got.out.map((m) => m.payload), [{ a: 1 }, { a: 2 }]);
    assert.match(got.caught[0].error.message, /Line 3 of the streamed answer does not parse as JSON/);
    await until(() => server.requests[0].clientClosed === true, 'the connection released');
  });

  it('closing the node mid-stream aborts the request, releases the connection and ends the msg once', async function () {
    const source = feed();
    server.setEndpoint('ep', () => ({ contentType: 'text/plain', stream: source }));
    const nodes = await load(server.url, { invoke: STREAM, config: { timeout: 60000 } });
    const got = collect(nodes);
    nodes.n1.receive({ payload: 'x' });
    source.send({ part: 'a' });
    source.send({ part: 'b' });
    await until(() => got.out.length === 1, 'a part downstream');
    await nodes.n1.close(true);
    assert.equal(got.errors.length, 1, 'done(err) once');
    assert.match(String(got.errors[0][0]), /aborted because the node was closed/);
    assert.equal(got.out.length, 1, 'nothing more is sent while closing');
    await until(() => server.requests[0].clientClosed === true && source.state.returned, 'the server sees the client leave');
  });

  it('a connection reset in the middle of the stream is a broken stream, not SageMaker out of reach', async function () {
    const source = feed();
    server.setEndpoint('ep', () => ({ contentType: 'text/event-stream', stream: source }));
    const line = await relay(server.url);
    try {
      const nodes = await load(line.url, { invoke: { ...STREAM, streamSplit: 'lines' }, config: { maxAttempts: 3 } });
      const got = collect(nodes);
      nodes.n1.receive({ payload: 'x', topic: 'keep' });
      source.send({ part: 'data: one\n\n' });
      source.send({ part: 'data: two\n\ndata: thr' });
      await until(() => got.out.length === 1, 'the first event downstream');
      line.reset();
      await until(() => got.caught.length === 1, 'the failure at Catch');
      const failed = got.caught[0];
      assert.equal(failed.topic, 'keep');
      assert.match(failed.error.message, /The stream from endpoint ep broke: the connection broke after 2 part\(s\) \(ECONNRESET\)/);
      assert.doesNotMatch(failed.error.message, /Could not reach/);
      assert.deepEqual([failed.sagemaker.error.name, failed.sagemaker.error.errorCode, failed.sagemaker.error.partsReceived], ['NetworkError', 'ECONNRESET', 2]);
      assert.deepEqual(got.out.map((m) => m.payload), ['one', 'two'], 'what arrived went downstream, the cut-off event did not');
      assert.equal(got.errors.length, 1, 'the msg ended once');
      assert.equal(server.requests.length, 1, 'a broken stream is not sent again');
    } finally {
      await line.close();
    }
  });

  it('a stream that goes silent longer than the timeout fails as a timeout', async function () {
    const source = feed();
    server.setEndpoint('ep', () => ({ contentType: 'text/plain', stream: source }));
    const nodes = await load(server.url, { invoke: STREAM, config: { timeout: 300, maxAttempts: 1 } });
    const got = collect(nodes);
    nodes.n1.receive({ payload: 'x' });
    source.send({ part: 'a' });
    await until(() => got.caught.length === 1, 'the timeout');
    assert.match(got.caught[0].error.message, /went silent for longer than the config node's timeout of 300 ms after 1 part\(s\)/);
  });

  it('refuses target model and explanations, and NEW_SESSION, before sending', async function () {
    const nodes = await load(server.url, { invoke: STREAM });
    const cases = [
      [{ targetModel: 'm.tar.gz' }, /msg\.targetModel is set, but mode stream \(InvokeEndpointWithResponseStream\) does not take it/],
      [{ enableExplanations: '`true`' }, /msg\.enableExplanations is set, but mode stream/],
      [{ sessionId: 'NEW_SESSION' }, /msg\.sessionId must be the id of an open session/],
    ];
    for (const [fields, pattern] of cases) {
      const { where, msg } = await outcome(nodes, { payload: 'x', ...fields });
      assert.equal(where, 'caught');
      assert.match(msg.error.message, pattern);
    }
    assert.equal(server.requests.length, 0);
  });

  it('a node set up with a field the stream does not take, or JSON without lines, is not configured', async function () {
    for (const invoke of [{ ...STREAM, targetModel: 'm' }, { ...STREAM, output: 'json', streamSplit: 'none' }]) {
      const nodes = await load(server.url, { invoke });
      const { where, msg } = await outcome(nodes, { payload: 'x' });
      assert.equal(where, 'caught');
      assert.match(msg.error.message, /targetModel is set, but mode stream|needs Split set to lines/);
      await require('./harness').helper.unload();
    }
  });
});
