'use strict';
// Endpoint discovery's service (src/discovery) driving the real @aws-sdk/client-sagemaker over HTTP against
// sagemaker-local's control plane, which checks SigV4 and refuses what a key pair's `deny` names: every endpoint over
// several pages, one endpoint described (variants, serverless, async, failed, components), the answers kept and
// refreshed, the problems (denied with the IAM action, refused keys, no such endpoint, a closed port named by its
// URL), and no secret in any of it.
const assert = require('node:assert/strict');
const path = require('node:path');
const { startLocalServer, validateConfig } = require('sagemaker-local');
const { DiscoveryService } = require('../dist/discovery/service');
const { resolveClientSettings } = require('../dist/config/client-config');
const { Secrets } = require('../dist/config/secrets');
const { freePort } = require('./node-red-process');
const { testServer } = require('./workspace');
const { StsServer } = testServer('sts-server');
const { ConnectProxy } = testServer('connect-proxy');
const { makeCerts } = testServer('certs');
const { SageMakerServer } = require('sagemaker-local');
const { proxyEnvOfNode } = require('../dist/config/proxy');
const { localesReady, phraseWords: words } = require('./locales');

const KEY = { accessKeyId: 'AKIADISCOVERY0001', secretAccessKey: 'discovery-secret/not+real+0001' };
const NO_LIST = { accessKeyId: 'AKIADISCOVERY0002', secretAccessKey: 'discovery-secret/not+real+0002', deny: ['sagemaker:ListEndpoints'] };
const NO_PARTS = { accessKeyId: 'AKIADISCOVERY0003', secretAccessKey: 'discovery-secret/not+real+0003', deny: ['sagemaker:DescribeEndpointConfig', 'sagemaker:ListInferenceComponents'] };
const WRONG = { accessKeyId: KEY.accessKeyId, secretAccessKey: 'a-wrong-secret/typed+in+the+dialog' };
const SECRETS = [KEY, NO_LIST, NO_PARTS, WRONG].map((k) => k.secretAccessKey);

describe('endpoint discovery against sagemaker-local\'s control plane', function () {
  this.timeout(20000);
  let local;
  let service;
  let now = Date.parse('2026-12-08T00:00:00Z');

  const target = (key, config = {}) => {
    const creds = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    const settings = resolveClientSettings({ region: 'us-east-1', apiEndpointUrl: local.url, maxAttempts: 1, timeout: 5000, ...config }, creds);
    const secrets = new Secrets(creds.secretAccessKey);
    return { id: `cfg-${key.accessKeyId}`, settings, creds, network: {}, words, redact: (t) => secrets.redact(t) };
  };
  const noSecret = (value) => {
    const text = JSON.stringify(value);
    for (const s of SECRETS) assert.ok(!text.includes(s), `a secret in ${text}`);
  };

  before(async function () {
    await localesReady;
    const endpoints = {
      'llm-host': {
        model: 'demo',
        variants: [{ name: 'gpu', instanceType: 'ml.g5.xlarge', instanceCount: 2 }, { name: 'cpu', instanceType: 'ml.m5.large' }],
        inferenceComponents: [{ name: 'llm-small', variant: 'cpu' }, { name: 'llm-large', variant: 'gpu', status: 'Creating' }],
      },
      'scorer-serverless': { model: 'demo', variants: [{ name: 'AllTraffic', serverless: { memorySizeInMB: 2048, maxConcurrency: 5 } }] },
      'sensor-anomaly-async': { model: 'demo', async: { outputPath: 's3://local-bucket/async-output', failurePath: 's3://local-bucket/async-failures' } },
      'broken-model': { model: 'demo', status: 'Failed', failureReason: 'The primary container did not pass the ping health check.' },
    };
    // More than ListEndpoints' largest page (100): the list takes two pages.
    for (let i = 0; i < 120; i++) endpoints[`bulk-${String(i).padStart(3, '0')}`] = { model: 'demo', ...(i === 5 ? { status: 'Creating' } : {}) };
    local = await startLocalServer(validateConfig({ port: 0, credentials: [KEY, NO_LIST, NO_PARTS], s3: { buckets: ['local-bucket'] }, endpoints }), { log: () => {} });
    service = new DiscoveryService({ now: () => now });
  });
  after(async function () {
    service?.close();
    await local?.close();
  });

  it('lists every endpoint of the account, over several pages, by name, with its status, and names the URL that answered', async function () {
    const answer = await service.endpoints(target(KEY));
    assert.equal(answer.ok, true, JSON.stringify(answer));
    const { endpoints, url, fetchedAt } = answer.json;
    assert.equal(endpoints.length, 124);
    assert.deepEqual(endpoints.slice(0, 2).map((e) => e.name), ['broken-model', 'bulk-000']);
    assert.deepEqual(endpoints.map((e) => e.name), [...endpoints.map((e) => e.name)].sort());
    assert.deepEqual(endpoints.find((e) => e.name === 'bulk-005').status, 'Creating');
    assert.deepEqual(endpoints.find((e) => e.name === 'broken-model').status, 'Failed');
    assert.match(endpoints[0].creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(url, local.url.replace(/\/$/, ''));
    assert.equal(fetchedAt, '2026-12-08T00:00:00.000Z');
  });

  it('answers from the cache for DISCOVERY_CACHE_SECONDS, asks anew with refresh or when the settings change', async function () {
    const first = (await service.endpoints(target(KEY))).json;
    now += 30_000;
    assert.equal((await service.endpoints(target(KEY))).json.fetchedAt, first.fetchedAt, 'from the cache');
    assert.equal((await service.endpoints(target(KEY), true)).json.fetchedAt, '2026-12-08T00:00:30.000Z', 'refresh');
    now += 1000;
    assert.equal((await service.endpoints(target(KEY, { timeout: 6000 }))).json.fetchedAt, '2026-12-08T00:00:31.000Z', 'another fingerprint');
    now += 60_000;
    assert.equal((await service.endpoints(target(KEY))).json.fetchedAt, '2026-12-08T00:01:31.000Z', 'expired');
  });

  it('two requests for the same answer at once share one listing (every page once)', async function () {
    const listed = () => local.server.requests.filter((r) => r.target === 'SageMaker.ListEndpoints').length;
    const before = listed();
    const fresh = () => target(KEY, { timeout: 7000 }); // settings no answer is kept for yet
    const [a, b] = await Promise.all([service.endpoints(fresh()), service.endpoints(fresh())]);
    assert.equal(a.json, b.json, 'the same answer');
    assert.equal(listed() - before, 2, 'two pages, asked once');
  });

  it('describes an endpoint: its variants with instance types, its inference components with their status', async function () {
    const { ok, json } = await service.endpoint(target(KEY), 'llm-host');
    assert.equal(ok, true);
    assert.equal(json.status, 'InService');
    assert.deepEqual(json.variants, [
      { name: 'gpu', instanceType: 'ml.g5.xlarge', currentInstanceCount: 2 },
      { name: 'cpu', instanceType: 'ml.m5.large', currentInstanceCount: 1 },
    ]);
    assert.deepEqual(json.inferenceComponents, [
      { name: 'llm-large', status: 'Creating', variantName: 'gpu' },
      { name: 'llm-small', status: 'InService', variantName: 'cpu' },
    ], 'by name');
    assert.deepEqual([json.serverless, json.async, json.problems], [false, undefined, []]);
  });

  it('a serverless, an asynchronous and a failed endpoint', async function () {
    const serverless = (await service.endpoint(target(KEY), 'scorer-serverless')).json;
    assert.equal(serverless.serverless, true);
    assert.deepEqual(serverless.variants, [{ name: 'AllTraffic', serverless: { memorySizeInMB: 2048, maxConcurrency: 5 } }]);
    const async = (await service.endpoint(target(KEY), 'sensor-anomaly-async')).json;
    assert.deepEqual(async.async, { outputPath: 's3://local-bucket/async-output', failurePath: 's3://local-bucket/async-failures' });
    const failed = (await service.endpoint(target(KEY), 'broken-model')).json;
    assert.deepEqual([failed.status, failed.failureReason], ['Failed', 'The primary container did not pass the ping health check.']);
  });

  it('names the IAM action the account refuses; the parts it may read are still answered', async function () {
    const denied = await service.endpoints(target(NO_LIST));
    assert.equal(denied.ok, false);
    assert.deepEqual([denied.problem.kind, denied.problem.action], ['denied', 'sagemaker:ListEndpoints']);
    const partial = await service.endpoint(target(NO_PARTS), 'llm-host');
    assert.equal(partial.ok, true);
    assert.deepEqual(partial.json.variants.map((v) => v.name), ['gpu', 'cpu'], 'the names from DescribeEndpoint');
    assert.equal(partial.json.variants[0].instanceType, undefined, 'no endpoint config');
    assert.deepEqual(partial.json.problems.map((p) => [p.kind, p.action]),
      [['denied', 'sagemaker:DescribeEndpointConfig'], ['denied', 'sagemaker:ListInferenceComponents']]);
    assert.match(partial.json.problems[0].message, /may not call DescribeEndpointConfig \(AccessDeniedException\): their policy lacks the IAM action sagemaker:DescribeEndpointConfig/);
    noSecret(partial);
  });

  it('an assumed role: its credentials list the endpoints; a role STS refuses is denied, naming sts:AssumeRole', async function () {
    const ROLE = 'arn:aws:iam::123456789012:role/discovery-reader';
    const issued = [];
    const sts = new StsServer({
      credentials: [KEY, NO_LIST],
      roles: { [ROLE]: { trustedKeys: [KEY.accessKeyId] } },
      onIssue: (c) => {
        issued.push(c);
        local.server.addCredentials(c);
      },
    });
    await sts.listen();
    try {
      const role = { roleArn: ROLE, stsEndpointUrl: sts.url };
      const assumed = await service.endpoints(target(KEY, role), true);
      assert.equal(assumed.ok, true, JSON.stringify(assumed));
      assert.equal(issued.length, 1);
      const signers = local.server.requests.filter((r) => r.target === 'SageMaker.ListEndpoints').map((r) => r.accessKeyId);
      assert.equal(signers.at(-1), issued[0].accessKeyId, 'the role\'s credentials signed the call');
      const refused = await service.endpoints(target(NO_LIST, role), true);
      assert.deepEqual([refused.ok, refused.problem.kind, refused.problem.action], [false, 'denied', 'sts:AssumeRole']);
      const json = require('../dist/discovery/problems').problemJson(refused.problem, words, target(NO_LIST).redact);
      assert.match(json.message, /^Could not assume role arn:aws:iam::123456789012:role\/discovery-reader \(STS AccessDenied\)/);
      noSecret([assumed, json]);
      for (const secret of [issued[0].secretAccessKey, issued[0].sessionToken]) assert.ok(!JSON.stringify([assumed, json]).includes(secret), 'the role\'s secret');
    } finally {
      await sts.close();
    }
  });

  it('through the config node\'s proxy (with its password) to an HTTPS control plane signed by a private CA', async function () {
    const certs = makeCerts();
    const password = 'discovery-proxy-Pa55word';
    const tlsServer = new SageMakerServer({ credentials: [KEY], endpoints: { 'behind-proxy': async () => ({ body: '{}' }) }, tls: { key: certs.serverKey, cert: certs.serverCert } });
    const proxy = new ConnectProxy({ username: 'gateway', password });
    await Promise.all([tlsServer.listen(0, '127.0.0.1'), proxy.listen()]);
    try {
      const via = (network) => ({ ...target(KEY, { apiEndpointUrl: tlsServer.url }), id: 'cfg-proxy', network });
      const proxied = { proxyEnv: proxyEnvOfNode({ url: proxy.url, noproxy: [] }), proxyAuth: { username: 'gateway', password } };
      const answer = await service.endpoints(via({ ...proxied, tls: { ca: certs.ca } }));
      assert.equal(answer.ok, true, JSON.stringify(answer));
      assert.deepEqual(answer.json.endpoints.map((e) => e.name), ['behind-proxy']);
      assert.deepEqual(proxy.connects.map((c) => [c.target, c.status]), [[new URL(tlsServer.url).host, 200]], 'one tunnel through the proxy');
      const untrusted = await service.endpoints(via(proxied));
      assert.deepEqual([untrusted.ok, untrusted.problem.kind, untrusted.problem.url], [false, 'unreachable', tlsServer.url.replace(/\/$/, '')], 'without the CA');
    } finally {
      await Promise.all([tlsServer.close(), proxy.close()]);
      certs.remove();
    }
  });

  it('a refresh makes a new client: a profile file corrected since the last answer is read again', async function () {
    const fs = require('node:fs');
    const os = require('node:os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'discovery-profile-'));
    const file = path.join(dir, 'credentials');
    const write = (secret) => fs.writeFileSync(file, `[discovery]\naws_access_key_id = ${KEY.accessKeyId}\naws_secret_access_key = ${secret}\n`);
    try {
      const byProfile = { ...target(KEY, { authMode: 'profile', profile: 'discovery', profileFile: file }), creds: {}, id: 'cfg-profile' };
      write(WRONG.secretAccessKey);
      assert.equal((await service.endpoints(byProfile, true)).problem.kind, 'credentials');
      write(KEY.secretAccessKey);
      const answer = await service.endpoints(byProfile, true);
      assert.equal(answer.ok, true, JSON.stringify(answer));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refused keys, no such endpoint, and a closed port named by its URL, without a secret', async function () {
    const refused = await service.endpoints(target(WRONG));
    assert.equal(refused.problem.kind, 'credentials', JSON.stringify(refused));
    const missing = await service.endpoint(target(KEY), 'no-such-endpoint');
    assert.equal(missing.problem.kind, 'notFound');
    const port = await freePort();
    const closed = await service.endpoints(target(KEY, { apiEndpointUrl: `http://127.0.0.1:${port}` }));
    assert.deepEqual([closed.problem.kind, closed.problem.url], ['unreachable', `http://127.0.0.1:${port}`]);
    const t = target(WRONG);
    for (const problem of [refused.problem, missing.problem, closed.problem]) {
      const json = require('../dist/discovery/problems').problemJson(problem, words, t.redact);
      assert.ok(json.message.length > 20, json.message);
      noSecret(json);
    }
  });
});
