'use strict';
// A forward proxy for tests: HTTP CONNECT tunnels only (TLS stays end to end), Basic authentication required when
// a user is set, and a record of every tunnel asked for, so tests can count them per target.
const http = require('node:http');
const net = require('node:net');

class ConnectProxy {
  /** @param {{ username?: string, password?: string }} [auth] */
  constructor(auth = {}) {
    this.auth = auth.username !== undefined ? `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}` : undefined;
    /** every CONNECT asked for: { target: 'host:port', status } */
    this.connects = [];
    this.sockets = new Set();
    this.server = http.createServer((req, res) => {
      res.writeHead(405, { 'Content-Type': 'text/plain' });
      res.end('only CONNECT tunnels here');
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('connect', (req, client, head) => this.connect(req, client, head));
  }

  connect(req, client, head) {
    const entry = { target: req.url, status: 0 };
    this.connects.push(entry);
    client.on('error', () => {});
    if (this.auth !== undefined && req.headers['proxy-authorization'] !== this.auth) {
      entry.status = 407;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const m = /^(.+):(\d+)$/.exec(req.url || '');
    if (!m) {
      entry.status = 400;
      client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(m[2]), m[1].replace(/^\[|\]$/g, ''), () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => {
      if (!entry.status) {
        entry.status = 502;
        client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      } else client.destroy();
    });
    client.on('close', () => upstream.destroy());
  }

  /** Tunnels opened (answered 200) to a target 'host:port', or to any target. */
  tunnels(target) {
    return this.connects.filter((c) => c.status === 200 && (target === undefined || c.target === target)).length;
  }

  refused() {
    return this.connects.filter((c) => c.status === 407).length;
  }

  listen() {
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => {
        this.url = `http://127.0.0.1:${this.server.address().port}`;
        resolve(this.url);
      });
    });
  }

  close() {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}

module.exports = { ConnectProxy };
