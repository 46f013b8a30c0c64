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

// s3rver knows one account; the tests sign with their own keys, which it then checks like S3 does.
AWSAccount.DUMMY_ACCOUNT.createKeyPair(KEYS.accessKeyId, KEYS.secretAccessKey);

async function startStore(buckets = ['results', 'inputs']) {
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
    client: new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials: KEYS, maxAttempts: 1,
      // the test's model writes a thousand results at once
      requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 2000 }) }) }),
    async put(uri, body, contentType) {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async get(uri) {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      const out = await store.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: Buffer.from(await out.Body.transformToByteArray()), contentType: out.ContentType };
    },
    /** requests from the node (not the test's own client), by method */
    count(method) {
      return log.filter((r) => !r.test && (!method || r.method === method)).length;
    },
    /** the most requests from the node in any one-second window */
    peakPerSecond() {
      const times = log.filter((r) => !r.test).map((r) => r.at).sort((a, b) => a - b);
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

module.exports = { startStore };
