'use strict';
// The live figures in a real Node-RED runtime (the packed package, a child process) with adminAuth on: the plugin
// loads, GET sagemaker-runtime/stats is refused without a token and to a user without a read permission, answers a
// user with Node-RED's `read` permission the figures of the deployed invoke node as traffic flows, the same figures
// arrive over the editor's comms websocket, and a node removed by a deploy leaves the list.
const assert = require('node:assert/strict');
const path = require('node:path');
const WebSocket = require('ws');
const { startServer, KEYS } = require('./harness');
const { artifacts, installPacked, sleep } = require('./node-red-process');
const { startWithAdminAuth } = require('./admin-auth');
const live = require('../dist/shared/live');

const userDir = path.join(artifacts, 'live-route-userdir');
const PASSWORD = 'live-figures-test';

/** Polls `read` until `ok` holds for its answer; resolves that answer. */
async function until(read, ok, what, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

describe('the live figures route and comms in a real Node-RED with adminAuth', function () {
  this.timeout(90000);
  let red;
  let server;
  let tokens;

  const get = (url, token) => red.api('GET', url, undefined, { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) });
  const deploy = async (flows) => {
    const res = await red.api('POST', '/flows', { flows }, { Authorization: `Bearer ${tokens.admin}`, 'Node-RED-Deployment-Type': 'full' });
    assert.equal(res.status, 200, res.text);
  };

  before(async function () {
    installPacked(userDir);
    server = await startServer({ ep: async () => { await sleep(30); return { body: '{"score":1}', contentType: 'application/json' }; } });
    ({ red, tokens } = await startWithAdminAuth(userDir, {
      logName: 'node-red-live-route.log',
      password: PASSWORD,
      users: { admin: '*', reader: 'read', 'flows-only': ['flows.read'] },
    }));
  });

  after(async function () {
    if (red) await red.stop();
    if (server) await server.close();
  });

  it('loads the sagemaker-live plugin and its editor script without a warning', async function () {
    const plugins = (await get('/plugins', tokens.reader)).json();
    const ours = plugins.find((p) => p.id === `node-red-contrib-sagemaker-runtime/${live.LIVE_PLUGIN_ID}`);
    assert.ok(ours, JSON.stringify(plugins.map((p) => p.id)));
    assert.ok(ours.plugins.some((p) => p.id === live.LIVE_PLUGIN_ID && p.type === live.LIVE_PLUGIN_TYPE), JSON.stringify(ours));
    const script = await get(`/resources/node-red-contrib-sagemaker-runtime/sagemaker-live.js`, tokens.reader);
    assert.equal(script.status, 200);
    assert.match(script.text, /SageMakerLive/);
    assert.deepEqual(red.problems(), []);
  });

  it('refuses GET sagemaker-runtime/stats without a token and to a user without a read permission (401, as Node-RED refuses)', async function () {
    assert.equal((await get(`/${live.LIVE_ROUTE}`)).status, 401);
    assert.equal((await get(`/${live.LIVE_SERIES_ROUTE}`)).status, 401);
    assert.equal((await get(`/${live.LIVE_ROUTE}`, tokens['flows-only'])).status, 401);
    assert.equal((await get(`/${live.LIVE_SERIES_ROUTE}`, tokens['flows-only'])).status, 401);
    // The same user may read what its permission grants: the refusal is the permission's, not the token's.
    assert.equal((await get('/flows', tokens['flows-only'])).status, 200);
  });

  it('answers a user with the read permission the figures of the deployed node as it works, and publishes them over comms', async function () {
    // The editor's comms: authenticate, subscribe to the topic, keep what arrives.
    const ws = new WebSocket(`${red.base.replace('http', 'ws')}/comms`);
    const published = [];
    let authorised;
    const authOk = new Promise((resolve) => { authorised = resolve; });
    ws.on('message', (data) => {
      for (const m of [].concat(JSON.parse(data.toString()))) {
        if (m.auth === 'ok') authorised();
        if (m.topic === live.LIVE_TOPIC) published.push(m.data);
      }
    });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.send(JSON.stringify({ auth: tokens.reader }));
    await authOk;
    ws.send(JSON.stringify({ subscribe: live.LIVE_TOPIC }));
    try {
      await deploy([
        { id: 'tab1', type: 'tab', label: 'Sensors' },
        { id: 'cfg1', type: 'sagemaker-config', name: 'local', region: 'us-east-1', endpointUrl: server.url, authMode: 'keys', profile: '', profileFile: '', maxAttempts: 3, retryMode: 'standard', timeout: 5000, credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey } },
        { id: 'tick', type: 'inject', z: 'tab1', props: [{ p: 'payload' }], payload: '21.5', payloadType: 'num', repeat: '0.1', crontab: '', once: true, onceDelay: 0.1, topic: '', wires: [['inv1']] },
        { id: 'inv1', type: 'sagemaker-invoke', z: 'tab1', name: 'pump score', config: 'cfg1', endpointName: 'ep', contentType: '', accept: '', customAttributes: '', targetModel: '', targetVariant: '', targetContainerHostname: '', enableExplanations: '', inferenceComponentName: '', prefixAwareId: '', inputProperty: 'payload', outputProperty: 'payload', output: 'auto', wires: [[]] },
      ]);
      const stats = await until(async () => (await get(`/${live.LIVE_ROUTE}`, tokens.reader)).json(), (s) => s.nodes.length === 1 && s.nodes[0].messages >= 5, 'five messages');
      assert.equal(stats.windowSeconds, 60);
      assert.ok(Math.abs(stats.at - Date.now()) < 5000);
      const n = stats.nodes[0];
      assert.deepEqual(Object.keys(n), ['id', 'type', 'name', 'flow', 'endpoint', 'mode', 'messages', 'requests', 'latencyMs', 'errors', 'inFlight', 'queued', 'waiting', 'streams', 'batchSizeMean', 'bytesIn', 'bytesOut']);
      assert.deepEqual([n.id, n.type, n.name, n.flow, n.endpoint, n.mode], ['inv1', 'sagemaker-invoke', 'pump score', 'tab1', 'ep', 'invoke']);
      assert.ok(n.latencyMs.p50 >= 28, `p50 ${n.latencyMs.p50}`);
      assert.deepEqual(n.errors, {});
      const history = (await get(`/${live.LIVE_SERIES_ROUTE}`, tokens.reader)).json();
      assert.equal(history.series.seconds, live.LIVE_HISTORY_SECONDS);
      assert.equal(history.series.nodes.inv1.messages.length, live.LIVE_HISTORY_SECONDS);
      await until(async () => published.length, (count) => count >= 2, 'two updates over comms');
      const update = published[published.length - 1];
      assert.equal(update.nodes[0].id, 'inv1');
      assert.ok(update.series.nodes.inv1, 'with the seconds of history since the last one');
      const gaps = published.slice(1).map((u, i) => u.at - published[i].at);
      assert.ok(gaps.every((ms) => ms >= 900), `at most once a second: ${gaps}`);

      assert.deepEqual(red.problems(), []);
      // Removed by a deploy (which aborts the request in flight, with the node's warning): the node leaves the list.
      await deploy([{ id: 'tab1', type: 'tab', label: 'Sensors' }]);
      await until(async () => (await get(`/${live.LIVE_ROUTE}`, tokens.reader)).json(), (s) => s.nodes.length === 0, 'the node gone');
    } finally {
      ws.close();
    }
  });
});
