'use strict';
// The endpoint discovery routes in a real Node-RED runtime (the packed package, a child process) with adminAuth on,
// against sagemaker-local's control plane: refused without a token and to a user without the config node's write
// permission; an admin gets the endpoints of a deployed config node and of one only typed in a dialog (never
// deployed), with a placeholder secret taken from the saved node and ${ENV} values replaced; the problems answer
// 400 (settings, the request) or 502 (denied, credentials, unreachable) with JSON the dialog shows; and no response
// body, nor the Node-RED log, holds a secret.
const assert = require('node:assert/strict');
const path = require('node:path');
const { startLocalServer, validateConfig } = require('sagemaker-local');
const { artifacts, freePort, installPacked } = require('./node-red-process');
const { startWithAdminAuth } = require('./admin-auth');
const discovery = require('../dist/shared/discovery');
const { CONFIG_DEFAULTS } = require('../dist/shared/names');

const userDir = path.join(artifacts, 'discovery-route-userdir');
const PASSWORD = 'discovery-route-test';
const KEY = { accessKeyId: 'AKIAROUTETEST0001', secretAccessKey: 'route-secret/saved+in+node+red+01' };
const TYPED = { accessKeyId: 'AKIAROUTETEST0002', secretAccessKey: 'route-secret/typed+in+dialog+0002' };
const NO_LIST = { accessKeyId: 'AKIAROUTETEST0003', secretAccessKey: 'route-secret/denied+listing+0003', deny: ['sagemaker:ListEndpoints'] };
const WRONG = 'route-secret/wrong+one+typed+0004';
const SECRETS = [KEY.secretAccessKey, TYPED.secretAccessKey, NO_LIST.secretAccessKey, WRONG];
const ENV_NAME = 'DISCOVERY_ROUTE_TEST_API_URL';

describe('the endpoint discovery routes in a real Node-RED with adminAuth', function () {
  this.timeout(90000);
  let red;
  let local;
  let tokens;
  const bodies = [];

  /** The config node as the dialog posts it: every property of CONFIG_DEFAULTS, then the given ones. */
  const dialog = (id, props = {}) => ({ ...CONFIG_DEFAULTS, id, region: 'us-east-1', apiEndpointUrl: local.url, maxAttempts: 1, timeout: 5000, ...props });
  const post = async (route, body, token = tokens.admin) => {
    const res = await red.api('POST', `/${route}`, body, token ? { Authorization: `Bearer ${token}` } : {});
    bodies.push(res.text);
    return res;
  };

  before(async function () {
    installPacked(userDir);
    local = await startLocalServer(validateConfig({
      port: 0,
      credentials: [KEY, TYPED, NO_LIST],
      endpoints: {
        'sensor-anomaly': { model: 'demo' },
        'llm-host': { model: 'demo', variants: [{ name: 'gpu', instanceType: 'ml.g5.xlarge' }], inferenceComponents: [{ name: 'llm-small' }] },
        'broken-model': { model: 'demo', status: 'Failed', failureReason: 'did not pass the ping health check' },
      },
    }), { log: () => {} });
    process.env[ENV_NAME] = local.url;
    ({ red, tokens } = await startWithAdminAuth(userDir, {
      logName: 'node-red-discovery-route.log',
      password: PASSWORD,
      users: { admin: '*', reader: 'read' },
    }));
    const res = await red.api('POST', '/flows', {
      flows: [
        { id: 'cfg1', type: 'sagemaker-config', name: 'local', ...CONFIG_DEFAULTS, region: 'us-east-1', endpointUrl: local.url, apiEndpointUrl: local.url, maxAttempts: 1, timeout: 5000, credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretAccessKey } },
      ],
    }, { Authorization: `Bearer ${tokens.admin}`, 'Node-RED-Deployment-Type': 'full' });
    assert.equal(res.status, 200, res.text);
  });

  after(async function () {
    delete process.env[ENV_NAME];
    if (red) await red.stop();
    if (local) await local.close();
  });

  it('refuses both routes without a token, and to a user with only the read permission (401, as Node-RED refuses)', async function () {
    for (const route of [discovery.DISCOVERY_ENDPOINTS_ROUTE, discovery.DISCOVERY_ENDPOINT_ROUTE]) {
      const body = { config: dialog('cfg1'), endpointName: 'llm-host' };
      assert.equal((await post(route, body, null)).status, 401, route);
      assert.equal((await post(route, body, tokens.reader)).status, 401, route);
    }
  });

  it('answers an admin the endpoints of the deployed config node, its secret sent as the placeholder', async function () {
    const res = await post(discovery.DISCOVERY_ENDPOINTS_ROUTE, { config: dialog('cfg1'), credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: discovery.SECRET_PLACEHOLDER } });
    assert.equal(res.status, 200, res.text);
    const list = res.json();
    assert.deepEqual(list.endpoints.map((e) => [e.name, e.status]), [['broken-model', 'Failed'], ['llm-host', 'InService'], ['sensor-anomaly', 'InService']]);
    assert.equal(list.url, local.url.replace(/\/$/, ''));
    const one = await post(discovery.DISCOVERY_ENDPOINT_ROUTE, { config: dialog('cfg1'), credentials: {}, endpointName: 'llm-host' });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.json().variants, [{ name: 'gpu', instanceType: 'ml.g5.xlarge', currentInstanceCount: 1 }]);
    assert.deepEqual(one.json().inferenceComponents, [{ name: 'llm-small', status: 'InService', variantName: 'gpu' }]);
    const failed = (await post(discovery.DISCOVERY_ENDPOINT_ROUTE, { config: dialog('cfg1'), endpointName: 'broken-model' })).json();
    assert.deepEqual([failed.status, failed.failureReason], ['Failed', 'did not pass the ping health check']);
  });

  it('answers for a config node never deployed, with the keys typed in the dialog and ${ENV} values replaced', async function () {
    const res = await post(discovery.DISCOVERY_ENDPOINTS_ROUTE, { config: dialog('new-in-dialog', { apiEndpointUrl: `\${${ENV_NAME}}` }), credentials: { accessKeyId: TYPED.accessKeyId, secretAccessKey: TYPED.secretAccessKey } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().endpoints.length, 3);
    // Never deployed, so nothing saved: the placeholder is no secret.
    const unsaved = await post(discovery.DISCOVERY_ENDPOINTS_ROUTE, { config: dialog('new-in-dialog'), credentials: { accessKeyId: TYPED.accessKeyId, secretAccessKey: discovery.SECRET_PLACEHOLDER } });
    assert.equal(unsaved.status, 400);
    assert.deepEqual(unsaved.json(), { error: { kind: 'settings', message: 'secretAccessKey is required' } });
  });

  it('400 for the config node\'s own settings problems, all at once, and for a request without its fields', async function () {
    const bad = await post(discovery.DISCOVERY_ENDPOINTS_ROUTE, { config: dialog('new-in-dialog', { region: 'Ireland', apiEndpointUrl: 'api.local', proxy: 'px-not-deployed' }), credentials: TYPED });
    assert.equal(bad.status, 400);
    const { error } = bad.json();
    assert.equal(error.kind, 'settings');
    assert.match(error.message, /^region must be an AWS region such as eu-west-1; apiEndpointUrl must be an http:\/\/ or https:\/\/ URL without query or fragment; proxy names a config node \(http proxy\) that is not deployed: deploy it first/);
    const noId = await post(discovery.DISCOVERY_ENDPOINTS_ROUTE, { config: { region: 'us-east-1' } });
    assert.equal(noId.status, 400);
    assert.match(noId.json().error.message, /no usable config\.id/);
    const noName = await post(discovery.DISCOVERY_ENDPOINT_ROUTE, { config: dialog('cfg1') });
    assert.equal(noName.status, 400);
    assert.match(noName.json().error.message, /no usable endpointName/);
  });

  it('502 naming the missing IAM action, the refused keys, the closed port\'s URL, without a secret', async function () {
    const denied = await post(discovery.DISCOVERY_ENDPOINTS_ROUTE, { config: dialog('new-in-dialog'), credentials: NO_LIST });
    assert.equal(denied.status, 502);
    assert.deepEqual([denied.json().error.kind, denied.json().error.action], ['denied', 'sagemaker:ListEndpoints']);
    const refused = await post(discovery.DISCOVERY_ENDPOINTS_ROUTE, { config: dialog('new-in-dialog'), credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: WRONG } });
    assert.equal(refused.status, 502);
    assert.equal(refused.json().error.kind, 'credentials', refused.text);
    const port = await freePort();
    const closed = await post(discovery.DISCOVERY_ENDPOINTS_ROUTE, { config: dialog('cfg1', { apiEndpointUrl: `http://127.0.0.1:${port}` }) });
    assert.equal(closed.status, 502);
    assert.deepEqual([closed.json().error.kind, closed.json().error.url], ['unreachable', `http://127.0.0.1:${port}`]);
    assert.match(closed.json().error.message, new RegExp(`^Could not reach the SageMaker API at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
    const missing = await post(discovery.DISCOVERY_ENDPOINT_ROUTE, { config: dialog('cfg1'), endpointName: 'no-such-model' });
    assert.deepEqual([missing.status, missing.json().error.kind], [502, 'notFound']);
  });

  it('no response body and no line of the Node-RED log holds a secret', async function () {
    assert.ok(bodies.length >= 15, `${bodies.length} responses`);
    const log = red.output();
    for (const secret of SECRETS) {
      for (const body of bodies) assert.ok(!body.includes(secret), `a secret in ${body}`);
      assert.ok(!log.includes(secret), 'a secret in the Node-RED log');
    }
    assert.deepEqual(red.problems(), []);
  });
});
