'use strict';
// mode async with asyncResult wait: the node uploads big inputs, waits for the result object and sends it out,
// against the wire-true SageMaker server and an S3-compatible store from npm (s3rver), with the real SDK clients.
// The "model" here is the test: it writes the output or failure object where the server said it would be.
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { helper, load, outcome, startServer, until, whileProgressing } = require('./harness');
const { startStore } = require('./s3-store');

const WAIT = { mode: 'async', asyncResult: 'wait' };

describe('sagemaker-invoke mode async, asyncResult wait', function () {
  this.timeout(60000);
  let server;
  let store;
  /** what the endpoint does with each accepted request: (id, headers, body) => void */
  let model;

  beforeEach(async function () {
    await new Promise((r) => helper.startServer(r));
    store = await startStore();
    model = () => undefined;
    server = await startServer(
      {
        ep: (req) => {
          const id = req.headers['x-amzn-sagemaker-inference-id'] || randomUUID();
          setImmediate(() => model(id, req.headers, req.body));
          return { accepted: true, inferenceId: id };
        },
      },
      { asyncOutputPrefix: 's3://results' },
    );
  });
  afterEach(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await server.close();
    await store.close();
  });

  const loadWait = (invoke = {}, config = {}) => load(server.url, { invoke: { ...WAIT, ...invoke }, config: { s3EndpointUrl: store.url, ...config } });
  const outputOf = (id) => `s3://results/ep/async-output/${id}.out`;
  const failureOf = (id) => `s3://results/ep/async-failures/${id}-error.out`;
  /** a model that answers after `ms` with `body` of `type` */
  const answers = (ms, body, type) => (id) => setTimeout(() => void store.put(outputOf(id), typeof body === 'function' ? body(id) : body, type), ms);

  it('sends an inline input and the JSON result comes out decoded, with where and how long it waited', async function () {
    model = answers(1500, '{"score":0.9}', 'application/json');
    const nodes = await loadWait();
    const { where, msg } = await outcome(nodes, { payload: { t: 21 }, inferenceId: 'job-1', topic: 'keep' }, 20000);
    assert.equal(where, 'out', msg.error?.message);
    assert.deepEqual(msg.payload, { score: 0.9 });
    assert.equal(msg.topic, 'keep');
    const m = msg.sagemaker;
    assert.equal(m.inferenceId, 'job-1');
    assert.equal(m.outputLocation, outputOf('job-1'));
    assert.equal(m.failureLocation, failureOf('job-1'));
    assert.equal(m.contentType, 'application/json');
    assert.equal(m.inputLocation, undefined);
    assert.ok(m.waitedMs >= 1000 && m.waitedMs < 15000, `waitedMs ${m.waitedMs}`);
    assert.ok(m.polls >= 2 && m.polls <= 6, `polls ${m.polls}`);
    assert.equal(server.requests[0].body.toString(), '{"t":21}');
    assert.equal(store.count('PUT'), 0);
  });

  it('decodes CSV as text and binary as a Buffer, by the object\'s Content-Type, and output json forces a parse', async function () {
    model = answers(200, '1,2\n3,4\n', 'text/csv');
    let nodes = await loadWait();
    let got = await outcome(nodes, { payload: 'a,b' }, 20000);
    assert.equal(got.where, 'out');
    assert.equal(got.msg.payload, '1,2\n3,4\n');
    await helper.unload();

    model = answers(200, Buffer.from([0, 1, 2, 255]), 'application/octet-stream');
    nodes = await loadWait();
    got = await outcome(nodes, { payload: 'x' }, 20000);
    assert.ok(Buffer.isBuffer(got.msg.payload));
    assert.deepEqual([...got.msg.payload], [0, 1, 2, 255]);
    await helper.unload();

    model = answers(200, '[1,2]', 'text/plain');
    nodes = await loadWait({ output: 'json' });
    got = await outcome(nodes, { payload: 'x' }, 20000);
    assert.deepEqual(got.msg.payload, [1, 2]);
  });

  it('uploads an input over 128,000 bytes to inputS3Uri and calls with its location', async function () {
    model = answers(300, (id) => JSON.stringify({ id }), 'application/json');
    const nodes = await loadWait({ inputS3Uri: 's3://inputs/node-red/' });
    const big = 'x'.repeat(200_000);
    const { where, msg } = await outcome(nodes, { payload: big, contentType: 'text/csv' }, 20000);
    assert.equal(where, 'out', msg.error?.message);
    const id = msg.payload.id;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(msg.sagemaker.inferenceId, id);
    assert.equal(msg.sagemaker.inputLocation, `s3://inputs/node-red/${id}.csv`);
    const req = server.requests[0];
    assert.equal(req.body.length, 0);
    assert.equal(req.headers['x-amzn-sagemaker-inputlocation'], `s3://inputs/node-red/${id}.csv`);
    assert.equal(req.headers['x-amzn-sagemaker-inference-id'], id);
    const uploaded = await store.get(`s3://inputs/node-red/${id}.csv`);
    assert.equal(uploaded.body.length, 200_000);
    assert.equal(uploaded.contentType, 'text/csv');
  });

  it('msg.inputS3Uri fills a blank node property; without one a big input fails naming the limit and inputS3Uri', async function () {
    model = answers(100, '{}', 'application/json');
    const nodes = await loadWait();
    const big = Buffer.alloc(130_000, 1);
    const ok = await outcome(nodes, { payload: big, inputS3Uri: 's3://inputs/from-msg/', inferenceId: 'big-1' }, 20000);
    assert.equal(ok.where, 'out', ok.msg.error?.message);
    assert.equal(ok.msg.sagemaker.inputLocation, 's3://inputs/from-msg/big-1.bin');
    const before = server.requests.length;
    const puts = store.count('PUT');
    const bad = await outcome(nodes, { payload: big });
    assert.equal(bad.where, 'caught');
    assert.match(bad.msg.error.message, /130000 bytes: an async call takes at most 128000 bytes inline; set inputS3Uri/);
    const shape = await outcome(nodes, { payload: big, inputS3Uri: 'bucket/prefix' });
    assert.equal(shape.where, 'caught');
    assert.match(shape.msg.error.message, /msg\.inputS3Uri must be an s3:\/\/bucket\/prefix\/ URI/);
    assert.equal(server.requests.length, before);
    assert.equal(store.count('PUT'), puts);
  });

  it('a failure object ends the message with its text as AsyncInferenceFailed', async function () {
    model = (id) => setTimeout(() => void store.put(failureOf(id), 'ClientError: the model could not read the input', 'text/plain'), 200);
    const nodes = await loadWait();
    const { where, msg } = await outcome(nodes, { payload: 'x', inferenceId: 'bad-1' }, 30000);
    assert.equal(where, 'caught');
    assert.match(msg.error.message, /The async inference bad-1 on endpoint ep failed: ClientError: the model could not read the input \(failure object s3:\/\/results\/ep\/async-failures\/bad-1-error\.out\)/);
    const e = msg.sagemaker.error;
    assert.equal(e.name, 'AsyncInferenceFailed');
    assert.equal(e.failureLocation, failureOf('bad-1'));
    assert.equal(msg.sagemaker.outputLocation, outputOf('bad-1'));
    assert.ok(msg.sagemaker.polls >= 2);
  });

  it('no result by asyncTimeout (or msg.asyncTimeout) ends AsyncTimeout naming both locations and the limit', async function () {
    const nodes = await loadWait();
    const { where, msg } = await outcome(nodes, { payload: 'x', inferenceId: 'slow-1', asyncTimeout: 2 }, 20000);
    assert.equal(where, 'caught');
    assert.equal(msg.sagemaker.error.name, 'AsyncTimeout');
    assert.match(msg.error.message, /within 2 s \(msg\.asyncTimeout\): nothing at s3:\/\/results\/ep\/async-output\/slow-1\.out nor at s3:\/\/results\/ep\/async-failures\/slow-1-error\.out/);
  });

  it('S3 errors during polls (503 SlowDown, 500, a reset connection) are retried at the next check, not fatal', async function () {
    model = answers(500, '{"ok":true}', 'application/json');
    let refused = 0;
    store.intercept = (req, res) => {
      if (req.headers['x-test-client'] || refused >= 4) return false;
      refused += 1;
      if (refused === 4) {
        req.socket.destroy();
        return true;
      }
      res.writeHead(refused === 2 ? 500 : 503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return true;
    };
    const nodes = await loadWait();
    const { where, msg } = await outcome(nodes, { payload: 'x' }, 30000);
    assert.equal(where, 'out', msg.error?.message);
    assert.deepEqual(msg.payload, { ok: true });
    assert.equal(refused, 4);
  });

  it('access denied and a missing bucket are fatal, with the permission or bucket named', async function () {
    store.intercept = (req, res) => {
      if (req.headers['x-test-client']) return false;
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return true;
    };
    let nodes = await loadWait();
    let got = await outcome(nodes, { payload: 'x', inferenceId: 'denied' }, 20000);
    assert.equal(got.where, 'caught');
    assert.equal(got.msg.sagemaker.error.name, 'AccessDeniedException');
    assert.match(got.msg.error.message, /S3 denied access to s3:\/\/results\/ep\/async-output\/denied\.out \(AccessDenied\).*s3:ListBucket/);
    await helper.unload();
    store.intercept = undefined;

    await server.close();
    server = await startServer({ ep: () => ({ accepted: true }) }, { asyncOutputPrefix: 's3://no-such-bucket' });
    nodes = await load(server.url, { invoke: WAIT, config: { s3EndpointUrl: store.url } });
    got = await outcome(nodes, { payload: 'x' }, 20000);
    assert.equal(got.where, 'caught');
    assert.equal(got.msg.sagemaker.error.name, 'NoSuchBucket');
    assert.match(got.msg.error.message, /The bucket of s3:\/\/no-such-bucket\/.* does not exist/);
  });

  it('on close every waiting message ends once with AbortError naming its output location', async function () {
    const nodes = await loadWait();
    const caught = [];
    nodes.caught.on('input', (m) => caught.push(m));
    for (let i = 0; i < 5; i++) nodes.n1.receive({ payload: 'x', inferenceId: `w-${i}` });
    await until(() => server.requests.length === 5, 'the five calls');
    await new Promise((r) => setTimeout(r, 200));
    await nodes.n1.close(false);
    // Node-RED reports each done(err) a tick later.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(caught.length, 5);
    for (const m of caught) {
      assert.equal(m.sagemaker.error.name, 'AbortError');
      assert.match(m.error.message, /closed \(redeploy or stop\) while the message waited for its async result: it will be written to s3:\/\/results\/ep\/async-output\/w-\d\.out/);
    }
  });

  it('maxWaiting: past it a message fails at once with QueueFull and nothing is sent', async function () {
    const nodes = await loadWait({ maxWaiting: 2 });
    nodes.n1.receive({ payload: 'a' });
    nodes.n1.receive({ payload: 'b' });
    const { where, msg } = await outcome(nodes, { payload: 'c' });
    assert.equal(where, 'caught');
    assert.equal(msg.sagemaker.error.name, 'QueueFull');
    assert.match(msg.error.message, /2 messages already wait for async results, the node's limit \(maxWaiting\)/);
    await until(() => server.requests.length === 2, 'two calls');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(server.requests.length, 2);
  });

  it('1,000 messages waiting at once: each gets its own result, S3 requests under the ceiling', async function () {
    // Under load the last waits can sit at the poll cap (30 s) behind the rate limit: the test waits for the work,
    // failing only when it stops moving (no result and no S3 check for a minute), not after a fixed time.
    this.timeout(0);
    // s3rver in its own process: the arrival times it records are not bunched by this busy event loop.
    await store.close();
    store = await startStore(undefined, { child: true });
    model = answers(2000, (id) => JSON.stringify({ id }), 'application/json');
    const nodes = await loadWait({ maxInFlight: 32, maxQueue: 2000 }, { s3MaxRequestRate: 100 });
    const got = new Map();
    nodes.out.on('input', (m) => got.set(m.n, m));
    const failed = [];
    nodes.caught.on('input', (m) => failed.push(m.error.message));
    for (let n = 0; n < 1000; n++) nodes.n1.receive({ payload: { n }, n, inferenceId: `m-${n}` });
    const service = nodes.c1.asyncResults;
    await whileProgressing(() => got.size + failed.length === 1000, () => got.size + failed.length + service.pollRequests, '1000 results', 60000).catch(async (err) => {
      throw new Error(`${err.message}: ${got.size} out, ${failed.length} failed, ${service.poller().size} waiting, ${service.poller().inFlight} checks in flight, ${service.pollRequests} checks made`);
    });
    assert.deepEqual(failed, []);
    await store.sync();
    for (const [n, m] of got) assert.equal(m.payload.id, `m-${n}`, JSON.stringify([m.payload, m.sagemaker]));
    const gets = store.count('GET');
    const peak = store.peakPerSecond();
    assert.ok(peak <= 100, `peak ${peak} S3 requests in one second`);
    assert.ok(gets / 1000 <= 10, `${gets / 1000} S3 requests per result`);
    this.test.title += ` (${(gets / 1000).toFixed(1)} requests per result, peak ${peak}/s)`;
  });
});
