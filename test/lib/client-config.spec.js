'use strict';
const assert = require('node:assert/strict');
const { resolveClientSettings, buildClientConfig } = require('../../dist/config/client-config');

const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const refuses = (raw, creds, key, field) => assert.throws(() => resolveClientSettings(raw, creds),
  (e) => e.key === key && e.params.field === field);

describe('client-config: config node settings', function () {
  it('applies the defaults', function () {
    const s = resolveClientSettings({ region: 'eu-west-1' }, keys);
    assert.deepEqual(s, { region: 'eu-west-1', endpointUrl: undefined, authMode: 'keys', maxAttempts: 3, retryMode: 'standard', timeout: 70000, s3MaxRequestRate: 50 });
  });
  it('takes an S3 endpoint URL and a request ceiling, checked', function () {
    const s = resolveClientSettings({ region: 'eu-west-1', s3EndpointUrl: 'http://127.0.0.1:9000', s3MaxRequestRate: '20' }, keys);
    assert.equal(s.s3EndpointUrl, 'http://127.0.0.1:9000');
    assert.equal(s.s3MaxRequestRate, 20);
    refuses({ region: 'eu-west-1', s3EndpointUrl: 'minio:9000' }, keys, 'invalidField', 's3EndpointUrl');
    refuses({ region: 'eu-west-1', s3MaxRequestRate: '0' }, keys, 'invalidField', 's3MaxRequestRate');
  });
  it('takes a Control-plane URL, checked with the other URLs and the rest at once, and gives it to the SageMaker API client only', function () {
    const s = resolveClientSettings({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:8080', apiEndpointUrl: 'http://127.0.0.1:8080/api' }, keys);
    assert.equal(s.apiEndpointUrl, 'http://127.0.0.1:8080/api');
    assert.equal(resolveClientSettings({ region: 'eu-west-1', apiEndpointUrl: '  ' }, keys).apiEndpointUrl, undefined, 'blank: the region\'s');
    refuses({ region: 'eu-west-1', apiEndpointUrl: 'api.sagemaker.local' }, keys, 'invalidField', 'apiEndpointUrl');
    assert.throws(() => resolveClientSettings({ region: 'Ireland', apiEndpointUrl: 'ftp://x', timeout: 'soon' }, keys),
      (e) => assert.deepEqual(e.errors.map((x) => x.params.field), ['region', 'apiEndpointUrl', 'timeout']) ?? true);
    const runtime = buildClientConfig(s, keys);
    const api = buildClientConfig(s, keys, {}, 'api');
    assert.equal(runtime.endpoint, 'http://127.0.0.1:8080');
    assert.equal(api.endpoint, 'http://127.0.0.1:8080/api');
    // One construction: the same region, retries, timeouts and credentials for both.
    for (const key of ['region', 'maxAttempts', 'retryMode', 'cacheMiddleware', 'credentials']) assert.deepEqual(api[key], runtime[key], key);
    assert.equal(api.useFipsEndpoint, undefined, 'FIPS and dual-stack are the SDK\'s own configuration, as for the runtime client');
    runtime.requestHandler.destroy();
    api.requestHandler.destroy();
    const blank = buildClientConfig(resolveClientSettings({ region: 'eu-west-1' }, keys), keys, {}, 'api');
    assert.equal(blank.endpoint, undefined, 'the SDK resolves the region\'s');
    blank.requestHandler.destroy();
  });
  it('requires a region of the right shape and an http(s) endpoint URL', function () {
    refuses({}, keys, 'missingField', 'region');
    refuses({ region: 'Ireland' }, keys, 'invalidField', 'region');
    refuses({ region: 'eu-west-1', endpointUrl: 'localhost:8080' }, keys, 'invalidField', 'endpointUrl');
  });
  it('checks the choices and numbers', function () {
    refuses({ region: 'eu-west-1', authMode: 'magic' }, keys, 'invalidField', 'authMode');
    refuses({ region: 'eu-west-1', retryMode: 'legacy' }, keys, 'invalidField', 'retryMode');
    refuses({ region: 'eu-west-1', maxAttempts: '0' }, keys, 'invalidField', 'maxAttempts');
    refuses({ region: 'eu-west-1', timeout: '1.5' }, keys, 'invalidField', 'timeout');
    assert.equal(resolveClientSettings({ region: 'eu-west-1', maxAttempts: '5', timeout: 1000 }, keys).maxAttempts, 5);
  });
  it('names every bad setting at once, in the order of the dialog', function () {
    assert.throws(() => resolveClientSettings({ region: 'Ireland', endpointUrl: 'localhost:8080', maxAttempts: '0', timeout: 'soon' }, keys), (e) => {
      assert.equal(e.name, 'FlowErrors');
      assert.deepEqual(e.errors.map((x) => [x.key, x.params.field]),
        [['invalidField', 'region'], ['invalidField', 'endpointUrl'], ['invalidField', 'maxAttempts'], ['invalidField', 'timeout']]);
      return true;
    });
    assert.throws(() => resolveClientSettings({ region: 'eu-west-1', authMode: 'keys' }, {}),
      (e) => assert.deepEqual(e.errors.map((x) => x.params.field), ['accessKeyId', 'secretAccessKey']) ?? true);
    assert.throws(() => resolveClientSettings({ region: 'eu-west-1', authMode: 'iot' }, {}),
      (e) => assert.deepEqual(e.errors.map((x) => x.params.field), ['iotCredentialsEndpoint', 'iotRoleAlias']) ?? true);
  });
  it('keys mode needs both keys; profile mode needs a profile name', function () {
    refuses({ region: 'eu-west-1', authMode: 'keys' }, { accessKeyId: 'A' }, 'missingField', 'secretAccessKey');
    refuses({ region: 'eu-west-1', authMode: 'profile' }, {}, 'missingField', 'profile');
    const s = resolveClientSettings({ region: 'eu-west-1', authMode: 'profile', profile: 'dev', profileFile: '/tmp/c' }, {});
    assert.equal(s.profile, 'dev');
    assert.equal(s.profileFile, '/tmp/c');
    assert.equal(resolveClientSettings({ region: 'eu-west-1', authMode: 'chain' }, {}).authMode, 'chain');
  });
  it('builds a client config whose handler throws on the per-attempt timeout', async function () {
    const c = buildClientConfig(resolveClientSettings({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:9', timeout: 1234, maxAttempts: 2, retryMode: 'adaptive' }, { ...keys, sessionToken: 'tok' }), { ...keys, sessionToken: 'tok' });
    assert.equal(c.region, 'eu-west-1');
    assert.equal(c.endpoint, 'http://127.0.0.1:9');
    assert.equal(c.maxAttempts, 2);
    assert.equal(c.retryMode, 'adaptive');
    assert.equal(c.requestHandler.constructor.name, 'SignalHandler');
    assert.equal(c.requestHandler.inner.constructor.name, 'NodeHttpHandler');
    const options = await c.requestHandler.inner.configProvider;
    assert.deepEqual(
      [options.requestTimeout, options.throwOnRequestTimeout, options.socketTimeout, options.connectionTimeout],
      [1234, true, 1234, 1234],
    );
    assert.equal(c.cacheMiddleware, true, 'the middleware stack is resolved once (no per-call options are passed)');
    c.requestHandler.destroy();
    assert.deepEqual(c.credentials, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'tok' });
    const chain = buildClientConfig(resolveClientSettings({ region: 'eu-west-1', authMode: 'chain' }, {}), {});
    assert.equal(typeof chain.credentials, 'function', 'the default chain, its SSO and STS clients on this request handler');
    const profile = buildClientConfig(resolveClientSettings({ region: 'eu-west-1', authMode: 'profile', profile: 'p' }, {}), {});
    assert.equal(typeof profile.credentials, 'function');
  });
  it('checks the role settings against STS\'s rules, with defaults', function () {
    const arn = 'arn:aws:iam::123456789012:role/path/invoker';
    const s = resolveClientSettings({ region: 'eu-west-1', roleArn: arn, name: 'Line 2', id: 'abc' }, keys);
    assert.deepEqual(s.role, { roleArn: arn, roleSessionName: 'node-red-Line-2', durationSeconds: 3600 });
    const full = resolveClientSettings({ region: 'eu-west-1', roleArn: arn, externalId: 'ext:id/1', roleSessionName: 'me@corp', roleDurationSeconds: '900', stsEndpointUrl: 'https://vpce-1.sts.eu-west-1.vpce.amazonaws.com' }, keys);
    assert.deepEqual(full.role, { roleArn: arn, externalId: 'ext:id/1', roleSessionName: 'me@corp', durationSeconds: 900, stsEndpointUrl: 'https://vpce-1.sts.eu-west-1.vpce.amazonaws.com' });
    assert.equal(resolveClientSettings({ region: 'eu-west-1', roleArn: '', externalId: 'x y' }, keys).role, undefined, 'no role ARN: no role, the rest ignored');
    assert.ok(resolveClientSettings({ region: 'cn-north-1', roleArn: 'arn:aws-cn:iam::123456789012:role/r' }, keys).role);
    refuses({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:user/bob' }, keys, 'invalidField', 'roleArn');
    refuses({ region: 'eu-west-1', roleArn: 'arn:aws:iam::12345:role/r' }, keys, 'invalidField', 'roleArn');
    refuses({ region: 'eu-west-1', roleArn: arn, externalId: 'x' }, keys, 'invalidField', 'externalId');
    refuses({ region: 'eu-west-1', roleArn: arn, externalId: 'has space' }, keys, 'invalidField', 'externalId');
    refuses({ region: 'eu-west-1', roleArn: arn, roleSessionName: 'a' }, keys, 'invalidField', 'roleSessionName');
    refuses({ region: 'eu-west-1', roleArn: arn, roleSessionName: 'x'.repeat(65) }, keys, 'invalidField', 'roleSessionName');
    refuses({ region: 'eu-west-1', roleArn: arn, roleDurationSeconds: 899 }, keys, 'invalidField', 'roleDurationSeconds');
    refuses({ region: 'eu-west-1', roleArn: arn, roleDurationSeconds: 43201 }, keys, 'invalidField', 'roleDurationSeconds');
    refuses({ region: 'eu-west-1', roleArn: arn, stsEndpointUrl: 'sts.local' }, keys, 'invalidField', 'stsEndpointUrl');
  });
  it('with a role, SageMaker gets a provider of the role\'s credentials; with a proxy or TLS, a routing handler', function () {
    const role = buildClientConfig(resolveClientSettings({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/r' }, keys), keys);
    assert.equal(typeof role.credentials, 'function');
    const settings = resolveClientSettings({ region: 'eu-west-1' }, keys);
    const proxied = buildClientConfig(settings, keys, { proxyEnv: { https_proxy: 'http://p:3128' } });
    assert.equal(proxied.requestHandler.inner.constructor.name, 'RoutingHttpHandler');
    assert.equal(proxied.requestHandler.httpHandlerConfigs().requestTimeout, 70000);
    proxied.requestHandler.destroy();
    const tls = buildClientConfig(settings, keys, { tls: { ca: 'PEM', rejectUnauthorized: true } });
    assert.equal(tls.requestHandler.inner.agentsFor('').httpsAgent.options.ca, 'PEM');
    tls.requestHandler.destroy();
  });
});

describe('abort-context: a call\'s abort signal reaches the request handler', function () {
  const { withAbortSignal, currentAbortSignal } = require('../../dist/config/abort-context');
  const { SignalHandler } = require('../../dist/config/http-handler');
  it('hands the signal of the call in progress to the inner handler, through awaits, and nothing outside a call', async function () {
    const seen = [];
    const inner = { handle: async (req, opts) => { seen.push(opts && opts.abortSignal); return { response: req }; } };
    const handler = new SignalHandler(inner);
    const a = new AbortController();
    const b = new AbortController();
    await Promise.all([
      withAbortSignal(a.signal, async () => { await new Promise((r) => setTimeout(r, 5)); return handler.handle('r1', {}); }),
      withAbortSignal(b.signal, () => handler.handle('r2', { requestTimeout: 5 })),
    ]);
    await handler.handle('r3', {});
    assert.deepEqual([seen[0] === b.signal, seen[1] === a.signal, seen[2]], [true, true, undefined]);
    assert.equal(currentAbortSignal(), undefined);
  });
});

describe('client-config: sockets', function () {
  const { SocketLimit, MAX_SOCKETS } = require('../../dist/config/http-handler');
  it('gives the client keep-alive agents that follow the socket limit, at once, as it changes', async function () {
    const sockets = new SocketLimit(MAX_SOCKETS);
    const c = buildClientConfig(resolveClientSettings({ region: 'eu-west-1' }, keys), keys, { sockets });
    const options = await c.requestHandler.inner.configProvider;
    const httpAgent = await options.httpAgentProvider();
    const httpsAgent = await options.httpsAgent;
    assert.equal(httpAgent.keepAlive, true);
    assert.equal(httpsAgent.keepAlive, true);
    assert.deepEqual([httpAgent.maxSockets, httpsAgent.maxSockets], [50, 50]);
    sockets.set(128);
    assert.deepEqual([httpAgent.maxSockets, httpsAgent.maxSockets], [128, 128]);
    assert.equal(options.requestTimeout, 70000, 'the timeouts stay');
    c.requestHandler.destroy();
  });
});
