'use strict';
// The discovery routes' control-plane clients end with the flows: after a dialog's request the client keeps its
// connection to the SageMaker API open for the next one; when the flows stop (Node-RED stops, or a deploy restarts
// them) the client is destroyed and that connection closed, so nothing of discovery outlives the runtime. The
// connections are counted by a TCP relay in front of the wire-true server (sagemaker-local, which checks SigV4).
const assert = require('node:assert/strict');
const { helper, configNode, startServer, until, KEYS } = require('./harness');
const { testServer } = require('./workspace');
const { TcpRelay } = testServer('tcp-relay');
const { DISCOVERY_ENDPOINTS_ROUTE, SECRET_PLACEHOLDER } = require('../dist/shared/discovery');
const { CONFIG_DEFAULTS } = require('../dist/shared/names');

describe('endpoint discovery when the flows stop', function () {
  this.timeout(20000);
  let server;
  let relay;

  before(async function () {
    await new Promise((r) => helper.startServer(r));
    server = await startServer({ 'sensor-anomaly': async () => ({ body: '{}', contentType: 'application/json' }) });
    relay = new TcpRelay({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    await relay.listen();
  });
  after(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await relay?.stop();
    await server?.close();
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
    await helper.load(configNode, flow, { c1: KEYS });
    assert.deepEqual((await ask()).endpoints.map((e) => e.name), ['sensor-anomaly']);
    assert.equal(relay.open, 1, 'the keep-alive connection stays open for the next request');

    await helper.unload();
    await until(() => relay.open === 0, 'the connection closed when the flows stopped');

    await helper.load(configNode, flow, { c1: KEYS });
    const again = await ask();
    assert.equal(again.endpoints.length, 1);
    assert.equal(relay.accepted.pass, 2, 'a new client, and no answer kept from before the stop');
  });
});
