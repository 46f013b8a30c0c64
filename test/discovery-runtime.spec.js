'use strict';
// The discovery routes in the test helper's Node-RED runtime, against the wire-true server (sagemaker-local, which
// checks SigV4): a secret sent as the placeholder is taken only from a saved config node of ours, never from another
// node with credentials of the same names; and the control-plane clients end with the flows: after a dialog's
// request the client keeps its connection open for the next one, and when the flows stop (Node-RED stops, or a
// deploy restarts them) it is destroyed and the connection closed (counted by a TCP relay in front of the server).
const assert = require('node:assert/strict');
const { helper, configNode, startServer, until, KEYS } = require('./harness');
const { testServer } = require('./workspace');
const { TcpRelay } = testServer('tcp-relay');
const { DISCOVERY_ENDPOINTS_ROUTE, SECRET_PLACEHOLDER } = require('../dist/shared/discovery');
const { CONFIG_DEFAULTS } = require('../dist/shared/names');

describe('endpoint discovery in the runtime', function () {
  this.timeout(20000);
  let server;
  let relay;

  before(async function () {
    await new Promise((r) => helper.startServer(r));
    server = await startServer({ 'sensor-anomaly': async () => ({ body: '{}', contentType: 'application/json' }) });
    relay = new TcpRelay({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    await relay.listen();
  });
  afterEach(async function () {
    await helper.unload();
  });
  after(async function () {
    await new Promise((r) => helper.stopServer(r));
    await relay?.stop();
    await server?.close();
  });

  it('takes a placeholder secret only from a saved config node of ours, not from another type\'s; a typed one wins', async function () {
    const otherType = (RED) => RED.nodes.registerType('other-aws-config', function (n) {
      RED.nodes.createNode(this, n);
    }, { credentials: { accessKeyId: { type: 'text' }, secretAccessKey: { type: 'password' } } });
    const config = (id) => ({ ...CONFIG_DEFAULTS, id, region: 'us-east-1', apiEndpointUrl: relay.url(), maxAttempts: 1, timeout: 5000 });
    await helper.load([configNode, otherType], [{ ...config('c1'), type: 'sagemaker-config', name: '' }, { id: 'o1', type: 'other-aws-config' }], { c1: KEYS, o1: KEYS });
    const ask = (id, secretAccessKey = SECRET_PLACEHOLDER) => helper.request().post(`/${DISCOVERY_ENDPOINTS_ROUTE}`)
      .send({ config: config(id), credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey } });
    assert.equal((await ask('c1')).status, 200);
    const typed = await ask('c1', 'a-new-secret/typed+in+the+dialog');
    assert.deepEqual([typed.status, typed.body.error.kind], [502, 'credentials'], 'a key typed in the dialog wins over the saved one');
    assert.ok(!typed.text.includes('a-new-secret/typed+in+the+dialog'));
    const other = await ask('o1');
    assert.equal(other.status, 400, other.text);
    assert.deepEqual(other.body, { error: { kind: 'settings', message: 'secretAccessKey is required' } });
  });

  it('destroys the control-plane client, closing its connection, and answers anew after the next start', async function () {
    const config = { ...CONFIG_DEFAULTS, id: 'c1', region: 'us-east-1', apiEndpointUrl: relay.url(), maxAttempts: 1, timeout: 5000 };
    const flow = [{ ...config, type: 'sagemaker-config', name: '' }];
    const ask = async () => {
      const res = await helper.request().post(`/${DISCOVERY_ENDPOINTS_ROUTE}`)
        .send({ config, credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: SECRET_PLACEHOLDER } });
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    await until(() => relay.open === 0, 'no connection from before');
    const accepted = relay.accepted.pass;
    await helper.load(configNode, flow, { c1: KEYS });
    assert.deepEqual((await ask()).endpoints.map((e) => e.name), ['sensor-anomaly']);
    assert.equal(relay.open, 1, 'the keep-alive connection stays open for the next request');

    await helper.unload();
    await until(() => relay.open === 0, 'the connection closed when the flows stopped');

    await helper.load(configNode, flow, { c1: KEYS });
    const again = await ask();
    assert.equal(again.endpoints.length, 1);
    assert.equal(relay.accepted.pass - accepted, 2, 'a new client, and no answer kept from before the stop');
  });
});
