'use strict';
// The one call path, against the real SDK and the wire-true server: answer, mapped failure, abort, timing.
const assert = require('node:assert/strict');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { SageMakerServer } = require('sagemaker-local');
const { Call } = require('../../dist/invoke/call');
const { resolveClientSettings, buildClientConfig } = require('../../dist/config/client-config');

const KEYS = { accessKeyId: 'AKIDTESTCALLPATH1', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCALLSECRET' };

describe('call: one client.send with abort, timing and error mapping', function () {
  let server;
  let client;
  let connection;
  before(async function () {
    server = new SageMakerServer({
      credentials: [KEYS],
      endpoints: {
        ok: (req) => ({ body: req.body, contentType: 'application/json' }),
        broken: () => ({ error: 'ModelError', message: 'bad reading', fields: { OriginalStatusCode: 400, OriginalMessage: 'bad reading' } }),
        hang: () => ({ hang: true }),
      },
    });
    await server.listen(0, '127.0.0.1');
    client = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: server.url, credentials: KEYS, maxAttempts: 1 });
    connection = { client, timeoutMs: 5000, maxAttempts: 1, endpointUrl: server.url };
  });
  after(async function () {
    client.destroy();
    await server.close();
  });

  const input = (EndpointName) => ({ EndpointName, Body: Buffer.from('{"a":1}'), ContentType: 'application/json', InferenceId: 'inf-1' });

  it('answers with the SDK output and times the call', async function () {
    const call = new Call(connection, 'ok', 'inf-1');
    const result = await call.send(new InvokeEndpointCommand(input('ok')), new AbortController().signal);
    assert.equal(result.ok, true);
    assert.equal(Buffer.from(result.out.Body).toString(), '{"a":1}');
    assert.ok(call.elapsedMs > 0);
  });

  it('maps what the SDK throws to words and the failure metadata', async function () {
    const call = new Call(connection, 'broken', 'inf-1');
    const result = await call.send(new InvokeEndpointCommand(input('broken')), new AbortController().signal);
    assert.equal(result.ok, false);
    const { key, params, details, short, meta } = result.failure;
    assert.equal(key, 'modelError');
    assert.equal(params.endpoint, 'broken');
    assert.equal(short, 'ModelError');
    assert.equal(details.originalStatusCode, 400);
    assert.equal(meta.endpointName, 'broken');
    assert.equal(meta.inferenceId, 'inf-1');
    assert.equal(meta.requestId, details.requestId);
    assert.equal(typeof meta.durationMs, 'number');
  });

  it('aborts the request when the signal fires, through the config node\'s handler (no per-call options)', async function () {
    const settings = resolveClientSettings({ region: 'us-east-1', endpointUrl: server.url, authMode: 'keys', maxAttempts: 1, timeout: 5000 }, KEYS);
    const configured = new SageMakerRuntimeClient(buildClientConfig(settings, KEYS));
    const abort = new AbortController();
    const call = new Call({ ...connection, client: configured }, 'hang', undefined);
    setTimeout(() => abort.abort(), 50);
    const result = await call.send(new InvokeEndpointCommand(input('hang')), abort.signal);
    configured.destroy();
    assert.equal(result.ok, false);
    assert.equal(result.failure.key, 'aborted');
    assert.equal(result.failure.meta.endpointName, 'hang');
    assert.ok(call.elapsedMs >= 40 && call.elapsedMs < 4000, `${call.elapsedMs} ms`);
  });

  it('a stream that fails before its first part says 0 parts', function () {
    const call = new Call(connection, 'ep', undefined);
    const failure = call.failure(Object.assign(new Error('gone'), { name: 'InternalStreamFailure' }), 0);
    assert.equal(failure.key, 'streamFailure');
    assert.equal(failure.meta.partsReceived, 0);
  });
});
