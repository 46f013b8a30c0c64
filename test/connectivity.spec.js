'use strict';
// Enterprise connectivity of the config node against real servers on loopback, started here: the wire-true
// SageMaker server over HTTPS with a certificate from a company CA made for the test (asking for a client
// certificate), an STS server speaking AssumeRole's query protocol that issues credentials the SageMaker server then
// accepts only with their session token, and a CONNECT proxy that requires Basic authentication and counts tunnels.
// Core's own `http proxy` and `tls-config` nodes supply the proxy and TLS settings.
const assert = require('node:assert/strict');
const FakeTimers = require('@sinonjs/fake-timers');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { helper, KEYS, INVOKE_BLANK, json, configNode, invokeNode, catchNode, sendAndSettle } = require('./harness');
const { SageMakerServer } = require('sagemaker-local');
const { StsServer } = require('./workspace').testServer('sts-server');
const { ConnectProxy } = require('./workspace').testServer('connect-proxy');
const { makeCerts } = require('./workspace').testServer('certs');
const proxyNode = require('@node-red/nodes/core/network/06-httpproxy.js');
const tlsNode = require('@node-red/nodes/core/network/05-tls.js');

const ROLE = 'arn:aws:iam::210987654321:role/sagemaker-invoker';
const PROXY_USER = 'gateway';
const PROXY_PASSWORD = 'pr0xy-Pa55word-do-not-show';
const hostPort = (url) => new URL(url).host;

describe('enterprise connectivity: assumed role, proxy, private CA', function () {
  this.timeout(20000);
  let certs;
  let sm;
  let sts;
  let proxy;
  /** every credential STS issued, in order */
  let issued;
  /** what the role's trust policy allows; tests change it */
  let roles;
  const savedEnv = {};
  const ENV_KEYS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

  before(function () {
    certs = makeCerts();
  });
  after(function () {
    certs.remove();
  });

  beforeEach(async function () {
    for (const k of ENV_KEYS) {
      savedEnv[k] = process.env[k];
      delete process.env[k];
    }
    issued = [];
    roles = { [ROLE]: { trustedKeys: [KEYS.accessKeyId], externalId: 'partner-7781', maxSessionDuration: 43200 } };
    sm = new SageMakerServer({
      // The base keys are known to SageMaker too: a test fails if they, not the role's, sign a call.
      credentials: [KEYS],
      endpoints: { ep: (req) => json({ ok: true, key: req.accessKeyId, echo: JSON.parse(req.body.toString()) }) },
      tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
    });
    sts = new StsServer({
      credentials: [KEYS],
      roles,
      tls: { key: certs.serverKey, cert: certs.serverCert },
      onIssue: (c) => {
        issued.push(c);
        sm.addCredentials(c);
      },
    });
    proxy = new ConnectProxy({ username: PROXY_USER, password: PROXY_PASSWORD });
    await Promise.all([sm.listen(), sts.listen(), proxy.listen()]);
    await new Promise((r) => helper.startServer(r));
  });

  afterEach(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await Promise.all([sm.close(), sts.close(), proxy.close()]);
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
  });

  const TLS_NODE = () => ({
    id: 'tls1', type: 'tls-config', name: '', cert: certs.paths.clientCert, key: certs.paths.clientKey, ca: certs.paths.ca,
    certname: '', keyname: '', caname: '', servername: '', verifyservercert: true, alpnprotocol: '',
  });
  const PROXY_NODE = (noproxy = []) => ({ id: 'px1', type: 'http proxy', name: '', url: proxy.url, noproxy });
  const ROLE_CONFIG = () => ({ roleArn: ROLE, externalId: 'partner-7781', roleDurationSeconds: 3600, stsEndpointUrl: sts.url });

  /** Loads config -> invoke -> out, with Catch -> caught, plus core proxy/TLS nodes; returns the nodes. */
  async function load({ config = {}, nodes = [], credentials = {}, name = 'Gateway 7' } = {}) {
    const flow = [
      { id: 'f1', type: 'tab' },
      {
        id: 'c1', type: 'sagemaker-config', z: 'f1', name, region: 'us-east-1', endpointUrl: sm.url, authMode: 'keys',
        profile: '', profileFile: '', maxAttempts: 2, retryMode: 'standard', timeout: 8000, roleArn: '', externalId: '',
        roleSessionName: '', roleDurationSeconds: '', stsEndpointUrl: '', proxy: '', tls: 'tls1', ...config,
      },
      { id: 'n1', type: 'sagemaker-invoke', z: 'f1', name: '', config: 'c1', ...INVOKE_BLANK, endpointName: 'ep', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'catch1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
      TLS_NODE(),
      ...nodes,
    ];
    await helper.load([configNode, invokeNode, catchNode, proxyNode, tlsNode], flow, { c1: KEYS, ...credentials });
    const got = { n1: helper.getNode('n1'), c1: helper.getNode('c1'), outs: [], catches: [] };
    helper.getNode('out').on('input', (m) => got.outs.push(m));
    helper.getNode('caught').on('input', (m) => got.catches.push(m));
    return got;
  }

  const send = sendAndSettle;

  const smCalls = () => sm.requests.filter((r) => r.endpointName === 'ep');

  it('calls through an authenticated proxy, trusting the company CA with a client certificate, as an assumed role', async function () {
    const got = await load({
      config: { ...ROLE_CONFIG(), proxy: 'px1' },
      nodes: [PROXY_NODE()],
      credentials: { px1: { username: PROXY_USER, password: PROXY_PASSWORD } },
    });
    assert.equal(got.c1.configError, undefined);
    await send(got, { n: 1 });
    await send(got, { n: 2 });
    await send(got, { n: 3 });
    assert.deepEqual(got.catches.map((m) => m.error.message), []);
    assert.deepEqual(got.outs.map((m) => m.payload.echo.n), [1, 2, 3]);

    // One AssumeRole, signed with the base keys, as the role's trust policy wants it.
    assert.equal(sts.calls.length, 1);
    assert.deepEqual(
      { ...sts.calls[0], issuedKeyId: undefined },
      { callerKeyId: KEYS.accessKeyId, roleArn: ROLE, roleSessionName: 'node-red-Gateway-7', externalId: 'partner-7781', durationSeconds: 3600, status: 200, issuedKeyId: undefined },
    );
    // SageMaker saw only the role's key, with its session token.
    assert.equal(smCalls().length, 3);
    for (const r of smCalls()) {
      assert.equal(r.verified, true);
      assert.equal(r.accessKeyId, issued[0].accessKeyId);
      assert.equal(r.headers['x-amz-security-token'], issued[0].sessionToken);
    }
    assert.equal(got.outs[0].payload.key, issued[0].accessKeyId);
    // Both went through the proxy; keep-alive kept one tunnel to SageMaker for the three calls.
    assert.equal(proxy.tunnels(hostPort(sts.url)), 1);
    assert.equal(proxy.tunnels(hostPort(sm.url)), 1);
    assert.equal(proxy.refused(), 0);
  });

  it('refreshes the role credentials once per expiry, before they expire, without a failed call', async function () {
    // Only Date is faked: the SDK's expiry check, the signatures, the servers' clocks and STS's expirations all
    // read it, so the test moves time across the expiry window without waiting.
    const clock = FakeTimers.install({ toFake: ['Date'], now: Date.now() });
    try {
      const got = await load({ config: { ...ROLE_CONFIG(), roleDurationSeconds: 900 } });
      await send(got, { n: 1 });
      await send(got, { n: 2 });
      assert.equal(sts.issuedCount, 1, 'one AssumeRole for the first messages');
      const first = issued[0];
      assert.equal(first.expiration.getTime() - Math.floor(Date.now() / 1000) * 1000 <= 900_000, true);

      // 310 s before expiry: outside the SDK's 5-minute refresh window, the credentials are still used.
      clock.setSystemTime(first.expiration.getTime() - 310_000);
      await send(got, { n: 3 });
      assert.equal(sts.issuedCount, 1, 'no refresh outside the window');

      // 290 s before expiry: inside the window, four messages at once cause exactly one AssumeRole.
      clock.setSystemTime(first.expiration.getTime() - 290_000);
      await send(got, { n: 4 }, { n: 5 }, { n: 6 }, { n: 7 });
      assert.equal(sts.issuedCount, 2, 'one refresh for four concurrent messages');
      const second = issued[1];

      // Past the first credentials' expiry the node signs with the second ones; SageMaker would refuse the first.
      clock.setSystemTime(first.expiration.getTime() + 1000);
      await send(got, { n: 8 });
      assert.equal(sts.issuedCount, 2);
      const stale = new SageMakerRuntimeClient({
        region: 'us-east-1', endpoint: sm.url, maxAttempts: 1, credentials: first,
        requestHandler: { httpsAgent: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } },
      });
      await assert.rejects(stale.send(new InvokeEndpointCommand({ EndpointName: 'ep', Body: '{}', ContentType: 'application/json' })), { name: 'ExpiredTokenException' });
      stale.destroy();

      // The second credentials' own window: one more AssumeRole.
      clock.setSystemTime(second.expiration.getTime() - 290_000);
      await send(got, { n: 9 }, { n: 10 });
      assert.equal(sts.issuedCount, 3);

      assert.deepEqual(got.catches.map((m) => m.error.message), [], 'no failed call');
      assert.equal(got.outs.length, 10);
      const keys = got.outs.map((m) => [m.payload.echo.n, m.payload.key]).sort((a, b) => a[0] - b[0]).map((p) => p[1]);
      assert.deepEqual(keys, [first, first, first, second, second, second, second, second, issued[2], issued[2]].map((c) => c.accessKeyId));
      assert.ok(smCalls().every((r) => r.status === 200), 'SageMaker refused no call of the node');
      assert.equal(sts.calls.length, 3, 'no AssumeRole failed or was repeated');
    } finally {
      clock.uninstall();
    }
  });

  it('a wrong external id reaches Catch with STS\'s error in words, and each message asks STS again', async function () {
    const got = await load({ config: { ...ROLE_CONFIG(), externalId: 'partner-0000' } });
    await send(got, { n: 1 });
    await send(got, { n: 2 });
    assert.equal(got.outs.length, 0);
    assert.equal(got.catches.length, 2);
    const message = got.catches[0].error.message;
    assert.match(message, /^Error: Could not assume role arn:aws:iam::210987654321:role\/sagemaker-invoker \(STS AccessDenied\): /);
    assert.match(message, /is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role\/sagemaker-invoker/);
    assert.equal(got.catches[0].sagemaker.error.name, 'CredentialsProviderError');
    assert.equal(got.catches[0].sagemaker.error.errorCode, 'AccessDenied');
    assert.deepEqual(sts.calls.map((c) => [c.externalId, c.status]), [['partner-0000', 403], ['partner-0000', 403]]);
    assert.equal(smCalls().length, 0, 'SageMaker is not called without the role');
  });

  it('after a refused AssumeRole the next message tries again and succeeds once STS allows it', async function () {
    roles[ROLE].trustedKeys = [];
    const got = await load({ config: ROLE_CONFIG() });
    await send(got, { n: 1 });
    assert.equal(got.catches.length, 1);
    assert.match(got.catches[0].error.message, /AccessDenied/);
    roles[ROLE].trustedKeys = [KEYS.accessKeyId];
    await send(got, { n: 2 });
    assert.equal(got.outs.length, 1);
    assert.equal(got.outs[0].payload.key, issued[0].accessKeyId);
    assert.deepEqual(sts.calls.map((c) => c.status), [403, 200]);
  });

  it('assumes the role on top of the default chain and of a named profile too', async function () {
    const fs = require('node:fs');
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    const file = require('node:path').join(certs.dir, 'credentials');
    fs.writeFileSync(file, `[partner]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    try {
      process.env.AWS_ACCESS_KEY_ID = KEYS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = KEYS.secretAccessKey;
      let got = await load({ config: { ...ROLE_CONFIG(), authMode: 'chain' }, credentials: { c1: {} } });
      await send(got, { n: 1 });
      assert.equal(got.outs.length, 1, got.catches[0]?.error.message);
      await helper.unload();
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      got = await load({ config: { ...ROLE_CONFIG(), authMode: 'profile', profile: 'partner', profileFile: file }, credentials: { c1: {} } });
      await send(got, { n: 2 });
      assert.equal(got.outs.length, 1, got.catches[0]?.error.message);
      assert.deepEqual(sts.calls.map((c) => [c.callerKeyId, c.status]), [[KEYS.accessKeyId, 200], [KEYS.accessKeyId, 200]]);
      assert.deepEqual(smCalls().map((r) => r.accessKeyId), [issued[0].accessKeyId, issued[1].accessKeyId]);
    } finally {
      for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]]) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('refuses a role session duration or session name that STS would refuse, before calling it', async function () {
    let got = await load({ config: { ...ROLE_CONFIG(), roleDurationSeconds: 600 } });
    assert.equal(got.c1.configError, 'roleDurationSeconds must be a whole number from 900 to 43200');
    await helper.unload();
    got = await load({ config: { ...ROLE_CONFIG(), roleSessionName: 'has space' } });
    assert.match(got.c1.configError, /^roleSessionName must be letters, digits and the characters _\+=,\.@-/);
    await send(got, { n: 1 });
    assert.match(got.catches[0].error.message, /roleSessionName/);
    assert.equal(sts.calls.length, 0);
  });

  for (const withRole of [false, true]) {
    it(`a wrong proxy password reaches Catch with a clear message that never shows a password${withRole ? ' (STS behind the proxy)' : ''}`, async function () {
      const wrong = 'wr0ng-Pa55word-secret';
      const got = await load({
        config: { ...(withRole ? ROLE_CONFIG() : {}), proxy: 'px1' },
        nodes: [PROXY_NODE()],
        credentials: { px1: { username: PROXY_USER, password: wrong } },
      });
      await send(got, { n: 1 });
      assert.equal(got.catches.length, 1);
      const msg = got.catches[0];
      const target = hostPort(withRole ? sts.url : sm.url);
      assert.equal(msg.error.message, `Error: The proxy ${proxy.url} refused its user and password (status 407) for the tunnel to ${target}: check them in the http proxy node or the proxy URL`);
      assert.equal(msg.sagemaker.error.name, 'ProxyError');
      assert.equal(msg.sagemaker.error.statusCode, 407);
      assert.ok(proxy.refused() >= 1);
      assert.equal(proxy.tunnels(), 0);
      const everything = JSON.stringify(msg) + JSON.stringify(helper.log().args);
      for (const secret of [wrong, PROXY_PASSWORD, KEYS.secretAccessKey]) assert.ok(!everything.includes(secret), 'no secret in msg or log');
    });
  }

  it('honours the proxy node\'s no-proxy list, host by host', async function () {
    // SageMaker's host:port is on the list: direct. STS (same host, another port) still goes through the proxy.
    const got = await load({
      config: { ...ROLE_CONFIG(), proxy: 'px1' },
      nodes: [PROXY_NODE([hostPort(sm.url)])],
      credentials: { px1: { username: PROXY_USER, password: PROXY_PASSWORD } },
    });
    await send(got, { n: 1 });
    assert.equal(got.outs.length, 1, got.catches[0]?.error.message);
    assert.equal(proxy.tunnels(hostPort(sm.url)), 0);
    assert.equal(proxy.tunnels(hostPort(sts.url)), 1);
  });

  it('without a proxy node, uses HTTPS_PROXY (with user and password in it) and NO_PROXY from the environment', async function () {
    const envProxy = proxy.url.replace('http://', `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@`);
    process.env.HTTPS_PROXY = envProxy;
    let got = await load({ config: ROLE_CONFIG() });
    await send(got, { n: 1 });
    assert.equal(got.outs.length, 1, got.catches[0]?.error.message);
    assert.equal(proxy.tunnels(hostPort(sm.url)), 1);
    assert.equal(proxy.tunnels(hostPort(sts.url)), 1);
    await helper.unload();

    process.env.no_proxy = `${hostPort(sts.url)}, example.com`;
    got = await load({ config: ROLE_CONFIG() });
    await send(got, { n: 2 });
    assert.equal(got.outs.length, 1, got.catches[0]?.error.message);
    assert.equal(proxy.tunnels(hostPort(sm.url)), 2, 'SageMaker still through the proxy');
    assert.equal(proxy.tunnels(hostPort(sts.url)), 1, 'STS direct: it is on NO_PROXY');
    await helper.unload();

    // A wrong password in the variable: Catch, and the message shows the proxy URL without it.
    process.env.HTTPS_PROXY = proxy.url.replace('http://', `http://${PROXY_USER}:not-${PROXY_PASSWORD}@`);
    delete process.env.no_proxy;
    got = await load({});
    await send(got, { n: 3 });
    assert.equal(got.catches.length, 1);
    assert.match(got.catches[0].error.message, new RegExp(`^Error: The proxy http://${PROXY_USER}:\\*\\*\\*\\*@127\\.0\\.0\\.1:\\d+ refused its user and password`));
    assert.ok(!JSON.stringify(got.catches[0]).includes(PROXY_PASSWORD));
  });

  it('without a TLS config node, a server signed by the company CA fails with a TLS message', async function () {
    const got = await load({ config: { tls: '' } });
    await send(got, { n: 1 });
    assert.equal(got.catches.length, 1);
    assert.match(got.catches[0].error.message, /^Error: The TLS connection to https:\/\/127\.0\.0\.1:\d+ failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    assert.equal(got.catches[0].sagemaker.error.name, 'TLSError');
  });

  it('keeps the secret key, session tokens and proxy password out of logs, errors, status and messages', async function () {
    roles[ROLE].trustedKeys = [];
    const got = await load({
      config: { ...ROLE_CONFIG(), proxy: 'px1' },
      nodes: [PROXY_NODE()],
      credentials: { px1: { username: PROXY_USER, password: PROXY_PASSWORD } },
    });
    await send(got, { n: 1 }); // refused by STS
    roles[ROLE].trustedKeys = [KEYS.accessKeyId];
    await send(got, { n: 2 }); // works
    sm.setEndpoint('ep', () => ({ error: 'ModelError', message: 'model failed', fields: { OriginalStatusCode: 500, OriginalMessage: 'boom' } }));
    await send(got, { n: 3 }); // fails at SageMaker
    assert.equal(got.outs.length, 1);
    assert.equal(got.catches.length, 2);
    const seen = JSON.stringify([got.outs, got.catches, helper.log().args, got.n1.status?.args ?? []]);
    const secrets = [KEYS.secretAccessKey, PROXY_PASSWORD, ...issued.flatMap((c) => [c.secretAccessKey, c.sessionToken])];
    assert.ok(issued.length === 1);
    for (const secret of secrets) assert.ok(!seen.includes(secret), 'a secret leaked');
  });
});
