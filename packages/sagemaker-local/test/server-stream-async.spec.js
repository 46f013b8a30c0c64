'use strict';
// The local server's response-stream and async paths, driven by the real SDK client (run `npm run build` first).

const assert = require('assert');
const {
  SageMakerRuntimeClient,
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  InvokeEndpointAsyncCommand,
} = require('@aws-sdk/client-sagemaker-runtime');
const { SageMakerServer, MAX_ASYNC_INLINE_BYTES } = require('../dist');
const { feed } = require('./local');
const { failure } = require('./local');

const KEY = { accessKeyId: 'AKIDSTREAMTEST01', secretAccessKey: 'streamTestSecret/abc+XYZ0123456789' };

describe('SageMakerServer: InvokeEndpointWithResponseStream and InvokeEndpointAsync', function () {
  let server;
  let client;

  beforeEach(async function () {
    server = new SageMakerServer({ credentials: [KEY] });
    const url = await server.listen();
    client = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: url, credentials: KEY, maxAttempts: 1 });
  });

  afterEach(async function () {
    client.destroy();
    await server.close();
  });

  it('streams each part as its own event-stream message, with the stream headers the SDK reads', async function () {
    let seen;
    server.setEndpoint('llm', (req) => {
      seen = req;
      return {
        contentType: 'application/jsonlines',
        headers: { 'x-Amzn-Invoked-Production-Variant': 'v1', 'X-Amzn-SageMaker-Custom-Attributes': 'back=1' },
        stream: [{ part: '{"t":"a' }, { part: 'b"}\n{"t":' }, { part: Buffer.from('"\xc3', 'latin1') }, { part: Buffer.from('\xa9"}\n', 'latin1') }],
      };
    });
    const out = await client.send(
      new InvokeEndpointWithResponseStreamCommand({
        EndpointName: 'llm',
        Body: '{"inputs":"hi"}',
        ContentType: 'application/json',
        Accept: 'application/jsonlines',
        CustomAttributes: 'c=1',
        TargetVariant: 'v1',
        TargetContainerHostname: 'c1',
        InferenceId: 'inf-1',
        InferenceComponentName: 'comp-1',
        SessionId: 'sess-1',
      }),
    );
    assert.strictEqual(out.ContentType, 'application/jsonlines');
    assert.strictEqual(out.InvokedProductionVariant, 'v1');
    assert.strictEqual(out.CustomAttributes, 'back=1');
    const parts = [];
    for await (const event of out.Body) parts.push(Buffer.from(event.PayloadPart.Bytes));
    assert.strictEqual(parts.length, 4);
    assert.strictEqual(Buffer.concat(parts).toString('utf8'), '{"t":"ab"}\n{"t":"é"}\n');
    assert.strictEqual(seen.operation, 'stream');
    assert.strictEqual(seen.headers['x-amzn-sagemaker-accept'], 'application/jsonlines');
    assert.strictEqual(seen.headers['content-type'], 'application/json');
    assert.strictEqual(seen.headers['x-amzn-sagemaker-session-id'], 'sess-1');
    const rec = server.requests[0];
    assert.deepStrictEqual([rec.operation, rec.status, rec.partsSent, rec.streamEnded], ['stream', 200, 4, true]);
  });

  it('ends a stream with a ModelStreamError or InternalStreamFailure frame that the SDK throws as its error class', async function () {
    server.setEndpoint('bad', () => ({
      stream: [{ part: 'one' }, { error: 'ModelStreamError', message: 'model broke', errorCode: 'StreamBroken' }, { part: 'never' }],
    }));
    server.setEndpoint('worse', () => ({ stream: [{ error: 'InternalStreamFailure', message: 'internal' }] }));
    const out = await client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'bad', Body: 'x' }));
    const parts = [];
    const err = await failure((async () => {
      for await (const event of out.Body) parts.push(Buffer.from(event.PayloadPart.Bytes).toString());
    })());
    assert.deepStrictEqual(parts, ['one']);
    assert.strictEqual(err.name, 'ModelStreamError');
    assert.strictEqual(err.message, 'model broke');
    assert.strictEqual(err.ErrorCode, 'StreamBroken');

    // The SDK reads the first event before send() resolves, so an exception that comes first fails send() itself.
    const err2 = await failure(client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'worse', Body: 'x' })));
    assert.strictEqual(err2.name, 'InternalStreamFailure');
    assert.strictEqual(err2.message, 'internal');
  });

  it('writes each part when the handler yields it, and ends the handler\'s iterable when the client goes away', async function () {
    const source = feed();
    server.setEndpoint('slow', () => ({ stream: source, contentType: 'text/plain' }));
    const controller = new AbortController();
    // send() resolves once the first event has arrived (the SDK looks at it first), so the first part goes ahead.
    source.send({ part: 'first' });
    const out = await client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'slow', Body: 'x' }), {
      abortSignal: controller.signal,
    });
    const iterator = out.Body[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.strictEqual(Buffer.from(first.value.PayloadPart.Bytes).toString(), 'first');
    assert.strictEqual(source.state.ended, false, 'the first part arrived before the stream ended');
    controller.abort();
    await failure(iterator.next());
    // The server notices the closed connection at its next write or when the socket closes.
    source.send({ part: 'after' });
    const until = Date.now() + 5000;
    while (!(server.requests[0].clientClosed && source.state.returned) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(server.requests[0].clientClosed, true);
    assert.strictEqual(source.state.returned, true);
    assert.strictEqual(server.requests[0].streamEnded, false);
  });

  it('serves a plain answer to the stream path as one part, and a streamed answer to InvokeEndpoint as one body', async function () {
    server.setEndpoint('plain', () => ({ body: 'whole answer', contentType: 'text/plain' }));
    server.setEndpoint('streamy', () => ({ stream: [{ part: 'a' }, { part: 'b' }], contentType: 'text/plain' }));
    const out = await client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'plain', Body: 'x' }));
    const parts = [];
    for await (const event of out.Body) parts.push(Buffer.from(event.PayloadPart.Bytes).toString());
    assert.deepStrictEqual(parts, ['whole answer']);
    assert.strictEqual(out.ContentType, 'text/plain');
    const whole = await client.send(new InvokeEndpointCommand({ EndpointName: 'streamy', Body: 'x' }));
    assert.strictEqual(Buffer.from(whole.Body).toString(), 'ab');
    assert.strictEqual(whole.ContentType, 'text/plain');
  });

  it('refuses NEW_SESSION on the stream path, as the service does', async function () {
    server.setEndpoint('llm', () => ({ stream: [] }));
    const err = await failure(
      client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'llm', Body: 'x', SessionId: 'NEW_SESSION' })),
    );
    assert.strictEqual(err.name, 'ValidationError');
    assert.match(err.message, /sessionId/);
  });

  it('accepts an async invocation with 202, the locations in headers and the inference id in the body', async function () {
    let seen;
    server.setEndpoint('batch', (req) => {
      seen = req;
      return { accepted: true };
    });
    const out = await client.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: 'batch',
        InputLocation: 's3://bucket/in/data.csv',
        ContentType: 'text/csv',
        Accept: 'application/json',
        CustomAttributes: 'a=1',
        InferenceId: 'job-7',
        RequestTTLSeconds: 600,
        InvocationTimeoutSeconds: 120,
        S3OutputPathExtension: 'run-1',
        Filename: 'result.json',
      }),
    );
    assert.strictEqual(out.$metadata.httpStatusCode, 202);
    assert.strictEqual(out.InferenceId, 'job-7');
    assert.strictEqual(out.OutputLocation, 's3://sagemaker-local-async/batch/run-1/async-output/job-7.out');
    assert.strictEqual(out.FailureLocation, 's3://sagemaker-local-async/batch/run-1/async-failures/job-7-error.out');
    assert.strictEqual(seen.operation, 'async');
    assert.deepStrictEqual(
      [
        seen.headers['x-amzn-sagemaker-content-type'],
        seen.headers['x-amzn-sagemaker-accept'],
        seen.headers['x-amzn-sagemaker-inputlocation'],
        seen.headers['x-amzn-sagemaker-requestttlseconds'],
        seen.headers['x-amzn-sagemaker-invocationtimeoutseconds'],
        seen.headers['x-amzn-sagemaker-s3outputpathextension'],
        seen.headers['x-amzn-sagemaker-filename'],
      ],
      ['text/csv', 'application/json', 's3://bucket/in/data.csv', '600', '120', 'run-1', 'result.json'],
    );
  });

  it('takes an inline async body up to 128,000 bytes, and refuses both inputs, neither, or values out of range', async function () {
    server.setEndpoint('batch', () => ({ accepted: true, outputLocation: 's3://out/x.out' }));
    const ok = await client.send(new InvokeEndpointAsyncCommand({ EndpointName: 'batch', Body: Buffer.alloc(MAX_ASYNC_INLINE_BYTES, 1) }));
    assert.strictEqual(ok.OutputLocation, 's3://out/x.out');
    assert.match(ok.InferenceId, /^[0-9a-f-]{36}$/);

    const cases = [
      [{ Body: Buffer.alloc(MAX_ASYNC_INLINE_BYTES + 1, 1) }, /less than or equal to 128000/],
      [{ Body: 'x', InputLocation: 's3://b/k' }, /either InputLocation or Body, not both/],
      [{}, /Either InputLocation or Body must be specified/],
      [{ InputLocation: 'ftp://b/k' }, /inputLocation/],
      [{ InputLocation: 's3://b/k', RequestTTLSeconds: 59 }, /requestTTLSeconds.*greater than or equal to 60/],
      [{ InputLocation: 's3://b/k', InvocationTimeoutSeconds: 3601 }, /invocationTimeoutSeconds.*less than or equal to 3600/],
      [{ InputLocation: 's3://b/k', Filename: 'a.b.c' }, /filename/],
      [{ InputLocation: 's3://b/k', S3OutputPathExtension: 's3://x' }, /s3OutputPathExtension/],
    ];
    for (const [input, pattern] of cases) {
      const err = await failure(client.send(new InvokeEndpointAsyncCommand({ EndpointName: 'batch', ...input })));
      assert.strictEqual(err.name, 'ValidationError', JSON.stringify(Object.keys(input)));
      assert.match(err.message, pattern);
    }
  });

  it('answers the service errors on the stream and async paths before any event', async function () {
    server.setEndpoint('down', () => ({ error: 'ModelError', message: 'container says no', fields: { OriginalStatusCode: 500 } }));
    const err = await failure(client.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'down', Body: 'x' })));
    assert.strictEqual(err.name, 'ModelError');
    assert.strictEqual(err.$metadata.httpStatusCode, 424);
    const missing = await failure(client.send(new InvokeEndpointAsyncCommand({ EndpointName: 'nobody', InputLocation: 's3://b/k' })));
    assert.strictEqual(missing.name, 'ValidationError');
    assert.match(missing.message, /Endpoint nobody of account \d+ not found/);
  });
});
