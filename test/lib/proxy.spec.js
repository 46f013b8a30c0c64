'use strict';
const assert = require('node:assert/strict');
const { proxyEnvOfNode, proxyEnvOf, proxyForUrl, shouldProxy, proxyUrlWithAuth, proxyEnvSecrets, redactUrl } = require('../../dist/config/proxy');
const { RoutingHttpHandler, MAX_SOCKETS } = require('../../dist/config/http-handler');

const https = (hostname, port) => ({ protocol: 'https:', hostname, port });

describe('proxy: which requests go through which proxy (core HTTP request node rules)', function () {
  it('an http proxy node stands for its URL for both protocols and its no-proxy list', function () {
    const env = proxyEnvOfNode({ url: 'http://proxy.corp:3128', noproxy: ['.internal', 'vpce.local:443'] });
    assert.deepEqual(env, { no_proxy: '.internal,vpce.local:443', http_proxy: 'http://proxy.corp:3128', https_proxy: 'http://proxy.corp:3128' });
    assert.equal(proxyForUrl(https('runtime.sagemaker.eu-west-1.amazonaws.com'), env), 'http://proxy.corp:3128');
    assert.equal(proxyForUrl({ protocol: 'http:', hostname: 'x.example' }, env), 'http://proxy.corp:3128');
    assert.equal(proxyForUrl(https('api.internal'), env), '', 'suffix with a leading dot');
    assert.equal(proxyForUrl(https('vpce.local', 443), env), '', 'host with the matching port');
    assert.equal(proxyForUrl(https('vpce.local', 8443), env), 'http://proxy.corp:3128', 'another port still proxied');
  });
  it('refuses a proxy node without a usable URL', function () {
    assert.throws(() => proxyEnvOfNode({ url: '' }), (e) => e.key === 'invalidField' && e.params.field === 'proxy');
    assert.throws(() => proxyEnvOfNode({ url: 'socks5://p:1080' }), (e) => e.key === 'invalidField' && /http:\/\/ or https:\/\//.test(e.params.rule));
    assert.throws(() => proxyEnvOfNode({ url: 'http://u:secret@' }), (e) => !JSON.stringify(e.params).includes('secret'));
  });
  it('reads the environment like core: lower case first, npm_config_ and all_proxy too, and NO_PROXY', function () {
    assert.equal(proxyEnvOf({ PATH: '/bin', HOME: '/root' }), undefined, 'no proxy variables: no proxy');
    assert.equal(proxyEnvOf({ NO_PROXY: 'x' }), undefined, 'a no-proxy list alone is no proxy');
    const env = proxyEnvOf({ PATH: '/bin', HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'plain:3', NO_PROXY: '*.amazonaws.com' });
    assert.equal(env.PATH, undefined, 'only proxy variables are kept');
    assert.equal(proxyForUrl(https('sagemaker.example'), env), 'http://lower:2');
    assert.equal(proxyForUrl({ protocol: 'http:', hostname: 'x.example' }, env), 'http://plain:3', 'a scheme is added when missing');
    assert.equal(proxyForUrl(https('runtime.sagemaker.us-east-1.amazonaws.com'), env), '');
    assert.equal(proxyForUrl(https('a.example'), { all_proxy: 'http://all:4' }), 'http://all:4');
    assert.equal(proxyForUrl(https('a.example'), { npm_config_https_proxy: 'http://npm:5', https_proxy: 'http://env:6' }), 'http://npm:5');
  });
  it('NO_PROXY: exact hosts, suffixes, ports, and * for none', function () {
    assert.equal(shouldProxy('a.example.com', 443, { no_proxy: '' }), true);
    assert.equal(shouldProxy('a.example.com', 443, { no_proxy: '*' }), false);
    assert.equal(shouldProxy('a.example.com', 443, { no_proxy: 'example.com' }), true, 'no leading dot: exact host only');
    assert.equal(shouldProxy('example.com', 443, { no_proxy: 'example.com' }), false);
    assert.equal(shouldProxy('A.Example.com', 443, { NO_PROXY: 'other, .example.com' }), false);
    assert.equal(shouldProxy('127.0.0.1', 8443, { no_proxy: '127.0.0.1:443' }), true);
    assert.equal(shouldProxy('127.0.0.1', 443, { no_proxy: '127.0.0.1:443' }), false);
  });
  it('puts the node\'s user and password into the proxy URL, and keeps passwords out of messages', function () {
    const url = proxyUrlWithAuth('http://proxy.corp:3128', { username: 'me', password: 'p@ss:word' });
    assert.equal(url.username, 'me');
    assert.equal(decodeURIComponent(url.password), 'p@ss:word');
    assert.equal(proxyUrlWithAuth('http://u:p@proxy.corp:3128').password, 'p', 'a URL with its own user keeps it');
    assert.equal(redactUrl('http://me:p%40ss@proxy.corp:3128'), 'http://me:****@proxy.corp:3128');
    assert.equal(redactUrl('http://proxy.corp:3128'), 'http://proxy.corp:3128');
    assert.deepEqual(proxyEnvSecrets({ HTTPS_PROXY: 'http://me:p%40ss@proxy:1', NO_PROXY: 'x' }), ['p%40ss', 'p@ss']);
  });
  it('a routing handler sends each host its own way, with keep-alive agents under the SDK\'s socket limit', function () {
    const handler = new RoutingHttpHandler({ timeouts: { requestTimeout: 1000 }, proxyEnv: proxyEnvOfNode({ url: 'http://p:3128', noproxy: ['.local'] }) });
    assert.equal(handler.proxyFor(https('runtime.sagemaker.us-east-1.amazonaws.com')), 'http://p:3128');
    assert.equal(handler.proxyFor(https('vpce.local')), '');
    assert.equal(new RoutingHttpHandler({ timeouts: {} }).proxyFor(https('a.example')), '', 'no proxy settings: direct');
    for (const route of ['http://p:3128', '']) {
      const { httpAgent, httpsAgent } = handler.agentsFor(route);
      for (const agent of [httpAgent, httpsAgent]) {
        assert.equal(agent.keepAlive, true);
        assert.equal(agent.maxSockets, MAX_SOCKETS);
      }
      assert.equal(handler.agentsFor(route).httpsAgent, httpsAgent, 'made once per route');
    }
    assert.equal(handler.agentsFor('http://p:3128').httpsAgent.constructor.name, 'HttpsTunnelAgent');
    assert.equal(handler.httpHandlerConfigs().requestTimeout, 1000);
    handler.destroy();
  });
});
