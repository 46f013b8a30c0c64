'use strict';
// asyncResult wait end to end against sagemaker-local: its real async invocations (queued, the demo model run later)
// and its S3 API on the same port, which checks every S3 request's signature like every SageMaker one.
const assert = require('node:assert/strict');
const { helper, load, outcome, KEYS } = require('./harness');
const { startLocalServer, validateConfig } = require('sagemaker-local');

describe('sagemaker-invoke asyncResult wait against sagemaker-local', function () {
  this.timeout(60000);
  let local;
  let lines;

  beforeEach(async function () {
    await new Promise((r) => helper.startServer(r));
    lines = [];
    const config = validateConfig({
      port: 0,
      credentials: [KEYS],
      endpoints: {
        sensors: { model: 'demo', async: { outputPath: 's3://demo/async-output/', failurePath: 's3://demo/async-failures/', delayMs: 1500 } },
      },
      s3: { buckets: ['demo', 'inputs'] },
    });
    local = await startLocalServer(config, { log: (l) => lines.push(l) });
  });
  afterEach(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await local.close();
  });

  const loadWait = (invoke = {}) =>
    load(local.url, { invoke: { mode: 'async', asyncResult: 'wait', endpointName: 'sensors', ...invoke }, config: { s3EndpointUrl: local.url } });

  it('an inline reading comes back scored, JSON decoded, about delayMs later', async function () {
    const nodes = await loadWait();
    const { where, msg } = await outcome(nodes, { payload: { series: 'pump-1', value: 21 }, inferenceId: 'r-1' }, 30000);
    assert.equal(where, 'out', msg.error?.message);
    assert.deepEqual(msg.payload, { series: 'pump-1', value: 21, count: 0, mean: null, stdDev: null, zScore: null, anomaly: false });
    assert.equal(msg.sagemaker.outputLocation, 's3://demo/async-output/r-1.out');
    assert.equal(msg.sagemaker.contentType, 'application/json');
    assert.ok(msg.sagemaker.waitedMs >= 1000, `waitedMs ${msg.sagemaker.waitedMs}`);
  });

  it('CSV in, CSV out as text', async function () {
    const nodes = await loadWait({ contentType: 'text/csv' });
    const { where, msg } = await outcome(nodes, { payload: 'a,1\na,3\n' }, 30000);
    assert.equal(where, 'out', msg.error?.message);
    assert.equal(msg.payload, 'a,1,0,,,,false\na,3,1,1,,,false\n');
  });

  it('a big input is uploaded to inputS3Uri, read by the endpoint from there, and scored', async function () {
    const nodes = await loadWait({ inputS3Uri: 's3://inputs/node-red/' });
    const readings = Array.from({ length: 4000 }, (_, i) => ({ series: 'big', value: i % 10, note: 'padding-to-pass-the-inline-limit' }));
    const { where, msg } = await outcome(nodes, { payload: readings, inferenceId: 'big-1' }, 30000);
    assert.equal(where, 'out', msg.error?.message);
    assert.equal(msg.sagemaker.inputLocation, 's3://inputs/node-red/big-1.json');
    assert.equal(msg.payload.length, 4000);
    assert.equal(msg.payload[3999].count, 3999);
  });

  it("the model's failure comes back as AsyncInferenceFailed with the failure object's text", async function () {
    const nodes = await loadWait();
    const { where, msg } = await outcome(nodes, { payload: { series: 'p', value: 'hot' }, inferenceId: 'bad-1' }, 30000);
    assert.equal(where, 'caught');
    assert.equal(msg.sagemaker.error.name, 'AsyncInferenceFailed');
    assert.equal(msg.sagemaker.error.failureLocation, 's3://demo/async-failures/bad-1-error.out');
    assert.match(msg.error.message, /failed: .*reading\.value must be a finite number/);
  });

  it('a redeploy ends waiting messages with AbortError naming their output location', async function () {
    const nodes = await loadWait();
    const caught = [];
    nodes.caught.on('input', (m) => caught.push(m));
    nodes.n1.receive({ payload: { value: 1 }, inferenceId: 'w-1' });
    // The call is answered at once; the result would come after delayMs (1.5 s).
    await new Promise((r) => setTimeout(r, 500));
    await nodes.n1.close(false);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(caught.length, 1);
    assert.equal(caught[0].sagemaker.error.name, 'AbortError');
    assert.match(caught[0].error.message, /written to s3:\/\/demo\/async-output\/w-1\.out/);
  });
});
