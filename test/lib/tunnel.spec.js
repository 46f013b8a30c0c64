'use strict';
// Our own CONNECT tunnel (src/config/tunnel.ts), driven over real sockets on 127.0.0.1: the tests' CONNECT proxy,
// plain and TLS HTTP/1.1 targets signed by the tests' company CA, and HTTP/2 servers (TLS with ALPN h2, and h2c).
const assert = require('node:assert/strict');
const http = require('node:http');
const https = require('node:https');
const http2 = require('node:http2');
const net = require('node:net');
const { once } = require('node:events');
const {
  openTunnel, TunnelError, HttpTunnelAgent, HttpsTunnelAgent, http2ConnectOptionsThroughProxy, refusedTunnelFlowError,
} = require('../../dist/config/tunnel');
const { NodeHttp2Handler } = require('@smithy/node-http-handler');
const { ConnectProxy } = require('../workspace').testServer('connect-proxy');
const { makeCerts } = require('../workspace').testServer('certs');

const USER = 'gateway';
const PASSWORD = 'p@ss:w0rd-not-to-show';

/** Listens on 127.0.0.1; resolves the port. */
async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

/** GET through an agent; resolves { status, body }. */
function get(mod, url, agent, options = {}) {
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { agent, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}

/** One HTTP/2 GET on a session; resolves { status, body } or rejects with the stream's error. */
function h2get(session, path = '/') {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => (status = headers[':status']));
    stream.setEncoding('utf8');
    stream.on('data', (c) => (body += c));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
  });
}

const hostPort = (port) => `127.0.0.1:${port}`;

describe('tunnel: our own CONNECT tunnel for HTTP/1.1 agents and HTTP/2', function () {
  let certs;
  let proxy; // no authentication
  let authProxy; // Basic authentication required
  let plain; // HTTP/1.1
  let secure; // HTTPS/1.1, signed by the company CA
  let h2; // HTTP/2 over TLS
  let h2c; // HTTP/2 in the clear
  const ports = {};
  const answer = (name) => (req, res) => res.end(`${name} ${req.url}`);
  const h2answer = (name) => (stream, headers) => {
    stream.respond({ ':status': 200 });
    stream.end(`${name} ${headers[':path']}`);
  };

  before(async function () {
    certs = makeCerts();
    const tls = { key: certs.serverKey, cert: certs.serverCert };
    plain = http.createServer(answer('plain'));
    secure = https.createServer(tls, answer('secure'));
    h2 = http2.createSecureServer(tls);
    h2.on('stream', h2answer('h2'));
    h2c = http2.createServer();
    h2c.on('stream', h2answer('h2c'));
    [ports.plain, ports.secure, ports.h2, ports.h2c] = await Promise.all([plain, secure, h2, h2c].map(listen));
    proxy = new ConnectProxy();
    authProxy = new ConnectProxy({ username: USER, password: PASSWORD });
    await Promise.all([proxy.listen(), authProxy.listen()]);
  });

  after(async function () {
    for (const server of [plain, secure, h2, h2c]) {
      server.closeAllConnections?.();
      server.close();
    }
    await Promise.all([proxy.close(), authProxy.close()]);
    certs.remove();
  });

  const withAuth = (url, user = USER, password = PASSWORD) => url.replace('http://', `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`);

  it('carries plain HTTP/1.1 through a CONNECT tunnel, and keep-alive reuses the tunnel', async function () {
    const agent = new HttpTunnelAgent({ keepAlive: true, maxSockets: 50, proxy: proxy.url });
    const before = proxy.tunnels(hostPort(ports.plain));
    for (const path of ['/a', '/b', '/c']) {
      assert.deepEqual(await get(http, `http://127.0.0.1:${ports.plain}${path}`, agent), { status: 200, body: `plain ${path}` });
    }
    assert.equal(proxy.tunnels(hostPort(ports.plain)) - before, 1, 'one tunnel for three requests');
    agent.destroy();
  });

  it('runs TLS end to end inside the tunnel, trusting the company CA, and fails without it', async function () {
    const agent = new HttpsTunnelAgent({ keepAlive: true, proxy: withAuth(authProxy.url), ca: certs.ca });
    assert.deepEqual(await get(https, `https://127.0.0.1:${ports.secure}/x`, agent), { status: 200, body: 'secure /x' });
    assert.equal(authProxy.tunnels(hostPort(ports.secure)), 1);
    agent.destroy();
    const untrusting = new HttpsTunnelAgent({ proxy: proxy.url });
    await assert.rejects(get(https, `https://127.0.0.1:${ports.secure}/`, untrusting), (err) => /certificate/i.test(err.message));
    untrusting.destroy();
  });

  it('tunnels HTTP/2 over TLS (ALPN h2) for http2.connect, with a fixed target or the URL it is given', async function () {
    const url = `https://127.0.0.1:${ports.h2}`;
    for (const target of [undefined, url]) {
      const session = http2.connect(url, http2ConnectOptionsThroughProxy(withAuth(authProxy.url), target, { ca: certs.ca }));
      try {
        assert.deepEqual(await h2get(session, '/one'), { status: 200, body: 'h2 /one' });
        assert.deepEqual(await h2get(session, '/two'), { status: 200, body: 'h2 /two' }, 'streams share the session');
        assert.equal(session.alpnProtocol, 'h2');
      } finally {
        session.close();
      }
    }
    assert.equal(authProxy.tunnels(hostPort(ports.h2)), 2, 'one tunnel per session');
  });

  it('serves the SDK\'s NodeHttp2Handler as its nodeHttp2ConnectOptions, and a refusal reaches its caller', async function () {
    const request = (path) => ({ protocol: 'https:', hostname: '127.0.0.1', port: ports.h2, method: 'GET', path, query: {}, headers: {} });
    const handler = new NodeHttp2Handler({ nodeHttp2ConnectOptions: http2ConnectOptionsThroughProxy(withAuth(authProxy.url), undefined, { ca: certs.ca }) });
    const before = authProxy.tunnels(hostPort(ports.h2));
    try {
      for (const path of ['/sdk1', '/sdk2']) {
        const { response } = await handler.handle(request(path));
        assert.equal(response.statusCode, 200);
        let body = '';
        for await (const chunk of response.body) body += chunk;
        assert.equal(body, `h2 ${path}`);
      }
      assert.equal(authProxy.tunnels(hostPort(ports.h2)) - before, 1, 'the handler keeps its session');
    } finally {
      handler.destroy();
    }
    const refused = new NodeHttp2Handler({ nodeHttp2ConnectOptions: http2ConnectOptionsThroughProxy(authProxy.url, undefined, { ca: certs.ca }) });
    try {
      const err = await refused.handle(request('/no')).then(() => assert.fail('no error'), (e) => e);
      assert.equal(refusedTunnelFlowError(err, authProxy.url)?.key, 'proxyAuthFailed', `${err.code}: ${err.message}`);
    } finally {
      refused.destroy();
    }
  });

  it('tunnels h2c (HTTP/2 in the clear), whose server speaks first', async function () {
    const session = http2.connect(`http://127.0.0.1:${ports.h2c}`, http2ConnectOptionsThroughProxy(proxy.url));
    try {
      assert.deepEqual(await h2get(session, '/clear'), { status: 200, body: 'h2c /clear' });
    } finally {
      session.close();
    }
  });

  it('a CONNECT refused for the credentials names the proxy and its status, never the password', async function () {
    const agent = new HttpTunnelAgent({ proxy: withAuth(authProxy.url, USER, 'wrong-secret') });
    const err = await get(http, `http://127.0.0.1:${ports.plain}/`, agent).then(() => assert.fail('no error'), (e) => e);
    assert.ok(err instanceof TunnelError);
    assert.equal(err.status, 407);
    assert.equal(err.message, `The proxy ${authProxy.url} answered status 407 to CONNECT ${hostPort(ports.plain)}`);
    assert.ok(!err.message.includes('wrong-secret'));
    const flow = refusedTunnelFlowError(err, withAuth(authProxy.url, USER, 'wrong-secret'));
    assert.equal(flow.key, 'proxyAuthFailed');
    assert.deepEqual(flow.params, { proxy: withAuth(authProxy.url, USER, '****').replace('%2A%2A%2A%2A', '****'), status: 407, target: hostPort(ports.plain) });
    assert.equal(refusedTunnelFlowError(new Error('other'), authProxy.url), undefined);
    agent.destroy();
    // Without any credentials: the same 407.
    const bare = new HttpsTunnelAgent({ proxy: authProxy.url, ca: certs.ca });
    await assert.rejects(get(https, `https://127.0.0.1:${ports.secure}/`, bare), (e) => e.status === 407);
    bare.destroy();
  });

  it('a CONNECT refused for another reason (the target is down: 502) is a proxyRefused', async function () {
    const closed = net.createServer();
    const port = await listen(closed);
    closed.close();
    const err = await new Promise((resolve) => openTunnel({ proxy: proxy.url }, { host: '127.0.0.1', port }, resolve));
    assert.equal(err.status, 502);
    assert.equal(refusedTunnelFlowError(err, proxy.url).key, 'proxyRefused');
  });

  it('HTTP/2: a refused CONNECT fails the stream with the TunnelError as its cause', async function () {
    const session = http2.connect(`https://127.0.0.1:${ports.h2}`, http2ConnectOptionsThroughProxy(authProxy.url, undefined, { ca: certs.ca }));
    session.on('error', () => undefined);
    const err = await h2get(session).then(() => assert.fail('no error'), (e) => e);
    const flow = refusedTunnelFlowError(err, authProxy.url);
    assert.equal(flow?.key, 'proxyAuthFailed', `${err.code}: ${err.message}`);
    assert.match(err.message, /answered status 407 to CONNECT/);
    session.destroy();
  });

  it('gives up on a proxy that never answers after the connect timeout (ETIMEDOUT), for agents and HTTP/2', async function () {
    const silent = net.createServer((socket) => socket.on('error', () => undefined));
    const port = await listen(silent);
    const silentUrl = `http://127.0.0.1:${port}`;
    try {
      const err = await new Promise((resolve) => openTunnel({ proxy: silentUrl, timeout: 150 }, { host: 'example.test', port: 443 }, resolve));
      assert.equal(err.code, 'ETIMEDOUT');
      assert.equal(err.message, `The proxy ${silentUrl} did not open the tunnel to example.test:443 within 150 ms`);
      const agent = new HttpTunnelAgent({ proxy: silentUrl, tunnelTimeout: 150 });
      await assert.rejects(get(http, 'http://example.test/', agent), (e) => e.code === 'ETIMEDOUT');
      agent.destroy();
      const session = http2.connect('https://example.test', http2ConnectOptionsThroughProxy(silentUrl, undefined, {}, 150));
      session.on('error', () => undefined);
      await assert.rejects(h2get(session), (e) => (e.cause ?? e).code === 'ETIMEDOUT');
      session.destroy();
    } finally {
      silent.close();
    }
  });

  it('a proxy that is down gives the network\'s code and names the proxy', async function () {
    const closed = net.createServer();
    const port = await listen(closed);
    closed.close();
    const err = await new Promise((resolve) => openTunnel({ proxy: `http://u:pw-secret@127.0.0.1:${port}` }, { host: 'h.test', port: 443 }, resolve));
    assert.equal(err.code, 'ECONNREFUSED');
    assert.match(err.message, new RegExp(`^The proxy http://127\\.0\\.0\\.1:${port} could not be reached for the tunnel to h\\.test:443: `));
    assert.ok(!err.message.includes('pw-secret'));
  });

  it('reaches an https:// proxy with the company CA, then TLS to the target inside', async function () {
    const tlsProxy = new ConnectProxy();
    // The test proxy takes no TLS options of its own; the listener it extends does.
    Object.assign(tlsProxy, { tls: { key: certs.serverKey, cert: certs.serverCert } });
    await tlsProxy.listen();
    try {
      assert.match(tlsProxy.url, /^https:/);
      const agent = new HttpsTunnelAgent({ proxy: tlsProxy.url, ca: certs.ca });
      assert.deepEqual(await get(https, `https://127.0.0.1:${ports.secure}/p`, agent), { status: 200, body: 'secure /p' });
      agent.destroy();
      const session = http2.connect(`https://localhost:${ports.h2}`, http2ConnectOptionsThroughProxy(tlsProxy.url, undefined, { ca: certs.ca }));
      assert.deepEqual(await h2get(session, '/q'), { status: 200, body: 'h2 /q' });
      session.close();
      assert.equal(tlsProxy.tunnels(), 2);
    } finally {
      await tlsProxy.close();
    }
  });
});
