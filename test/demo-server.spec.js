'use strict';
// The demo of `npm start` against sagemaker-local, the server package of this workspace: the demo's server
// configuration (demo/sagemaker-local.json) run by the `sagemaker-local` command, and the invoke node's CSV batch
// writer (src/invoke/batch.ts) read by the demo model. Only these tests join the two packages; neither imports the
// other's code.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const { SageMakerRuntimeClient, InvokeEndpointCommand, InvokeEndpointAsyncCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { parseReadings, startLocalServer, validateConfig } = require('sagemaker-local');
const { serverRoot } = require('./workspace');
const { encodeRow, framing, assemble } = require('../dist/invoke/batch');

const KEY = { accessKeyId: 'AKIALOCALTEST0001', secretAccessKey: 'local-test-secret/not+real' };
const CLI = path.join(serverRoot, require('sagemaker-local/package.json').bin['sagemaker-local']);

describe("the sagemaker-local command with the demo's configuration", function () {
  this.timeout(30000);

  it("runs the demo's configuration: an async call's output lands in its bucket seconds later", async function () {
    const demo = path.join(__dirname, '..', 'demo', 'sagemaker-local.json');
    const { credentials } = JSON.parse(fs.readFileSync(demo, 'utf8'));
    const child = spawn(process.execPath, [CLI, '--config', demo, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const until = async (re) => {
      while (!re.test(out)) {
        if (child.exitCode !== null) throw new Error(`sagemaker-local exited:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return re.exec(out);
    };
    try {
      const url = (await until(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
      await until(/S3 buckets \(path style, .*\): sagemaker-local-demo/);
      assert.match(out, /sensor-anomaly-async -> the built-in demo model.*; async results to s3:\/\/sagemaker-local-demo\/async-output\/, failures to s3:\/\/sagemaker-local-demo\/async-failures\//);
      const sm = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: url, credentials: credentials[0], maxAttempts: 1 });
      const res = await sm.send(new InvokeEndpointAsyncCommand({ EndpointName: 'sensor-anomaly-async', Body: '{"series":"demo","value":1}', ContentType: 'application/json' }));
      sm.destroy();
      await until(new RegExp(`async ${res.InferenceId} for sensor-anomaly-async: output ${res.OutputLocation.replace(/[.]/g, '\\.')} \\(\\d+ bytes\\), \\d+ ms after \\d+ ms in the queue`));
      const s3 = new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials: credentials[0], maxAttempts: 1 });
      const got = await s3.send(new GetObjectCommand({ Bucket: 'sagemaker-local-demo', Key: res.OutputLocation.replace('s3://sagemaker-local-demo/', '') }));
      assert.equal(JSON.parse(await got.Body.transformToString()).series, 'demo');
      s3.destroy();
    } finally {
      child.kill('SIGINT');
      assert.equal(await exited, 0);
    }
  });
});

describe('the demo model reads every CSV batch the invoke node writes', function () {
  it('quotes, commas and line breaks in a series', function () {
    const series = ['c,1', 'say "hi"', 'two\nlines', 'cr\r\nlf', 'plain', ' spaced '];
    const body = assemble(framing('csv', ''), series.map((s, i) => encodeRow('csv', [s, i + 0.5], 'payload')));
    const { readings } = parseReadings(body, 'csv');
    assert.deepEqual(readings, series.map((s, i) => ({ series: s, value: i + 0.5 })));
  });

  it('answers a batch with a quoted series over the wire, quoted back the same way', async function () {
    const local = await startLocalServer(validateConfig({ port: 0, credentials: [KEY], endpoints: { sensors: { model: 'demo' } } }), { log: () => {} });
    const sm = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: local.url, credentials: { ...KEY }, maxAttempts: 1 });
    try {
      const body = assemble(framing('csv', ''), [encodeRow('csv', ['c,1', 5], 'payload'), encodeRow('csv', ['c,1', 7], 'payload')]);
      const res = await sm.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: body, ContentType: 'text/csv' }));
      assert.equal(Buffer.from(res.Body).toString('utf8'), '"c,1",5,0,,,,false\n"c,1",7,1,5,,,false\n');
    } finally {
      sm.destroy();
      await local.close();
    }
  });
});
