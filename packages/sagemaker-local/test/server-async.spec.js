'use strict';
// Real async invocations in sagemaker-local, end to end with the SDK clients as a user's code would run them: upload
// the input with @aws-sdk/client-s3, InvokeEndpointAsync with InputLocation (or an inline body), poll HEAD until the
// output object appears, GET it. Failure objects for a model error, a missing input, InvocationTimeoutSeconds and
// RequestTTLSeconds; the names S3OutputPathExtension and Filename give; 1,000 jobs queued at once; and the
// configuration's checks of the "s3" and "async" sections.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { S3Client, PutObjectCommand, GetObjectCommand, HeadObjectCommand } = require('@aws-sdk/client-s3');
const { SageMakerRuntimeClient, InvokeEndpointAsyncCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { startLocal, startContainer, stopContainer } = require('./local');
const { startLocalServer, validateConfig, ConfigError, AsyncJobs, ObjectStore } = require('../dist');

const KEY = { accessKeyId: 'AKIAASYNCTEST0001', secretAccessKey: 'async-test-secret/not+real' };
const BUCKET = 'async-bucket';
const ASYNC = { outputPath: `s3://${BUCKET}/out/`, failurePath: `s3://${BUCKET}/failures/` };

async function start(endpoints) {
  const { local, lines } = await startLocal({ port: 0, credentials: [KEY], endpoints, s3: { buckets: [BUCKET] } });
  const clients = { region: 'us-east-1', endpoint: local.url, credentials: { ...KEY }, maxAttempts: 1 };
  return { local, lines, s3: new S3Client({ ...clients, forcePathStyle: true }), sm: new SageMakerRuntimeClient(clients) };
}

async function stop(ctx) {
  ctx.s3.destroy();
  ctx.sm.destroy();
  await ctx.local.close();
}

const keyOf = (location) => location.replace(`s3://${BUCKET}/`, '');

/** Polls HEAD on both locations until one object exists; resolves which one and its GET. */
async function waitForResult(ctx, res, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const [kind, location] of [['output', res.OutputLocation], ['failure', res.FailureLocation]]) {
      if (!location) continue;
      try {
        await ctx.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: keyOf(location) }));
      } catch (err) {
        if (err.name !== 'NotFound') throw err;
        continue;
      }
      const got = await ctx.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(location) }));
      return { kind, contentType: got.ContentType, text: await got.Body.transformToString() };
    }
    if (Date.now() > deadline) throw new Error(`no result at ${res.OutputLocation} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sagemaker-local: async invocations with results in its S3 API', function () {
  this.timeout(30000);
  let ctx;
  before(async () => {
    ctx = await start({ scorer: { model: 'demo', async: { ...ASYNC, delayMs: 200 } }, bare: { model: 'demo', async: { outputPath: `s3://${BUCKET}/bare` } } });
  });
  after(() => stop(ctx));

  const invoke = (input) => ctx.sm.send(new InvokeEndpointAsyncCommand({ EndpointName: 'scorer', ...input }));

  it('reads the input object, runs the model after the queue delay, and writes the output with its content type', async function () {
    await ctx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in/one.json', Body: '[{"series":"p","value":1},{"series":"p","value":3}]', ContentType: 'application/json' }));
    const started = Date.now();
    const res = await invoke({ InputLocation: `s3://${BUCKET}/in/one.json`, ContentType: 'application/json' });
    assert.match(res.InferenceId, /^[0-9a-f-]{36}$/);
    assert.equal(res.OutputLocation, `s3://${BUCKET}/out/${res.InferenceId}.out`);
    assert.equal(res.FailureLocation, `s3://${BUCKET}/failures/${res.InferenceId}-error.out`);
    const result = await waitForResult(ctx, res);
    assert.ok(Date.now() - started >= 200, 'not before the queue delay');
    assert.equal(result.kind, 'output');
    assert.equal(result.contentType, 'application/json');
    assert.deepEqual(JSON.parse(result.text).map((s) => [s.series, s.value, s.count]), [['p', 1, 0], ['p', 3, 1]]);
    assert.ok(ctx.lines.some((l) => l.startsWith(`async ${res.InferenceId} for scorer: output ${res.OutputLocation}`)));
  });

  it('answers CSV with CSV (Accept), takes the input object\'s own type when the call names none, and an inline body', async function () {
    await ctx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in/rows.csv', Body: 'c,1\nc,2\n', ContentType: 'text/csv' }));
    const csv = await waitForResult(ctx, await invoke({ InputLocation: `s3://${BUCKET}/in/rows.csv`, Accept: 'text/csv' }));
    assert.equal(csv.contentType, 'text/csv');
    assert.equal(csv.text.trim().split('\n').length, 2);
    const inline = await waitForResult(ctx, await invoke({ Body: '{"series":"i","value":5}', ContentType: 'application/json' }));
    assert.equal(inline.kind, 'output');
    assert.equal(JSON.parse(inline.text).value, 5);
  });

  it('writes a failure object saying what failed: the model\'s error, or an input object that does not exist', async function () {
    const bad = await waitForResult(ctx, await invoke({ Body: '{"series":"x","value":"hot"}', ContentType: 'application/json' }));
    assert.equal(bad.kind, 'failure');
    assert.equal(bad.contentType, 'text/plain; charset=utf-8');
    assert.match(bad.text, /^ModelError: Received client error \(400\).*value must be a finite number/);
    const missing = await waitForResult(ctx, await invoke({ InputLocation: `s3://${BUCKET}/in/never-uploaded.json` }));
    assert.equal(missing.kind, 'failure');
    assert.match(missing.text, /in\/never-uploaded\.json could not be read: NoSuchKey/);
    const otherBucket = await waitForResult(ctx, await invoke({ InputLocation: 's3://elsewhere/in.json' }));
    assert.match(otherBucket.text, /NoSuchBucket: bucket elsewhere is not served by this server/);
  });

  it('names the objects from S3OutputPathExtension, Filename and InferenceId', async function () {
    const res = await invoke({ Body: '1', ContentType: 'application/json', S3OutputPathExtension: 'run-7', Filename: 'result.json', InferenceId: 'inf-42' });
    assert.equal(res.InferenceId, 'inf-42');
    assert.equal(res.OutputLocation, `s3://${BUCKET}/out/run-7/result.json`);
    assert.equal(res.FailureLocation, `s3://${BUCKET}/failures/run-7/inf-42-error.out`);
    assert.equal((await waitForResult(ctx, res)).kind, 'output');
  });

  it('answers no FailureLocation for an endpoint without a failure path', async function () {
    const res = await ctx.sm.send(new InvokeEndpointAsyncCommand({ EndpointName: 'bare', Body: '2', ContentType: 'application/json' }));
    assert.equal(res.FailureLocation, undefined);
    assert.equal(res.OutputLocation, `s3://${BUCKET}/bare/${res.InferenceId}.out`);
    assert.equal((await waitForResult(ctx, res)).kind, 'output');
  });

  it('queues 100 calls over HTTP at once and writes each its own output', async function () {
    const jobs = ctx.local.asyncJobs.get('scorer');
    const calls = Array.from({ length: 100 }, (_, i) => invoke({ Body: JSON.stringify({ series: `h${i}`, value: i }), ContentType: 'application/json' }));
    const answers = await Promise.all(calls);
    const deadline = Date.now() + 20000;
    while (jobs.size.queued + jobs.size.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    answers.forEach((a, i) => assert.equal(JSON.parse(ctx.local.store.get(BUCKET, keyOf(a.OutputLocation)).body.toString()).series, `h${i}`));
  });
});

describe('sagemaker-local: async time limits', function () {
  this.timeout(30000);

  it('honours InvocationTimeoutSeconds with a model container that does not answer', async function () {
    const { child, url } = await startContainer();
    const ctx = await start({ box: { container: url, async: ASYNC } });
    try {
      const started = Date.now();
      const res = await ctx.sm.send(
        new InvokeEndpointAsyncCommand({ EndpointName: 'box', Body: '{}', ContentType: 'application/json', Accept: 'application/x-hang', InvocationTimeoutSeconds: 1 }),
      );
      const result = await waitForResult(ctx, res);
      const took = Date.now() - started;
      assert.equal(result.kind, 'failure');
      assert.match(result.text, /timed out/);
      assert.ok(took >= 1000 && took < 10000, `failed after the 1 s limit (${took} ms)`);
    } finally {
      await stop(ctx);
      await stopContainer(child);
    }
  });

  it('queues 1,000 jobs at once (one timer, at most maxConcurrentInvocations models running) and writes each its own output, in arrival order', async function () {
    const store = new ObjectStore({ buckets: [BUCKET] });
    const order = [];
    let running = 0;
    let most = 0;
    const model = async (req) => {
      order.push(req.headers['x-amzn-sagemaker-inference-id']);
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
      return { body: req.body, contentType: 'application/json' };
    };
    const jobs = new AsyncJobs({ endpointName: 'many', outputPath: `s3://${BUCKET}/out`, delayMs: 300, maxConcurrentInvocations: 8, model, store });
    const accepted = [];
    for (let i = 0; i < 1000; i++) {
      const headers = { 'x-amzn-sagemaker-inference-id': `job-${i}`, 'x-amzn-sagemaker-content-type': 'application/json' };
      accepted.push(jobs.accept({ operation: 'async', endpointName: 'many', headers, body: Buffer.from(`{"n":${i}}`), accessKeyId: KEY.accessKeyId }));
    }
    assert.deepEqual(jobs.size, { queued: 1000, running: 0 });
    const deadline = Date.now() + 20000;
    while (jobs.size.queued + jobs.size.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    accepted.forEach((a, i) => assert.equal(store.get(BUCKET, `out/job-${i}.out`).body.toString(), `{"n":${i}}`));
    assert.deepEqual(order, accepted.map((a) => a.inferenceId));
    assert.equal(most, 8, 'never more models at once than maxConcurrentInvocations');
    jobs.close();
  });

  it('fails a job that waited in the queue longer than its RequestTTLSeconds', async function () {
    const store = new ObjectStore({ buckets: [BUCKET] });
    let called = 0;
    const jobs = new AsyncJobs({ endpointName: 'ttl', ...ASYNC, outputPath: `s3://${BUCKET}/out`, failurePath: `s3://${BUCKET}/failures`, delayMs: 30, maxConcurrentInvocations: 1, model: () => (called++, { body: 'x' }), store });
    const accepted = jobs.accept({ operation: 'async', endpointName: 'ttl', headers: { 'x-amzn-sagemaker-requestttlseconds': '60' }, body: Buffer.from('1'), accessKeyId: KEY.accessKeyId });
    const realNow = Date.now;
    const base = realNow();
    Date.now = () => base + 61000; // the job is found 61 s later, past its 60 s
    try {
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      Date.now = realNow;
    }
    const failureKey = accepted.failureLocation.replace(`s3://${BUCKET}/`, '');
    assert.match(store.get(BUCKET, failureKey).body.toString(), /The request expired: it waited 61 s in the queue, longer than its RequestTTLSeconds/);
    assert.equal(called, 0, 'the model never ran');
    jobs.close();
  });
});

describe('sagemaker-local configuration: s3 and async', function () {
  const base = { credentials: [KEY], endpoints: { ep: { model: 'demo' } } };
  const message = (raw) => {
    try {
      validateConfig(raw, 'cfg.json');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
    throw new assert.AssertionError({ message: 'expected a ConfigError' });
  };

  it('reads the s3 and async sections with their defaults', function () {
    const c = validateConfig({ ...base, endpoints: { ep: { model: 'demo', async: { outputPath: 's3://b-1/out/' } } }, s3: { buckets: ['b-1'] } });
    assert.deepEqual(c.s3, { buckets: ['b-1'], maxObjectBytes: 64 * 1024 * 1024, maxTotalBytes: 512 * 1024 * 1024 });
    assert.deepEqual(c.endpoints.ep.async, { outputPath: 's3://b-1/out', delayMs: 0, maxConcurrentInvocations: 4 });
  });

  it('names the field and the rule of each mistake', function () {
    const cases = [
      [{ ...base, s3: [] }, /^cfg\.json: s3 must be an object like \{"buckets": \["my-bucket"\]\}/],
      [{ ...base, s3: { buckets: [] } }, /s3\.buckets must list at least one bucket name/],
      [{ ...base, s3: { buckets: ['Bad_Bucket'] } }, /s3\.buckets\[0\] must be a bucket name: 3 to 63 lower-case letters/],
      [{ ...base, s3: { buckets: ['endpoints'] } }, /s3\.buckets\[0\] cannot be "endpoints"/],
      [{ ...base, s3: { buckets: ['b-1', 'b-1'] } }, /s3\.buckets\[1\] is listed twice/],
      [{ ...base, s3: { buckets: ['b-1'], maxObjectBytes: 0 } }, /s3\.maxObjectBytes must be a whole number from 1/],
      [{ ...base, s3: { buckets: ['b-1'], region: 'x' } }, /s3\.region is not a known setting \(known: buckets, maxObjectBytes, maxTotalBytes\)/],
      [{ ...base, endpoints: { ep: { model: 'demo', async: {} } } }, /endpoints\.ep\.async\.outputPath must be a non-empty text/],
      [{ ...base, endpoints: { ep: { model: 'demo', async: { outputPath: 'https://x/y' } } } }, /endpoints\.ep\.async\.outputPath must be an S3 location like s3:\/\/my-bucket\/async-output\//],
      [{ ...base, endpoints: { ep: { model: 'demo', async: { outputPath: 's3://b-1/o', delayMs: -1 } } }, s3: { buckets: ['b-1'] } }, /endpoints\.ep\.async\.delayMs must be a whole number from 0 to 3600000/],
      [{ ...base, endpoints: { ep: { model: 'demo', async: { outputPath: 's3://b-1/o', maxConcurrentInvocations: 0 } } }, s3: { buckets: ['b-1'] } }, /maxConcurrentInvocations must be a whole number from 1 to 1000/],
      [{ ...base, endpoints: { ep: { container: 'http://127.0.0.1:1', async: { outputPath: 's3://b-1/o', S3OutputPath: 'x' } } }, s3: { buckets: ['b-1'] } }, /endpoints\.ep\.async\.S3OutputPath is not a known setting \(known: outputPath, failurePath, delayMs, maxConcurrentInvocations\)/],
      [{ ...base, endpoints: { ep: { model: 'demo', async: { outputPath: 's3://b-1/o' } } } }, /endpoints\.ep\.async\.outputPath names bucket "b-1", but there is no "s3": \{"buckets": \["b-1"\]\} section to serve it/],
      [{ ...base, endpoints: { ep: { model: 'demo', async: { outputPath: 's3://b-1/o', failurePath: 's3://b-2/f' } } }, s3: { buckets: ['b-1'] } }, /endpoints\.ep\.async\.failurePath names bucket "b-2", which s3\.buckets does not list \(b-1\)/],
    ];
    for (const [raw, pattern] of cases) assert.match(message(raw), pattern);
  });
});

describe('the sagemaker-local command with async endpoints', function () {
  this.timeout(30000);
  const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

  it('exits 2 naming the field of a bad async section', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagemaker-local-async-'));
    const file = path.join(dir, 'cfg.json');
    fs.writeFileSync(file, JSON.stringify({ credentials: [KEY], endpoints: { ep: { model: 'demo', async: { outputPath: 's3://nowhere/out' } } } }));
    const r = spawnSync(process.execPath, [CLI, '--config', file], { encoding: 'utf8', timeout: 20000 });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cfg\.json: endpoints\.ep\.async\.outputPath names bucket "nowhere", but there is no "s3": \{"buckets": \["nowhere"\]\} section to serve it/);
  });
});
