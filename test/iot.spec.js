'use strict';
// At the edge, credentials: authMode iot against a mutual-TLS AWS IoT credentials provider of the tests' own
// (sagemaker-local's src/test-servers/iot-credentials-server.ts, certificates from CAs made with openssl here), whose credentials the
// SageMaker server then accepts only with their session token and until they expire. Core's tls-config node holds
// the device certificate. Then Greengrass v2's token exchange service, as the default chain reads it: a container
// credentials server on 127.0.0.1 with AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN.
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const net = require('node:net');
const { execFileSync } = require('node:child_process');
const FakeTimers = require('@sinonjs/fake-timers');
const { helper, KEYS, INVOKE_BLANK, json, configNode, invokeNode, catchNode, sendAndSettle } = require('./harness');
const { SageMakerServer } = require('sagemaker-local');
const { testServer } = require('./workspace');
const { IotCredentialsServer } = testServer('iot-credentials-server');
const { ConnectProxy } = testServer('connect-proxy');
const { makeCerts } = testServer('certs');
const { TcpRelay } = testServer('tcp-relay');
const proxyNode = require('@node-red/nodes/core/network/06-httpproxy.js');
const tlsNode = require('@node-red/nodes/core/network/05-tls.js');

const ALIAS = 'sagemaker-invoker-alias';
const THING = 'gateway-7';
const ENV_KEYS = [
  'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_EC2_METADATA_DISABLED', 'HOME',
];

describe('at the edge: device-certificate credentials (authMode iot) and Greengrass', function () {
  this.timeout(20000);
  let certs; // the device CA, the server certificate, the device certificate
  let other; // another CA: a device certificate AWS IoT does not know, a server we do not trust
  let sm;
  let iot;
  const savedEnv = {};

  before(function () {
    certs = makeCerts();
    other = makeCerts();
  });
  after(function () {
    certs.remove();
    other.remove();
  });

  beforeEach(async function () {
    for (const k of ENV_KEYS) {
      savedEnv[k] = process.env[k];
      delete process.env[k];
    }
    // The SageMaker server knows no key of the node's: only what the credentials provider issues (with its token).
    sm = new SageMakerServer({
      credentials: [KEYS],
      endpoints: { ep: (req) => json({ key: req.accessKeyId, token: req.sessionToken !== undefined, echo: JSON.parse(req.body.toString()) }) },
    });
    iot = new IotCredentialsServer({
      tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca },
      roleAliases: { [ALIAS]: [THING] },
      lifetimeSeconds: 900,
      onIssue: (c) => sm.addCredentials(c),
    });
    await Promise.all([sm.listen(), iot.listen()]);
    await new Promise((r) => helper.startServer(r));
  });

  afterEach(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await Promise.all([sm.close(), iot.close()]);
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
  });

  /** A core tls-config node with the device certificate (by default the one AWS IoT knows) and the CA. */
  const TLS_NODE = ({ cert = certs.paths.clientCert, key = certs.paths.clientKey, ca = certs.paths.ca } = {}) => ({
    id: 'devtls', type: 'tls-config', name: '', cert, key, ca, certname: '', keyname: '', caname: '', servername: '',
    verifyservercert: true, alpnprotocol: '',
  });

  async function load({ config = {}, nodes = [TLS_NODE()], credentials = {}, invoke = {} } = {}) {
    const flow = [
      { id: 'f1', type: 'tab' },
      {
        id: 'c1', type: 'sagemaker-config', z: 'f1', name: 'Plant gateway', region: 'us-east-1', endpointUrl: sm.url,
        authMode: 'iot', iotCredentialsEndpoint: iot.url, iotRoleAlias: ALIAS, iotThingName: THING, iotTls: 'devtls',
        maxAttempts: 2, retryMode: 'standard', timeout: 5000, proxy: '', tls: '', ...config,
      },
      { id: 'n1', type: 'sagemaker-invoke', z: 'f1', name: '', config: 'c1', ...INVOKE_BLANK, endpointName: 'ep', maxInFlight: 8, ...invoke, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'catch1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
      ...nodes,
    ];
    await helper.load([configNode, invokeNode, catchNode, proxyNode, tlsNode], flow, credentials);
    const got = { n1: helper.getNode('n1'), c1: helper.getNode('c1'), outs: [], catches: [], logs: [] };
    helper.getNode('out').on('input', (m) => got.outs.push(m));
    helper.getNode('caught').on('input', (m) => got.catches.push(m));
    return got;
  }

  const send = sendAndSettle;

  /** A port on 127.0.0.1 that nothing listens on. */
  const freePort = () => new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

  const keyText = () => fs.readFileSync(certs.paths.clientKey, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');

  it('buys credentials with the device certificate that SageMaker accepts; one fetch serves many messages', async function () {
    const got = await load();
    assert.equal(got.c1.configError, undefined);
    await send(got, ...Array.from({ length: 30 }, (_, n) => ({ n })));
    assert.deepEqual(got.catches.map((m) => m.error.message), []);
    assert.equal(iot.requests.length, 1, 'one fetch for 30 messages in flight at once');
    assert.deepEqual(iot.requests[0], { path: `/role-aliases/${ALIAS}/credentials`, thingName: THING, device: 'node-red-gateway', status: 200 });
    await send(got, { n: 30 }, { n: 31 });
    assert.equal(iot.requests.length, 1, 'later messages reuse them');
    assert.ok(got.outs.every((m) => m.payload.key === iot.issued[0].accessKeyId && m.payload.token === true));
    const calls = sm.requests.filter((r) => r.endpointName === 'ep');
    assert.ok(calls.length === 32 && calls.every((r) => r.verified && r.headers['x-amz-security-token'] === iot.issued[0].sessionToken));
  });

  it('fetches again once, before expiry, when less than five minutes remain', async function () {
    const clock = FakeTimers.install({ toFake: ['Date'], now: Date.now() });
    try {
      const got = await load();
      await send(got, { n: 1 });
      const first = iot.issued[0];
      clock.setSystemTime(first.expiration.getTime() - 310_000);
      await send(got, { n: 2 }, { n: 3 });
      assert.equal(iot.requests.length, 1, 'no fetch outside the five-minute window');
      clock.setSystemTime(first.expiration.getTime() - 290_000);
      await send(got, { n: 4 }, { n: 5 }, { n: 6 }, { n: 7 }, { n: 8 });
      assert.equal(iot.requests.length, 2, 'one fetch for five messages at once');
      clock.setSystemTime(first.expiration.getTime() + 1000); // SageMaker would refuse the first ones now
      await send(got, { n: 9 });
      assert.equal(iot.requests.length, 2);
      assert.deepEqual(got.catches.map((m) => m.error.message), [], 'no failed call');
      assert.equal(got.outs.find((m) => m.payload.echo.n === 9).payload.key, iot.issued[1].accessKeyId);
    } finally {
      clock.uninstall();
    }
  });

  it('goes through the proxy to the credentials endpoint', async function () {
    const proxy = new ConnectProxy({ username: 'gw', password: 'pr0xy-secret' });
    await proxy.listen();
    try {
      const got = await load({
        config: { proxy: 'px1' },
        nodes: [TLS_NODE(), { id: 'px1', type: 'http proxy', name: '', url: proxy.url, noproxy: [] }],
        credentials: { px1: { username: 'gw', password: 'pr0xy-secret' } },
      });
      await send(got, { n: 1 });
      assert.deepEqual(got.catches.map((m) => m.error.message), []);
      assert.equal(proxy.tunnels(new URL(iot.url).host), 1);
    } finally {
      await proxy.close();
    }
  });

  it('a refusal (403) names the endpoint, role alias and thing name, and lists the causes', async function () {
    const got = await load({ config: { iotRoleAlias: 'no-such-alias', iotThingName: 'gateway-9' } });
    await send(got, { n: 1 });
    const [m] = got.catches;
    const host = new URL(iot.url).host;
    assert.equal(m.sagemaker.error.name, 'CredentialsProviderError');
    for (const words of [host, 'no-such-alias', 'gateway-9', '403', 'not attached to the device certificate', 'inactive', 'iot:AssumeRoleWithCertificate']) {
      assert.ok(m.error.message.includes(words), `${words} in: ${m.error.message}`);
    }
    assert.ok(!m.error.message.includes(keyText().slice(0, 40)));
  });

  it('an untrusted server certificate is a TLSError naming the endpoint', async function () {
    const got = await load({ nodes: [TLS_NODE({ ca: other.paths.ca })] });
    await send(got, { n: 1 });
    const [m] = got.catches;
    assert.equal(m.sagemaker.error.name, 'TLSError');
    assert.match(m.error.message, new RegExp(`credentials provider at ${new URL(iot.url).host}.*not trusted`));
  });

  it('a device certificate the provider refuses: the connection closes in the handshake, and the message says so', async function () {
    const got = await load({ nodes: [TLS_NODE({ cert: other.paths.clientCert, key: other.paths.clientKey })] });
    await send(got, { n: 1 });
    const [m] = got.catches;
    assert.equal(m.sagemaker.error.name, 'TLSError');
    assert.match(m.error.message, new RegExp(`at ${new URL(iot.url).host} closed the connection .*the device certificate may have been refused`));
    assert.equal(iot.requests.length, 0);
    const otherKey = fs.readFileSync(other.paths.clientKey, 'utf8').split('\n')[1];
    assert.ok(!JSON.stringify(m).includes(otherKey), 'the private key is in no message');
  });

  it('the private key and its passphrase reach no log, status or message, on success and on failure', async function () {
    // The device key encrypted with a passphrase, kept (as core keeps it) in the tls-config node's credentials.
    const passphrase = 'device-key-passphrase-7f3a';
    const encrypted = path.join(certs.dir, 'client-encrypted.key');
    execFileSync('openssl', ['pkey', '-in', certs.paths.clientKey, '-aes256', '-passout', `pass:${passphrase}`, '-out', encrypted]);
    const keyLines = (file) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length >= 20 && !l.startsWith('-----'));
    const secrets = [passphrase, ...keyLines(encrypted), ...keyLines(certs.paths.clientKey)];
    const outputs = [];
    for (const config of [{}, { iotRoleAlias: 'no-such-alias' }, { iotCredentialsEndpoint: `https://127.0.0.1:${await freePort()}` }]) {
      const got = await load({ config, nodes: [TLS_NODE({ key: encrypted })], credentials: { devtls: { passphrase } } });
      const statuses = [];
      const status = got.n1.status.bind(got.n1);
      got.n1.status = (st) => { statuses.push(st); status(st); };
      await send(got, { n: 1 });
      await helper.unload();
      outputs.push({ config, outs: got.outs, catches: got.catches, statuses, logs: helper.log().args });
    }
    assert.equal(outputs[0].outs.length, 1, 'the encrypted key and its passphrase work');
    assert.match(outputs[1].catches[0].error.message, /no-such-alias/, 'a refusal');
    assert.equal(outputs[2].catches[0].sagemaker.error.name, 'NetworkError', 'an unreachable endpoint');
    assert.ok(outputs[1].logs.length > 0, 'Node-RED logged while it ran');
    const seen = JSON.stringify(outputs);
    assert.ok(seen.length > 1000, 'there is output to look through');
    const leaked = secrets.filter((secret) => seen.includes(secret) || seen.includes(JSON.stringify(secret).slice(1, -1)));
    assert.deepEqual(leaked, []);
  });

  it('with onUnreachable hold, a credentials endpoint that cannot be reached holds the messages until it can', async function () {
    const relay = new TcpRelay({ host: '127.0.0.1', port: Number(new URL(iot.url).port) });
    await relay.listen();
    try {
      const got = await load({ config: { iotCredentialsEndpoint: relay.url('https') }, invoke: { onUnreachable: 'hold', maxInFlight: 1 } });
      const statuses = [];
      const status = got.n1.status.bind(got.n1);
      got.n1.status = (st) => { statuses.push(st.text); status(st); };
      await relay.set('refuse');
      got.n1.receive({ payload: { n: 0 } });
      got.n1.receive({ payload: { n: 1 } });
      const started = Date.now();
      while (!statuses.some((t) => /^offline: 2 held/.test(t || '')) && Date.now() - started < 10000) await new Promise((r) => setTimeout(r, 20));
      assert.ok(statuses.some((t) => /^offline: 2 held, next try in \d+ s$/.test(t || '')), statuses.join(' | '));
      assert.deepEqual(got.catches.map((m) => m.error.message), [], 'held, not failed');
      await relay.set('pass');
      while (got.outs.length < 2 && Date.now() - started < 20000) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(got.outs.map((m) => m.payload.echo.n), [0, 1], 'answered in order once the provider is back');
      assert.deepEqual(got.catches, []);
      assert.equal(iot.requests.length, 1);
    } finally {
      await relay.stop();
    }
  });

  it('names a missing certificate node, role alias or endpoint when the flow starts, with every other problem at once', async function () {
    const got = await load({ config: { iotTls: '', iotRoleAlias: '', iotThingName: 'gateway 7', region: 'Ireland' }, nodes: [] });
    for (const words of [/region must be an AWS region/, /iotRoleAlias is required/, /iotThingName must be an AWS IoT thing name/, /iotTls is required/]) {
      assert.match(got.c1.configError, words);
    }
    await helper.unload();
    const again = await load({ config: { iotTls: 'gone', iotCredentialsEndpoint: '', timeout: 'soon' }, nodes: [] });
    for (const words of [/iotCredentialsEndpoint is required/, /timeout must be a whole number/, /iotTls names a config node \(tls-config\) that does not exist/]) {
      assert.match(again.c1.configError, words);
    }
  });

  it('Greengrass v2: the default chain reads the token exchange service (container credentials), never through the proxy', async function () {
    const token = 'greengrass-auth-token-7';
    const issued = { AccessKeyId: 'ASIAGREENGRASS00001', SecretAccessKey: 'tes-secret-key-0001', Token: 'tes-session-token-0001' };
    const seen = [];
    const tes = http.createServer((req, res) => {
      seen.push({ path: req.url, authorization: req.headers.authorization });
      if (req.headers.authorization !== token) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...issued, Expiration: new Date(Date.now() + 3600_000).toISOString() }));
    });
    await new Promise((r) => tes.listen(0, '127.0.0.1', r));
    const proxy = new ConnectProxy({});
    await proxy.listen();
    sm.addCredentials({ accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.Token });
    try {
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${tes.address().port}/2016-11-01/credentialprovider/`;
      process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = token;
      process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
      process.env.AWS_CONFIG_FILE = '/nonexistent/config';
      process.env.HTTP_PROXY = proxy.url; // SageMaker (http:// here) goes through it; container credentials never do
      const got = await load({ config: { authMode: 'chain', iotTls: '' }, nodes: [] });
      await send(got, { n: 1 }, { n: 2 });
      assert.deepEqual(got.catches.map((m) => m.error.message), []);
      assert.ok(got.outs.every((m) => m.payload.key === issued.AccessKeyId && m.payload.token));
      assert.deepEqual(seen, [{ path: '/2016-11-01/credentialprovider/', authorization: token }]);
      assert.ok(proxy.tunnels(new URL(sm.url).host) >= 1, 'SageMaker through the proxy');
      assert.equal(proxy.tunnels(`127.0.0.1:${tes.address().port}`), 0, 'the token exchange service directly');
    } finally {
      await proxy.close();
      await new Promise((r) => tes.close(r));
    }
  });

  it('the default chain asks SSO through the config node\'s proxy', async function () {
    // An IAM Identity Center (SSO) profile with a cached token: the chain's SSO client asks
    // portal.sso.us-east-1.amazonaws.com for the role's credentials, through the proxy (which, offline, cannot reach it).
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sso-home-'));
    const startUrl = 'https://example-start.awsapps.com/start';
    fs.mkdirSync(path.join(home, '.aws', 'sso', 'cache'), { recursive: true });
    fs.writeFileSync(path.join(home, '.aws', 'config'),
      `[profile edge-sso]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = SageMakerInvoke\nregion = us-east-1\n`);
    const name = crypto.createHash('sha1').update(startUrl).digest('hex');
    fs.writeFileSync(path.join(home, '.aws', 'sso', 'cache', `${name}.json`),
      JSON.stringify({ startUrl, region: 'us-east-1', accessToken: 'cached-sso-token', expiresAt: new Date(Date.now() + 3600_000).toISOString() }));
    const proxy = new ConnectProxy({});
    await proxy.listen();
    try {
      process.env.HOME = home;
      process.env.AWS_PROFILE = 'edge-sso';
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
      const got = await load({
        config: { authMode: 'chain', iotTls: '', proxy: 'px1', timeout: 3000 },
        nodes: [{ id: 'px1', type: 'http proxy', name: '', url: proxy.url, noproxy: [] }],
      });
      await send(got, { n: 1 });
      assert.ok(proxy.connects.some((c) => c.target === 'portal.sso.us-east-1.amazonaws.com:443'),
        `SSO went through the proxy: ${JSON.stringify(proxy.connects)}`);
      assert.equal(got.catches.length, 1, 'offline, the lookup fails and the message reaches Catch');
    } finally {
      await proxy.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
