'use strict';
// A text/event-stream model end to end: sagemaker-local's demo model with "stream": "sse" in its endpoint
// configuration, called by the invoke node in stream mode through the real SDK, and a core Join node rebuilding
// the answer (run `npm run build` first).
const assert = require('node:assert/strict');
const { SageMakerRuntimeClient, InvokeEndpointWithResponseStreamCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { helper, KEYS, load, until } = require('./harness');
const { serverTestHelper } = require('./workspace');
const { startLocal } = serverTestHelper('local');
const { validateConfig } = require('sagemaker-local');
const splitJoin = require('@node-red/nodes/core/sequence/17-split.js');

const base = { credentials: [KEYS] };

describe('sagemaker-local: the demo model answering its response stream as server-sent events', function () {
  it('takes "stream": "sse" or "parts" on a demo endpoint, and names the field and the rule for anything else', function () {
    assert.equal(validateConfig({ ...base, endpoints: { ep: { model: 'demo', stream: 'sse' } } }).endpoints.ep.stream, 'sse');
    assert.equal(validateConfig({ ...base, endpoints: { ep: { model: 'demo', stream: 'parts' } } }).endpoints.ep.stream, 'parts');
    assert.equal(validateConfig({ ...base, endpoints: { ep: { model: 'demo' } } }).endpoints.ep.stream, undefined);
    assert.throws(
      () => validateConfig({ ...base, endpoints: { ep: { model: 'demo', stream: 'events' } } }),
      /endpoints\.ep\.stream must be "parts" \(the answer's bytes, a part per reading\) or "sse" \(server-sent events\) \(got "events"\)/,
    );
    assert.throws(() => validateConfig({ ...base, endpoints: { ep: { container: 'http://127.0.0.1:8080', stream: 'sse' } } }), /endpoints\.ep\.stream is not a known setting/);
  });

  describe('through the invoke node', function () {
    let local;
    beforeEach(async function () {
      await new Promise((r) => helper.startServer(r));
      ({ local } = await startLocal({ port: 0, ...base, endpoints: { 'sensor-sse': { model: 'demo', stream: 'sse' } } }));
    });
    afterEach(async function () {
      await helper.unload();
      await new Promise((r) => helper.stopServer(r));
      await local.close();
    });

    it('sends text/event-stream, one score event per reading over several data: lines, then data: [DONE]', async function () {
      const sm = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: local.url, credentials: { ...KEYS }, maxAttempts: 1 });
      try {
        const res = await sm.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'sensor-sse', Body: '[1, 2]', ContentType: 'application/json' }));
        assert.equal(res.ContentType, 'text/event-stream');
        let body = '';
        for await (const event of res.Body) body += Buffer.from(event.PayloadPart.Bytes).toString('utf8');
        assert.match(body, /^event: score\nid: 1\ndata: \{\ndata:  "series": "default",\n/);
        assert.match(body, /\n\nevent: score\nid: 2\ndata: \{\n/);
        assert.ok(body.endsWith('}\n\ndata: [DONE]\n\n'));
      } finally {
        sm.destroy();
      }
    });

    it('each event is one msg with msg.sagemaker.event and eventId; [DONE] is dropped; Join makes an array', async function () {
      const nodes = await load(local.url, {
        invoke: { mode: 'stream', streamSplit: 'lines', endpointName: 'sensor-sse', wires: [['out', 'join1']] },
        extraTypes: [splitJoin],
        extraNodes: [
          { id: 'join1', type: 'join', z: 'f1', mode: 'auto', build: 'string', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '', reduceRight: false, wires: [['joined']] },
          { id: 'joined', type: 'helper', z: 'f1' },
        ],
      });
      const out = [];
      const joined = [];
      const caught = [];
      nodes.out.on('input', (m) => out.push(m));
      nodes.caught.on('input', (m) => caught.push(m));
      helper.getNode('joined').on('input', (m) => joined.push(m));
      nodes.n1.receive({ payload: [{ series: 'pump-1', value: 20 }, { series: 'pump-1', value: 21 }, { series: 'pump-1', value: 22 }] });
      await until(() => joined.length === 1 || caught.length > 0, 'the joined answer');
      assert.deepEqual(caught, []);
      assert.deepEqual(out.map((m) => [m.payload.series, m.payload.value, m.payload.count]), [['pump-1', 20, 0], ['pump-1', 21, 1], ['pump-1', 22, 2]]);
      assert.deepEqual(out.map((m) => [m.sagemaker.event, m.sagemaker.eventId]), [['score', '1'], ['score', '2'], ['score', '3']]);
      assert.deepEqual(out.map((m) => m.parts.type), ['array', 'array', 'array']);
      assert.equal(out[2].complete, true);
      assert.equal(out[2].sagemaker.contentType, 'text/event-stream');
      assert.deepEqual(joined[0].payload.map((s) => s.value), [20, 21, 22]);
    });
  });
});
