'use strict';
const assert = require('node:assert/strict');
const { regionalBidiEndpoint, bidiEndpointFor, createBidiClient } = require('../../dist/bidi/client');
const { resolveClientSettings, buildClientConfig } = require('../../dist/config/client-config');
const { LazyBidiClient } = require('../../dist/bidi/client');
const { SageMakerRuntimeClient } = require('@aws-sdk/client-sagemaker-runtime');

const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

describe('bidi client: endpoint and settings', function () {
  it('uses the service model\'s regional endpoint on port 8443 (FIPS and dual-stack variants)', function () {
    assert.equal(regionalBidiEndpoint('eu-west-1'), 'https://runtime.sagemaker.eu-west-1.amazonaws.com:8443');
    assert.equal(regionalBidiEndpoint('us-east-1', { fips: true }), 'https://runtime-fips.sagemaker.us-east-1.amazonaws.com:8443');
    assert.equal(regionalBidiEndpoint('us-east-1', { dualStack: true }), 'https://runtime.sagemaker.us-east-1.api.aws:8443');
    assert.equal(regionalBidiEndpoint('cn-north-1'), 'https://runtime.sagemaker.cn-north-1.amazonaws.com.cn:8443');
  });

  it('bidiEndpointUrl wins; blank follows AWS_USE_FIPS_ENDPOINT', function () {
    assert.equal(bidiEndpointFor('eu-west-1', 'http://127.0.0.1:9000'), 'http://127.0.0.1:9000');
    assert.equal(bidiEndpointFor('eu-west-1', undefined, { AWS_USE_FIPS_ENDPOINT: 'true' }), 'https://runtime-fips.sagemaker.eu-west-1.amazonaws.com:8443');
    assert.equal(bidiEndpointFor('eu-west-1', undefined, {}), 'https://runtime.sagemaker.eu-west-1.amazonaws.com:8443');
  });

  it('the config node checks bidiEndpointUrl with a rule that names it', function () {
    assert.equal(resolveClientSettings({ region: 'eu-west-1' }, keys).bidiEndpointUrl, undefined);
    assert.equal(resolveClientSettings({ region: 'eu-west-1', bidiEndpointUrl: ' http://127.0.0.1:9000 ' }, keys).bidiEndpointUrl, 'http://127.0.0.1:9000');
    assert.throws(() => resolveClientSettings({ region: 'eu-west-1', bidiEndpointUrl: 'h2://x:1' }, keys),
      (e) => e.key === 'invalidField' && e.params.field === 'bidiEndpointUrl' && /http:\/\/ is HTTP\/2 without TLS/.test(e.params.rule));
  });

  it('makes an HTTP/2 client with one session per stream, one attempt and the event-signing handler', async function () {
    const client = createBidiClient({ region: 'eu-west-1', bidiEndpointUrl: 'http://127.0.0.1:9', timeout: 1234, credentials: keys });
    try {
      assert.equal(client.config.requestHandler.metadata.handlerProtocol, 'h2');
      assert.equal(await client.config.maxAttempts(), 1);
      assert.ok(client.config.eventStreamPayloadHandler, 'event-stream payload handler resolved');
      const handlerConfig = await client.config.requestHandler.inner.configProvider;
      assert.equal(handlerConfig.disableConcurrentStreams, true);
      assert.equal(handlerConfig.requestTimeout, 1234);
      assert.equal(client.config.endpointProvider({}).url.href, 'http://127.0.0.1:9/');
    } finally {
      client.destroy();
    }
  });

  it('routes through a CONNECT tunnel when a proxy applies, and passes TLS options otherwise', async function () {
    const proxied = createBidiClient({ region: 'eu-west-1', timeout: 1000, credentials: keys, proxyEnv: { https_proxy: 'http://proxy.example:3128' } });
    const direct = createBidiClient({ region: 'eu-west-1', timeout: 1000, credentials: keys, tls: { rejectUnauthorized: false },
      proxyEnv: { https_proxy: 'http://proxy.example:3128', no_proxy: '.amazonaws.com' } });
    try {
      const p = proxied.config.requestHandler.options;
      assert.equal(typeof p.nodeHttp2ConnectOptions.createConnection, 'function');
      const d = direct.config.requestHandler.options;
      assert.deepEqual(d.nodeHttp2ConnectOptions, { rejectUnauthorized: false });
    } finally {
      proxied.destroy();
      direct.destroy();
    }
  });

  it('the config node\'s bidi client is made once, on first use, with the SageMaker client\'s own credentials provider', async function () {
    const settings = resolveClientSettings({ region: 'eu-west-1', bidiEndpointUrl: 'http://127.0.0.1:9', timeout: '5000' }, keys);
    const main = new SageMakerRuntimeClient(buildClientConfig(settings, keys));
    const lazy = new LazyBidiClient(settings, {}, main.config.credentials);
    try {
      const bidi = lazy.get();
      assert.strictEqual(lazy.get(), bidi, 'one client');
      // The very provider object: an assumed role's session and cache are shared, not made twice.
      assert.strictEqual(bidi.config.credentials, main.config.credentials);
      assert.deepEqual(await bidi.config.credentials(), await main.config.credentials());
      assert.equal(await bidi.config.region(), 'eu-west-1');
      assert.equal(bidi.config.requestHandler.options.requestTimeout, 5000);
    } finally {
      lazy.destroy();
      main.destroy();
    }
  });
});
