'use strict';
// An S3-compatible store this project did not write (@20minutes/s3rver, from npm) for the async result tests: started
// on 127.0.0.1 on a free port with a fresh directory, checking SigV4 signatures with the tests' keys, and counting
// the requests it serves per second, so a test can hold the node's poller to its ceiling.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const S3rver = require('@20minutes/s3rver');
const AWSAccount = require('@20minutes/s3rver/lib/models/account');
const http = require('node:http');
const { S3Client, PutObjectCommand, GetObjectCommand } = require('@aws-sdk/client-s3');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const { KEYS } = require('./harness');

// s3rver knows one account; the tests sign with their own keys, which it then checks like S3 does. (The clients get
// copies of the keys: the SDK marks a credentials object it is given with where it came from.)
AWSAccount.DUMMY_ACCOUNT.createKeyPair(KEYS.accessKeyId, KEYS.secretAccessKey);

/**
 * With `{ child: true }` s3rver runs in a process of its own, behind a front process that only relays bytes and
 * notes when each request arrives, so the arrival times are bunched by neither this busy event loop (Node-RED and
 * the test's model) nor s3rver's: for the tests that hold the rate to its ceiling. The log is fetched with
 * `await store.sync()`; `intercept` is not available there.
 */
async function startStore(buckets = ['results', 'inputs'], { child = false } = {}) {
  if (child) return startStoreProcess(buckets);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const url = `http://127.0.0.1:${port}`;
  const log = [];
  const store = {
    url,
    log,
    /** set to a function (req, res) that answers instead of s3rver (true when it did) */
    intercept: undefined,
    client: new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials: { ...KEYS }, maxAttempts: 1,
      // the test's model writes a thousand results at once
      requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 2000 }) }) }),
    async put(uri, body, contentType) {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async get(uri) {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: Buffer.from(await out.Body.transformToByteArray()), contentType: out.ContentType };
    },
    /** brings `log` up to date (a store in another process) */
    async sync() {},
    /** requests from the node (not the test's own client), by method */
    count(method) {
      return this.log.filter((r) => !r.test && (!method || r.method === method)).length;
    },
    /** the most requests from the node in any one-second window */
    peakPerSecond() {
      const times = this.log.filter((r) => !r.test).map((r) => r.at).sort((a, b) => a - b);
      let peak = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i] - times[j] >= 1000) j++;
        peak = Math.max(peak, i - j + 1);
      }
      return peak;
    },
    async close() {
      store.client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
  // Count (and maybe answer) each request before s3rver sees it.
  const listeners = server.httpServer.listeners('request');
  server.httpServer.removeAllListeners('request');
  // S3 makes an object visible only once it is whole; s3rver writes it to disk as it comes, so a GET during a PUT
  // could read half of it. Until a PUT has been answered, its key is missing here, as on S3.
  const writing = new Set();
  server.httpServer.on('request', (req, res) => {
    const test = req.headers['x-test-client'] !== undefined;
    log.push({ method: req.method, url: req.url, at: performance.now(), test });
    if (store.intercept && store.intercept(req, res)) return;
    const key = req.url.split('?')[0];
    if (req.method === 'PUT') {
      writing.add(key);
      res.on('close', () => writing.delete(key));
    } else if (writing.has(key)) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
      return;
    }
    for (const l of listeners) l.call(server.httpServer, req, res);
  });
  // The test's own requests are marked, so counts are the node's.
  store.client.middlewareStack.add((next) => (args) => {
    args.request.headers['x-test-client'] = '1';
    return next(args);
  }, { step: 'build' });
  return store;
}

/** Forks this file in a role; resolves the process and its first message. */
function forkRole(args) {
  const { fork } = require('node:child_process');
  const proc = fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${args[0]} process exited with ${code}`)));
    proc.once('message', (first) => resolve({ proc, first }));
  });
}

/** Asks a child for something over IPC. */
function ask(proc, what) {
  return new Promise((resolve) => {
    proc.once('message', resolve);
    proc.send(what);
  });
}

/**
 * The parent's side of a store in a child process, behind a front in a third process that only relays bytes and
 * notes when each request arrives: the node's requests go through the front (their count and times are its log),
 * the test's own client goes to the store directly.
 */
async function startStoreProcess(buckets) {
  const store = await forkRole(['--child', buckets.join(',')]);
  const front = await forkRole(['--front', String(new URL(store.first.url).port)]);
  // An in-process store lends its methods (put, get, count, peakPerSecond read this.client and this.log).
  const local = await startStore(buckets);
  await local.close();
  const client = new S3Client({ region: 'us-east-1', endpoint: store.first.url, forcePathStyle: true, credentials: { ...KEYS }, maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 2000 }) }) });
  const remote = Object.assign(Object.create(local), {
    url: front.first.url,
    client,
    log: [],
    async sync() {
      const { log } = await ask(front.proc, 'log');
      remote.log.splice(0, remote.log.length, ...log);
    },
    async close() {
      client.destroy();
      for (const { proc } of [front, store]) {
        await new Promise((resolve) => {
          proc.once('exit', resolve);
          proc.send('close');
        });
      }
    },
  });
  return remote;
}

/** The front: relays each connection to the store, logging the time each request's first bytes arrive. */
function runFront(targetPort) {
  const net = require('node:net');
  const log = [];
  const server = net.createServer((socket) => {
    const target = net.connect(Number(targetPort), '127.0.0.1');
    socket.on('data', (chunk) => {
      const m = /^(GET|HEAD|PUT|POST|DELETE) /.exec(chunk.toString('latin1', 0, 8));
      if (m) log.push({ method: m[1], at: performance.now(), test: false });
    });
    socket.pipe(target).pipe(socket);
    socket.on('error', () => target.destroy());
    target.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  process.on('message', (m) => {
    if (m === 'log') process.send({ log });
    else if (m === 'close') process.exit(0);
  });
}

if (require.main === module && process.argv[2] === '--child') {
  startStore(process.argv[3].split(',')).then((store) => {
    process.send({ url: store.url });
    process.on('message', async (m) => {
      if (m === 'close') {
        await store.close();
        process.exit(0);
      }
    });
  });
} else if (require.main === module && process.argv[2] === '--front') {
  runFront(process.argv[3]);
}

module.exports = { startStore };
