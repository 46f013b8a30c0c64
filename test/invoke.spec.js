'use strict';
const assert = require('node:assert/strict');
const { helper, load, outcome, useServer, json, until } = require('./harness');

const echo = (req) => json({ got: JSON.parse(req.body.toString() || 'null') });

describe('sagemaker-invoke: calling an endpoint', function () {
  let server;
  useServer({ ep: echo }, undefined, (s) => { server = s; });

  it('sends the payload as JSON, decodes the answer, keeps the msg and adds metadata', async function () {
    server.setEndpoint('ep', (req) => json({ score: 0.97, echoed: JSON.parse(req.body.toString()) }, {
      'x-Amzn-Invoked-Production-Variant': 'AllTraffic',
      'X-Amzn-SageMaker-Custom-Attributes': 'model=v2',
    }));
    const nodes = await load(server.url);
    const res = { marker: 'http response object' };
    const msg = { payload: { temperature: 21.5 }, topic: 'sensor/1', res, inferenceId: 'inf-7' };
    const { where, msg: got } = await outcome(nodes, msg);
    assert.equal(where, 'out');
    assert.deepEqual(got.payload, { score: 0.97, echoed: { temperature: 21.5 } });
    assert.equal(got.topic, 'sensor/1');
    assert.equal(got.res, res, 'the same msg object flows on, so msg.res survives');
    const meta = got.sagemaker;
    assert.equal(meta.endpointName, 'ep');
    assert.equal(meta.contentType, 'application/json');
    assert.equal(meta.invokedProductionVariant, 'AllTraffic');
    assert.equal(meta.customAttributes, 'model=v2');
    assert.equal(meta.inferenceId, 'inf-7');
    assert.match(meta.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(meta.attempts, 1);
    assert.ok(meta.durationMs >= 0);
    assert.ok(!('newSessionId' in meta) && !('closedSessionId' in meta), 'absent fields are absent');
    const [req] = server.requests;
    assert.equal(req.verified, true);
    assert.equal(req.path, '/endpoints/ep/invocations');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-amzn-sagemaker-inference-id'], 'inf-7');
  });

  it('sends every node property as its header', async function () {
    const nodes = await load(server.url, {
      invoke: {
        endpointName: 'ep', contentType: 'text/csv', accept: 'application/json', customAttributes: 'c=1',
        targetModel: 'model-a.tar.gz', targetVariant: 'variant-1', targetContainerHostname: 'container-1',
        enableExplanations: '`true`', inferenceComponentName: 'ic-1', prefixAwareId: 'prefix-1',
      },
    });
    server.setEndpoint('ep', () => json({ ok: true }));
    const { where } = await outcome(nodes, { payload: '1,2,3' });
    assert.equal(where, 'out');
    const h = server.requests[0].headers;
    assert.equal(h['content-type'], 'text/csv');
    assert.equal(h.accept, 'application/json');
    assert.equal(h['x-amzn-sagemaker-custom-attributes'], 'c=1');
    assert.equal(h['x-amzn-sagemaker-target-model'], 'model-a.tar.gz');
    assert.equal(h['x-amzn-sagemaker-target-variant'], 'variant-1');
    assert.equal(h['x-amzn-sagemaker-target-container-hostname'], 'container-1');
    assert.equal(h['x-amzn-sagemaker-enable-explanations'], '`true`');
    assert.equal(h['x-amzn-sagemaker-inference-component'], 'ic-1');
    assert.equal(h['x-amzn-sagemaker-prefix-aware-id'], 'prefix-1');
    assert.equal(server.requests[0].body.toString(), '1,2,3');
  });

  it('takes every field from msg properties when the node leaves them empty', async function () {
    server.setEndpoint('from-msg', () => json({ ok: true }));
    const nodes = await load(server.url, { invoke: { endpointName: '' } });
    const msg = {
      payload: 'x', endpointName: 'from-msg', contentType: 'text/plain', accept: 'text/csv', customAttributes: 'm=1',
      targetModel: 'm2.tar.gz', targetVariant: 'v2', targetContainerHostname: 'c2', enableExplanations: 'false',
      inferenceComponentName: 'ic-2', prefixAwareId: 'p2', inferenceId: 'i2', sessionId: 'NEW_SESSION',
    };
    const { where } = await outcome(nodes, msg);
    assert.equal(where, 'out');
    const r = server.requests[0];
    assert.equal(r.endpointName, 'from-msg');
    const h = r.headers;
    assert.deepEqual(
      [h['content-type'], h.accept, h['x-amzn-sagemaker-custom-attributes'], h['x-amzn-sagemaker-target-model'],
        h['x-amzn-sagemaker-target-variant'], h['x-amzn-sagemaker-target-container-hostname'],
        h['x-amzn-sagemaker-enable-explanations'], h['x-amzn-sagemaker-inference-component'],
        h['x-amzn-sagemaker-prefix-aware-id'], h['x-amzn-sagemaker-inference-id'], h['x-amzn-sagemaker-session-id']],
      ['text/plain', 'text/csv', 'm=1', 'm2.tar.gz', 'v2', 'c2', 'false', 'ic-2', 'p2', 'i2', 'NEW_SESSION'],
    );
  });

  it('a set node property wins over the msg, with one warning per property', async function () {
    const nodes = await load(server.url, { invoke: { endpointName: 'ep', accept: 'application/json' } });
    const warnings = [];
    nodes.n1.on('call:warn', (call) => warnings.push(String(call.args[0])));
    for (let i = 0; i < 3; i++) {
      const { where } = await outcome(nodes, { payload: i, endpointName: 'other', accept: 'text/csv' });
      assert.equal(where, 'out');
    }
    assert.ok(server.requests.every((r) => r.endpointName === 'ep' && r.headers.accept === 'application/json'));
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.ok(warnings.some((w) => /msg\.endpointName/.test(w)));
    assert.ok(warnings.some((w) => /msg\.accept/.test(w)));
    assert.ok(warnings.every((w) => w.includes('msg properties can no longer override set node properties')), 'core nooverride words');
  });

  it('encodes each payload type with its default content type', async function () {
    const nodes = await load(server.url);
    server.setEndpoint('ep', (req) => ({ body: req.body, contentType: 'application/octet-stream' }));
    const cases = [
      [Buffer.from([0, 1, 254, 255]), 'application/octet-stream', Buffer.from([0, 1, 254, 255])],
      ['héllo', 'text/plain', Buffer.from('héllo')],
      [{ a: [1, 2] }, 'application/json', Buffer.from('{"a":[1,2]}')],
      [[1, 'x'], 'application/json', Buffer.from('[1,"x"]')],
      [42, 'application/json', Buffer.from('42')],
      [true, 'application/json', Buffer.from('true')],
    ];
    for (const [payload, type, bytes] of cases) {
      server.clearRequests();
      const { where, msg } = await outcome(nodes, { payload });
      assert.equal(where, 'out');
      assert.equal(server.requests[0].headers['content-type'], type);
      assert.deepEqual(server.requests[0].body, bytes);
      assert.ok(Buffer.isBuffer(msg.payload), 'octet-stream answers come back as a Buffer');
      assert.deepEqual(msg.payload, bytes);
    }
  });

  it('reads the input property and writes the output property', async function () {
    const nodes = await load(server.url, { invoke: { inputProperty: 'data.features', outputProperty: 'result' } });
    const { where, msg } = await outcome(nodes, { payload: 'untouched', data: { features: [1, 2] } });
    assert.equal(where, 'out');
    assert.deepEqual(msg.result, { got: [1, 2] });
    assert.equal(msg.payload, 'untouched');
  });

  it('decodes by content type with output auto, and forces json, text and buffer', async function () {
    server.setEndpoint('csv', () => ({ body: '0.1\n0.9\n', contentType: 'text/csv' }));
    server.setEndpoint('jl', () => ({ body: '{"a":1}\n', contentType: 'application/jsonlines' }));
    server.setEndpoint('js', () => ({ body: '{"a":1}', contentType: 'application/json' }));
    const run = async (output, endpointName) => {
      await helper.unload();
      const nodes = await load(server.url, { invoke: { output, endpointName } });
      const r = await outcome(nodes, { payload: 'x' });
      assert.equal(r.where, 'out');
      return r.msg.payload;
    };
    assert.equal(await run('auto', 'csv'), '0.1\n0.9\n');
    assert.equal(await run('auto', 'jl'), '{"a":1}\n');
    assert.deepEqual(await run('auto', 'js'), { a: 1 });
    assert.deepEqual(await run('json', 'jl'), { a: 1 });
    assert.equal(await run('text', 'js'), '{"a":1}');
    assert.deepEqual(await run('buffer', 'js'), Buffer.from('{"a":1}'));
  });

  it('JSON that does not parse fails to the Catch node and keeps the raw body', async function () {
    server.setEndpoint('ep', () => ({ body: 'not json', contentType: 'application/json' }));
    const nodes = await load(server.url);
    const { where, msg } = await outcome(nodes, { payload: 1 });
    assert.equal(where, 'caught');
    assert.match(msg.error.message, /does not parse/);
    assert.deepEqual(msg.sagemaker.rawBody, Buffer.from('not json'));
    assert.equal(msg.sagemaker.error.name, 'InvalidResponse');
  });

  it('opens, joins and closes a stateful session through msg.sessionId', async function () {
    server.setEndpoint('ep', (req) => {
      const sid = req.headers['x-amzn-sagemaker-session-id'];
      if (sid === 'NEW_SESSION') return json({ turn: 1 }, { 'X-Amzn-SageMaker-New-Session-Id': 'sess-42; Expires=2026-12-01T00:00:00Z' });
      if (JSON.parse(req.body.toString()).close) return json({ closed: true }, { 'X-Amzn-SageMaker-Closed-Session-Id': sid });
      return json({ turn: 2, session: sid });
    });
    const nodes = await load(server.url);
    let r = await outcome(nodes, { payload: { q: 1 }, sessionId: 'NEW_SESSION' });
    assert.equal(r.where, 'out');
    assert.equal(r.msg.sessionId, 'sess-42');
    assert.equal(r.msg.sagemaker.newSessionId, 'sess-42');
    assert.equal(r.msg.sagemaker.sessionExpires, '2026-12-01T00:00:00Z');
    r.msg.payload = { q: 2 };
    r = await outcome(nodes, r.msg);
    assert.deepEqual(r.msg.payload, { turn: 2, session: 'sess-42' });
    assert.equal(r.msg.sessionId, 'sess-42');
    r.msg.payload = { close: true };
    r = await outcome(nodes, r.msg);
    assert.equal(r.msg.sagemaker.closedSessionId, 'sess-42');
    assert.ok(!('sessionId' in r.msg), 'msg.sessionId is removed when its session closes');
  });

  it('shares one client between invoke nodes and destroys it on close', async function () {
    const second = { id: 'n2', type: 'sagemaker-invoke', z: 'f1', config: 'c1', ...require('./harness').INVOKE_BLANK, endpointName: 'ep', wires: [['out']] };
    const nodes = await load(server.url, { extraNodes: [second] });
    const client = nodes.c1.client;
    assert.ok(client, 'the config node owns a client');
    const r1 = await outcome(nodes, { payload: 1 });
    const r2 = await outcome({ ...nodes, n1: helper.getNode('n2') }, { payload: 2 });
    assert.equal(r1.where, 'out');
    assert.equal(r2.where, 'out');
    assert.equal(nodes.c1.client, client, 'still the same client');
    let destroyed = false;
    const original = client.destroy.bind(client);
    client.destroy = () => { destroyed = true; original(); };
    await helper.unload();
    assert.ok(destroyed, 'client destroyed when the config node closes');
  });

  it('shows requests in flight in the status and clears it when done', async function () {
    let release;
    server.setEndpoint('ep', () => new Promise((r) => { release = () => r(json({ ok: 1 })); }));
    const nodes = await load(server.url);
    const statuses = [];
    nodes.n1.on('call:status', (call) => statuses.push(call.args[0]));
    const pending = outcome(nodes, { payload: 1 });
    while (!release) await new Promise((r) => setTimeout(r, 10));
    const last = () => JSON.stringify(statuses[statuses.length - 1]);
    // The status is throttled: it shows the current state within one interval.
    await until(() => last() === JSON.stringify({ fill: 'blue', shape: 'dot', text: '1 in flight' }), 'the busy status');
    release();
    assert.equal((await pending).where, 'out');
    await until(() => last() === '{}', 'the status cleared');
  });

  it('uses ${ENV_VAR} values substituted by Node-RED', async function () {
    process.env.SM_TEST_ENDPOINT = 'env-ep';
    process.env.SM_TEST_REGION = 'us-east-1';
    server.setEndpoint('env-ep', () => json({ env: true }));
    try {
      const nodes = await load(server.url, { invoke: { endpointName: '${SM_TEST_ENDPOINT}' }, config: { region: '${SM_TEST_REGION}' } });
      const { where, msg } = await outcome(nodes, { payload: 1 });
      assert.equal(where, 'out');
      assert.deepEqual(msg.payload, { env: true });
      assert.equal(server.requests[0].endpointName, 'env-ep');
    } finally {
      delete process.env.SM_TEST_ENDPOINT;
      delete process.env.SM_TEST_REGION;
    }
  });
});
