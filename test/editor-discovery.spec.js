'use strict';
// Endpoint discovery's pure parts in the editor bundle (resources/editor-shared.js, run as a browser would): the
// request built from the config node as the dialog holds it, the offers narrowed as the user types, the summary
// line, the mode advice and the problems in the words of the locale file. The dialogs themselves: test/e2e/discovery.spec.js.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const names = require('../dist/shared/names');
const contract = require('../dist/shared/discovery');

const sandbox = {};
sandbox.globalThis = sandbox;
vm.runInNewContext(fs.readFileSync(path.join(__dirname, '../resources/editor-shared.js'), 'utf8'), sandbox);
const D = sandbox.SageMakerRuntime.discovery;
const plain = (value) => JSON.parse(JSON.stringify(value));

// The words as Node-RED's RED._ gives them: the `discovery` section of the invoke node's locale file, __name__ filled.
const words = require('../nodes/locales/en-US/sagemaker-invoke.json')['sagemaker-invoke'].discovery;
const used = new Set();
const t = (key, params = {}) => {
  assert.ok(Object.hasOwn(words, key), `the locale file has discovery.${key}`);
  used.add(key);
  return words[key].replace(/__(\w+)__/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
};
const say = (w) => D.say(w, t);

const endpoint = (over = {}) => ({
  name: 'pump-model', status: 'InService', variants: [], serverless: false, inferenceComponents: [], problems: [],
  url: 'http://127.0.0.1:8777', fetchedAt: '2026-12-08T00:00:00.000Z', ...over,
});

describe('editor-shared.js: endpoint discovery', function () {
  it('calls the routes of the shared contract, which the runtime serves', function () {
    assert.equal(D.contract.DISCOVERY_ENDPOINTS_ROUTE, contract.DISCOVERY_ENDPOINTS_ROUTE);
    assert.equal(D.contract.DISCOVERY_ENDPOINT_ROUTE, contract.DISCOVERY_ENDPOINT_ROUTE);
    assert.equal(typeof D.attach, 'function');
  });

  describe('the request: the config node as the dialog holds it', function () {
    it('sends every config property (a missing one as its default), the id, and the keys typed in the dialog', function () {
      const req = plain(D.discoveryRequest({
        id: 'cfg1', region: 'eu-west-1', authMode: 'keys', timeout: 5000, x: 7, _def: { category: 'config' }, users: [],
        credentials: { accessKeyId: 'AKIATYPED', secretAccessKey: 'typed-secret' },
      }));
      assert.deepEqual(Object.keys(req.config).sort(), ['id', ...Object.keys(names.CONFIG_DEFAULTS)].sort());
      assert.equal(req.config.id, 'cfg1');
      assert.equal(req.config.region, 'eu-west-1');
      assert.equal(req.config.timeout, 5000);
      assert.equal(req.config.retryMode, names.CONFIG_DEFAULTS.retryMode, 'a node saved without it: the default');
      assert.deepEqual(req.credentials, { accessKeyId: 'AKIATYPED', secretAccessKey: 'typed-secret' });
      assert.equal(req.endpointName, undefined);
      assert.equal(req.refresh, undefined);
    });
    it('leaves out a secret the editor holds as the placeholder, blank, or not at all: the runtime takes the saved one', function () {
      const req = plain(D.discoveryRequest({ id: 'cfg1', credentials: { accessKeyId: 'AKIASAVED', secretAccessKey: contract.SECRET_PLACEHOLDER, sessionToken: '' } }));
      assert.deepEqual(req.credentials, { accessKeyId: 'AKIASAVED' });
      assert.equal(plain(D.discoveryRequest({ id: 'cfg1' })).credentials, undefined, 'a deployed node whose dialog was not opened');
    });
    it('names the endpoint to describe and asks anew on refresh; the cache key ignores both', function () {
      const node = { id: 'cfg1', region: 'us-east-1' };
      const req = plain(D.discoveryRequest(node, { endpointName: 'pump-model', refresh: true }));
      assert.equal(req.endpointName, 'pump-model');
      assert.equal(req.refresh, true);
      assert.equal(D.requestKey(req), D.requestKey(D.discoveryRequest(node)));
      assert.notEqual(D.requestKey(D.discoveryRequest({ ...node, region: 'eu-west-1' })), D.requestKey(D.discoveryRequest(node)), 'an edited config node is asked again');
    });
  });

  describe('the offers', function () {
    const items = [{ name: 'Sensor-B' }, { name: 'pump-model' }, { name: 'sensor' }, { name: 'big-sensor-a' }, { name: 'other' }];
    it('narrows by case-insensitive substring: the exact name first, then by where it matches, else in the list\'s order', function () {
      assert.deepEqual(plain(D.offers(items, 'SENSOR').map((o) => o.item.name)), ['sensor', 'Sensor-B', 'big-sensor-a']);
      assert.deepEqual(plain(D.offers(items, '').map((o) => o.item.name)), items.map((i) => i.name), 'nothing typed: every one');
      assert.deepEqual(plain(D.offers(items, 'xyz')), []);
    });
    it('marks the typed part, as core\'s completions show it in bold', function () {
      assert.deepEqual(plain(D.offers(items, 'SENSOR')[2].match), { index: 4, pre: 'big-', match: 'sensor', post: '-a', exact: false });
    });
    it('asks only about a name: not blank, not an ${ENV_VAR} (known only when the flow starts)', function () {
      assert.equal(D.askable('pump-model'), true);
      assert.equal(D.askable('  '), false);
      assert.equal(D.askable('${ENDPOINT}'), false);
    });
  });

  describe('the summary line', function () {
    it('an endpoint in service: its status, its variants with instance type and count, its components with status', function () {
      const line = D.sayAll(D.summaryWords(endpoint({
        variants: [{ name: 'AllTraffic', instanceType: 'ml.m5.large', currentInstanceCount: 2 }, { name: 'Canary', instanceType: 'ml.g5.xlarge' }],
        inferenceComponents: [{ name: 'llm-a', status: 'InService' }, { name: 'llm-b', status: 'Creating' }],
      })), t);
      assert.equal(line, 'InService · variants: AllTraffic (ml.m5.large × 2), Canary (ml.g5.xlarge) · inference components: llm-a (InService), llm-b (Creating)');
    });
    it('a failed endpoint: the status and its FailureReason', function () {
      const line = D.sayAll(D.summaryWords(endpoint({ status: 'Failed', failureReason: 'The primary container did not pass the ping health check.' })), t);
      assert.equal(line, 'Failed: The primary container did not pass the ping health check.');
    });
    it('says asynchronous and serverless', function () {
      assert.equal(D.sayAll(D.summaryWords(endpoint({ variants: [{ name: 'AllTraffic', instanceType: 'ml.m5.large' }], async: { outputPath: 's3://b/out/' } })), t),
        'InService · variants: AllTraffic (ml.m5.large) · asynchronous');
      assert.equal(D.sayAll(D.summaryWords(endpoint({ variants: [{ name: 'AllTraffic', serverless: { memorySizeInMB: 2048 } }], serverless: true })), t),
        'InService · variants: AllTraffic (serverless, 2048 MB) · serverless');
      assert.equal(say(D.variantWords({ name: 'v', serverless: {} })), 'v (serverless)');
      assert.equal(say(D.variantWords({ name: 'v' })), 'v', 'the endpoint config could not be read');
      assert.equal(say(D.variantDetail({ name: 'v', serverless: {} })), 'serverless');
      assert.equal(say(D.variantDetail({ name: 'v', instanceType: 'ml.c5.large' })), 'ml.c5.large');
    });
  });

  describe('the mode to pick', function () {
    const asyncEndpoint = endpoint({ async: { outputPath: 's3://b/out/' } });
    it('invoke node: an asynchronous endpoint in mode invoke or stream names mode async', function () {
      for (const mode of ['invoke', 'stream', '']) {
        const advice = say(D.modeAdvice(asyncEndpoint, { type: 'invoke', mode }));
        assert.match(advice, new RegExp(`mode ${mode || 'invoke'} cannot call it; choose mode async\\.$`));
      }
      assert.equal(D.modeAdvice(asyncEndpoint, { type: 'invoke', mode: 'async' }), undefined);
    });
    it('invoke node: a real-time endpoint in mode async names modes invoke and stream', function () {
      assert.equal(say(D.modeAdvice(endpoint(), { type: 'invoke', mode: 'async' })),
        'Not an asynchronous endpoint: mode async cannot call it; choose mode invoke or stream.');
      assert.equal(D.modeAdvice(endpoint(), { type: 'invoke', mode: 'stream' }), undefined);
    });
    it('bidi node: an asynchronous endpoint cannot be called by a bidirectional stream', function () {
      assert.match(say(D.modeAdvice(asyncEndpoint, { type: 'bidi' })), /a bidirectional stream cannot call it/);
      assert.equal(D.modeAdvice(endpoint(), { type: 'bidi' }), undefined);
    });
  });

  describe('what went wrong, in words a user can act on', function () {
    it('a refused call names its IAM action and says the field works by hand', function () {
      const text = say(D.failureWords(502, { error: { kind: 'denied', action: 'sagemaker:ListEndpoints', message: 'not authorized' } }, 'Bad Gateway'));
      assert.match(text, /refuses sagemaker:ListEndpoints/);
      assert.match(text, /typed by hand/);
    });
    it('an unreachable service names the URL called: in the runtime\'s words when they name it, else the line does', function () {
      const url = 'https://api.sagemaker.eu-west-1.amazonaws.com';
      assert.equal(say(D.failureWords(502, { error: { kind: 'unreachable', url, message: `Could not reach the SageMaker API at ${url} (ENOTFOUND): getaddrinfo ENOTFOUND` } }, '')),
        `Could not reach the SageMaker API at ${url} (ENOTFOUND): getaddrinfo ENOTFOUND (the fields still work typed by hand)`);
      assert.equal(say(D.failureWords(502, { error: { kind: 'unreachable', url, message: 'ETIMEDOUT' } }, '')),
        `Could not reach the SageMaker API at ${url}: ETIMEDOUT (the fields still work typed by hand)`);
    });
    it('any other problem: the runtime\'s own words', function () {
      assert.equal(say(D.failureWords(400, { error: { kind: 'settings', message: 'Region: required' } }, 'Bad Request')), 'Region: required');
      assert.equal(say(D.problemWords({ kind: 'notFound', message: 'No endpoint named x' })), 'No endpoint named x');
    });
    it('Node-RED\'s own refusal names the permission; no answer and other statuses say so', function () {
      assert.match(say(D.failureWords(403, undefined, 'Forbidden')), new RegExp(`needs the ${contract.DISCOVERY_PERMISSION} permission`));
      assert.match(say(D.failureWords(401, 'Unauthorized', 'Unauthorized')), /status 401/);
      assert.match(say(D.failureWords(0, undefined, 'error')), /did not answer/);
      assert.match(say(D.failureWords(404, undefined, 'Not Found')), /status 404 Not Found/);
    });
  });

  // Last (mocha runs a suite's own tests before its nested suites): every sentence above was said.
  describe('the locale file', function () {
    it('has no sentence of the discovery section that nothing says', function () {
      // `refresh` is the button's tooltip, drawn by attach() in the browser (test/e2e/discovery.spec.js).
      assert.deepEqual(Object.keys(words).filter((k) => !used.has(k) && k !== 'refresh'), []);
    });
  });
});
