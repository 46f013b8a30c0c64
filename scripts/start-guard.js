'use strict';
// What keeps `npm start` (scripts/start.js) from touching a Node-RED it did not start:
// - portInUse: whether something already listens on a port, checked before anything starts or is sent (a connect
//   that sends no byte, then a bind: on macOS a bind to 127.0.0.1 can succeed beside a wildcard listener);
// - the run token: start.js gives its Node-RED a random token in the environment, and the settings it writes make
//   Node-RED answer every admin request with that token and its own process id (RUN_HEADER);
// - pinnedAdmin: the admin API over ONE TCP connection, proven first: /settings must answer with the token and the
//   child's pid, and the deploy then goes over that same connection; the connection is never re-opened, so a
//   request cannot land on another server that took the port meanwhile.
const crypto = require('node:crypto');
const http = require('node:http');
const net = require('node:net');

const RUN_ENV = 'SAGEMAKER_START_RUN_TOKEN';
const RUN_HEADER = 'x-sagemaker-start-run';

/** Resolves true when something listens on host:port (or the port cannot be bound there), false when it is free. */
async function portInUse(port, host = '127.0.0.1') {
  const answered = await new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (value) => { socket.destroy(); resolve(value); };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
  if (answered) return true;
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err) => resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

const newRunToken = () => crypto.randomBytes(18).toString('base64url');

/** The settings.js line that makes Node-RED name its run (read from the environment: the file stays the same). */
const runHeaderMiddleware = `httpAdminMiddleware: (req, res, next) => {
    // npm start checks this before it deploys, so it never deploys to a Node-RED it did not start.
    res.setHeader('${RUN_HEADER}', \`\${process.env.${RUN_ENV} || ''} \${process.pid}\`);
    next();
  },`;

/**
 * The admin API at 127.0.0.1:port over a single connection that is never re-opened. `prove(token, pid)` resolves
 * when /settings answers with both; `request(...)` then talks to that same process.
 */
function pinnedAdmin(port) {
  let opened = false;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  agent.createConnection = (options, callback) => {
    if (opened) {
      callback(new Error(`the connection to Node-RED on port ${port} closed; npm start does not open another`));
      return undefined;
    }
    opened = true;
    return net.connect({ port, host: '127.0.0.1' });
  };
  const request = (method, path, body, headers = {}) => new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({
      agent, host: '127.0.0.1', port, method, path,
      headers: { 'Node-RED-API-Version': 'v2', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // A server that accepts and never answers is not Node-RED starting up (it listens only once it is ready).
    req.setTimeout(15000, () => req.destroy(Object.assign(new Error(`no answer on port ${port} in 15 s`), { code: 'ETIMEDOUT' })));
    req.end(data);
  });
  return {
    request,
    /** Throws unless the process answering is the one that holds `token` and has `pid`. */
    async prove(token, pid) {
      const res = await request('GET', '/settings');
      const [gotToken, gotPid] = String(res.headers[RUN_HEADER] || '').split(' ');
      if (res.status !== 200 || gotToken !== token || Number(gotPid) !== pid) {
        throw Object.assign(new Error(`port ${port} is in use: something else answers there, not the Node-RED npm start started, `
          + 'so nothing was deployed to it; set PORT to a free port'), { code: 'FOREIGN_SERVER' });
      }
    },
    close: () => agent.destroy(),
  };
}

module.exports = { RUN_ENV, RUN_HEADER, portInUse, newRunToken, runHeaderMiddleware, pinnedAdmin };
