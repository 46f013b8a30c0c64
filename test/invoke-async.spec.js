'use strict';
// mode async: InvokeEndpointAsync through the node, against the wire-true server's async path.
const assert = require('node:assert/strict');
const { load, outcome, useServer } = require('./harness');

const ASYNC = { mode: 'async' };

describe('sagemaker-invoke mode async', function () {
  let server;
  useServer({ ep: () => ({ accepted: true }) }, undefined, (s) => { server = s; });

  it('queues S3 input with every async field and answers where the result will be', async function () {
    const nodes = await load(server.url, { invoke: ASYNC });
    const msg = {
      inputLocation: 's3://bucket/in/readings.csv', contentType: 'text/csv', accept: 'application/json', customAttributes: 'c=1',
      inferenceId: 'job-1', requestTTLSeconds: 600, invocationTimeoutSeconds: 120, s3OutputPathExtension: 'line-7',
      filename: 'result.json', topic: 'keep',
    };
    const { where, msg: got } = await outcome(nodes, msg);
    assert.equal(where, 'out');
    assert.deepEqual(got.payload, {
      inferenceId: 'job-1',
      outputLocation: 's3://sagemaker-local-async/ep/line-7/async-output/job-1.out',
      failureLocation: 's3://sagemaker-local-async/ep/line-7/async-failures/job-1-error.out',
    });
    assert.equal(got.topic, 'keep');
    const meta = got.sagemaker;
    assert.equal(meta.endpointName, 'ep');
    assert.equal(meta.inferenceId, 'job-1');
    assert.equal(meta.outputLocation, got.payload.outputLocation);
    assert.equal(meta.failureLocation, got.payload.failureLocation);
    assert.match(meta.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(meta.attempts, 1);
    const req = server.requests[0];
    assert.equal(req.path, '/endpoints/ep/async-invocations');
    assert.equal(req.verified, true);
    assert.equal(req.body.length, 0);
    const h = req.headers;
    assert.deepEqual(
      [h['x-amzn-sagemaker-content-type'], h['x-amzn-sagemaker-accept'], h['x-amzn-sagemaker-custom-attributes'],
        h['x-amzn-sagemaker-inference-id'], h['x-amzn-sagemaker-inputlocation'], h['x-amzn-sagemaker-requestttlseconds'],
        h['x-amzn-sagemaker-invocationtimeoutseconds'], h['x-amzn-sagemaker-s3outputpathextension'], h['x-amzn-sagemaker-filename']],
      ['text/csv', 'application/json', 'c=1', 'job-1', 's3://bucket/in/readings.csv', '600', '120', 'line-7', 'result.json'],
    );
  });

  it('sends the input property inline when no input location is given, with the service\'s inference id', async function () {
    const nodes = await load(server.url, { invoke: { ...ASYNC, requestTTLSeconds: '3600', invocationTimeoutSeconds: '60', s3OutputPathExtension: 'node' } });
    const { where, msg } = await outcome(nodes, { payload: { temperature: 21.5 } });
    assert.equal(where, 'out');
    assert.match(msg.payload.inferenceId, /^[0-9a-f-]{36}$/);
    assert.match(msg.payload.outputLocation, /^s3:\/\/sagemaker-local-async\/ep\/node\/async-output\//);
    const req = server.requests[0];
    assert.equal(req.body.toString(), '{"temperature":21.5}');
    assert.equal(req.headers['x-amzn-sagemaker-content-type'], 'application/json');
    assert.equal(req.headers['x-amzn-sagemaker-requestttlseconds'], '3600');
    assert.equal(req.headers['x-amzn-sagemaker-invocationtimeoutseconds'], '60');
  });

  it('refuses both inputs, no input, inline input over 128,000 bytes and out-of-range values, before sending', async function () {
    const nodes = await load(server.url, { invoke: ASYNC });
    const cases = [
      [{ payload: 'x', inputLocation: 's3://b/k' }, /msg\.inputLocation and msg\.payload are both set/],
      [{}, /needs its input: msg\.inputLocation \(an s3:\/\/ URI\) or msg\.payload \(inline, at most 128000 bytes\)/],
      [{ payload: 'x'.repeat(128001) }, /msg\.payload is 128001 bytes: an async call takes at most 128000 bytes inline/],
      [{ payload: 'x', requestTTLSeconds: 30 }, /msg\.requestTTLSeconds must be a whole number from 60 to 21600/],
      [{ payload: 'x', invocationTimeoutSeconds: 4000 }, /msg\.invocationTimeoutSeconds must be a whole number from 1 to 3600/],
      [{ inputLocation: 'bucket/key' }, /msg\.inputLocation must be an s3:\/\/bucket\/key URI/],
      [{ payload: 'x', filename: '../etc/passwd' }, /msg\.filename must be a file name/],
      [{ payload: 'x', targetModel: 'm.tar.gz' }, /msg\.targetModel is set, but mode async \(InvokeEndpointAsync\) does not take it/],
      [{ payload: 'x', sessionId: 'abc' }, /msg\.sessionId is set, but mode async/],
    ];
    for (const [msg, pattern] of cases) {
      const { where, msg: got } = await outcome(nodes, msg);
      assert.equal(where, 'caught', String(pattern));
      assert.match(got.error.message, pattern);
    }
    assert.equal(server.requests.length, 0);
  });

  it('a node whose async TTL is out of range is not configured', async function () {
    const nodes = await load(server.url, { invoke: { ...ASYNC, requestTTLSeconds: '10' } });
    const { where, msg } = await outcome(nodes, { payload: 'x' });
    assert.equal(where, 'caught');
    assert.match(msg.error.message, /requestTTLSeconds must be a whole number from 60 to 21600/);
  });

  it('the service\'s errors reach Catch as in invoke mode', async function () {
    server.setEndpoint('ep', () => ({ error: 'ValidationError', message: 'Endpoint ep is not an async endpoint.' }));
    const nodes = await load(server.url, { invoke: ASYNC });
    const { where, msg } = await outcome(nodes, { inputLocation: 's3://b/k' });
    assert.equal(where, 'caught');
    assert.match(msg.error.message, /SageMaker refused the request to endpoint ep: Endpoint ep is not an async endpoint/);
    assert.equal(msg.sagemaker.error.statusCode, 400);
  });

  it('a node saved before modes existed calls InvokeEndpoint', async function () {
    server.setEndpoint('ep', () => ({ body: '{"ok":true}', contentType: 'application/json' }));
    const nodes = await load(server.url, { invoke: {} });
    const { where, msg } = await outcome(nodes, { payload: 1 });
    assert.equal(where, 'out');
    assert.deepEqual(msg.payload, { ok: true });
    assert.equal(server.requests[0].path, '/endpoints/ep/invocations');
  });
});
