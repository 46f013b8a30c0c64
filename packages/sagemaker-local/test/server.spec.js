'use strict';
// Tests the local SageMaker Runtime server with the real AWS SDK v3 client (run `npm run build` first).

const assert = require('assert');
const http = require('http');
const {
  SageMakerRuntimeClient,
  InvokeEndpointCommand,
} = require('@aws-sdk/client-sagemaker-runtime');
const { SageMakerServer, errorStatus, MAX_PAYLOAD_BYTES } = require('../dist');

const KEY = { accessKeyId: 'AKIDSERVERTEST01', secretAccessKey: 'serverTestSecret/abc+XYZ0123456789' };
const TOKEN_KEY = {
  accessKeyId: 'ASIASERVERTEST02',
  secretAccessKey: 'tokenKeySecret/def+UVW9876543210',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN//session+token==',
};
const SECRETS = [KEY.secretAccessKey, TOKEN_KEY.secretAccessKey, TOKEN_KEY.sessionToken];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function makeClient(url, overrides = {}) {
  const { credentials, ...rest } = overrides;
  return new SageMakerRuntimeClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: credentials || { accessKeyId: KEY.accessKeyId, secretAccessKey: KEY.secretAccessKey },
    maxAttempts: 1,
    ...rest,
  });
}

/** Runs the command and returns the error it must fail with. */
async function failure(client, input, options) {
  try {
    await client.send(new InvokeEndpointCommand(input), options);
  } catch (err) {
    return err;
  }
  throw new assert.AssertionError({ message: `expected InvokeEndpoint(${input.EndpointName}) to fail` });
}

function assertNoSecret(text) {
  for (const secret of SECRETS) assert.ok(!String(text).includes(secret), `a secret leaked into: ${text}`);
}

async function waitFor(predicate, what, ms = 2000) {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw HTTP request without the SDK; resolves status, headers, body. */
function rawRequest(url, { method = 'POST', path, headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('SageMakerServer (local InvokeEndpoint with SigV4, driven by the real SDK)', function () {
  let server;
  let url;
  let client;
  let logLines;
  let handlerErrors;

  beforeEach(async function () {
    logLines = [];
    handlerErrors = [];
    server = new SageMakerServer({
      credentials: [KEY, TOKEN_KEY],
      log: (line) => logLines.push(line),
      onHandlerError: (err) => handlerErrors.push(err),
      endpoints: { echo: (req) => ({ body: req.body, contentType: req.headers['content-type'] }) },
    });
    url = await server.listen();
    client = makeClient(url);
  });

  afterEach(async function () {
    client.destroy();
    await server.close();
  });

  it('listens on 127.0.0.1 with a random port and reports the URL', function () {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notStrictEqual(url, 'http://127.0.0.1:0');
    assert.strictEqual(server.url, url);
  });

  it('passes every request header to the handler and returns every response header as an SDK output field', async function () {
    let seen;
    server.setEndpoint('my-endpoint', (req) => {
      seen = req;
      return {
        body: JSON.stringify({ ok: true }),
        contentType: 'application/json; charset=utf-8',
        headers: {
          'x-Amzn-Invoked-Production-Variant': 'variant-b',
          'X-Amzn-SageMaker-Custom-Attributes': 'reply=1',
          'X-Amzn-SageMaker-New-Session-Id': 'sess-123; Expires=2026-01-01T00:00:00Z',
          'X-Amzn-SageMaker-Closed-Session-Id': 'sess-old',
        },
      };
    });
    const out = await client.send(
      new InvokeEndpointCommand({
        EndpointName: 'my-endpoint',
        Body: Buffer.from('{"x":1}'),
        ContentType: 'application/json',
        Accept: 'application/json',
        CustomAttributes: 'trace=abc',
        TargetModel: 'model-a.tar.gz',
        TargetVariant: 'variant-b',
        TargetContainerHostname: 'container-1',
        InferenceId: 'inf-42',
        EnableExplanations: '`true`',
        InferenceComponentName: 'component-1',
        SessionId: 'NEW_SESSION',
        PrefixAwareId: 'prefix 7',
      }),
    );

    assert.ok(seen, 'the handler was called');
    assert.strictEqual(seen.endpointName, 'my-endpoint');
    assert.strictEqual(seen.accessKeyId, KEY.accessKeyId);
    assert.strictEqual(seen.sessionToken, undefined);
    assert.strictEqual(seen.body.toString(), '{"x":1}');
    const expected = {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-amzn-sagemaker-custom-attributes': 'trace=abc',
      'x-amzn-sagemaker-target-model': 'model-a.tar.gz',
      'x-amzn-sagemaker-target-variant': 'variant-b',
      'x-amzn-sagemaker-target-container-hostname': 'container-1',
      'x-amzn-sagemaker-inference-id': 'inf-42',
      'x-amzn-sagemaker-enable-explanations': '`true`',
      'x-amzn-sagemaker-inference-component': 'component-1',
      'x-amzn-sagemaker-session-id': 'NEW_SESSION',
      'x-amzn-sagemaker-prefix-aware-id': 'prefix 7',
    };
    for (const [name, value] of Object.entries(expected)) assert.strictEqual(seen.headers[name], value, name);
    assert.match(seen.headers.host, /^127\.0\.0\.1:\d+$/, 'the SDK signs host with the port');

    assert.strictEqual(out.$metadata.httpStatusCode, 200);
    assert.match(out.$metadata.requestId, UUID);
    assert.strictEqual(out.ContentType, 'application/json; charset=utf-8');
    assert.strictEqual(out.InvokedProductionVariant, 'variant-b');
    assert.strictEqual(out.CustomAttributes, 'reply=1');
    assert.strictEqual(out.NewSessionId, 'sess-123; Expires=2026-01-01T00:00:00Z');
    assert.strictEqual(out.ClosedSessionId, 'sess-old');
    assert.ok(out.Body instanceof Uint8Array);
    assert.deepStrictEqual(JSON.parse(Buffer.from(out.Body).toString()), { ok: true });
  });

  it('answers application/octet-stream by default and round-trips binary bodies byte for byte', async function () {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255, 0x0d, 0x0a]);
    server.setEndpoint('bin', (req) => ({ body: new Uint8Array(req.body) }));
    const out = await client.send(new InvokeEndpointCommand({ EndpointName: 'bin', Body: bytes }));
    assert.strictEqual(out.ContentType, 'application/octet-stream');
    assert.deepStrictEqual(Buffer.from(out.Body), bytes);
  });

  it('sends x-amzn-RequestId and Date on every response, success or error', async function () {
    const ok = await rawRequest(url, { method: 'GET', path: '/ping' });
    assert.strictEqual(ok.status, 403);
    assert.match(ok.headers['x-amzn-requestid'], UUID);
    assert.ok(!Number.isNaN(Date.parse(ok.headers.date)), 'a Date header');
    const a = await client.send(new InvokeEndpointCommand({ EndpointName: 'echo', Body: Buffer.from('1') }));
    const b = await client.send(new InvokeEndpointCommand({ EndpointName: 'echo', Body: Buffer.from('2') }));
    assert.match(a.$metadata.requestId, UUID);
    assert.notStrictEqual(a.$metadata.requestId, b.$metadata.requestId, 'a fresh id per response');
  });

  describe('SigV4', function () {
    it('accepts a session-token credential and hands the token to the handler', async function () {
      let seen;
      server.setEndpoint('tok', (req) => {
        seen = req;
        return { body: 'ok' };
      });
      const tokenClient = makeClient(url, { credentials: TOKEN_KEY });
      try {
        const out = await tokenClient.send(new InvokeEndpointCommand({ EndpointName: 'tok', Body: Buffer.from('x') }));
        assert.strictEqual(Buffer.from(out.Body).toString(), 'ok');
      } finally {
        tokenClient.destroy();
      }
      assert.strictEqual(seen.accessKeyId, TOKEN_KEY.accessKeyId);
      assert.strictEqual(seen.sessionToken, TOKEN_KEY.sessionToken);
      const rec = server.requests[server.requests.length - 1];
      assert.strictEqual(rec.verified, true);
      assert.strictEqual(rec.accessKeyId, TOKEN_KEY.accessKeyId);
    });

    it('rejects a key configured with a session token when the request carries another token', async function () {
      const wrongToken = makeClient(url, { credentials: { ...TOKEN_KEY, sessionToken: 'some-other-token' } });
      try {
        const err = await failure(wrongToken, { EndpointName: 'echo', Body: Buffer.from('x') });
        assert.strictEqual(err.name, 'UnrecognizedClientException');
        assert.strictEqual(err.$metadata.httpStatusCode, 403);
        assertNoSecret(err.message);
      } finally {
        wrongToken.destroy();
      }
    });

    it('fails a wrong secret with InvalidSignatureException, 403, and no secret in the message', async function () {
      let called = false;
      server.setEndpoint('guarded', () => {
        called = true;
        return { body: 'no' };
      });
      const wrongSecret = 'wrongSecret/abc+XYZ0123456789';
      const bad = makeClient(url, { credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: wrongSecret } });
      try {
        const err = await failure(bad, { EndpointName: 'guarded', Body: Buffer.from('x') });
        assert.strictEqual(err.name, 'InvalidSignatureException');
        assert.strictEqual(err.$metadata.httpStatusCode, 403);
        assert.strictEqual(err.$fault, 'client');
        assert.match(err.message, /^The request signature we calculated does not match the signature you provided\./);
        assertNoSecret(err.message);
        assert.ok(!err.message.includes(wrongSecret));
      } finally {
        bad.destroy();
      }
      assert.strictEqual(called, false, 'the handler never sees an unverified request');
      const rec = server.requests[server.requests.length - 1];
      assert.strictEqual(rec.verified, false);
      assert.strictEqual(rec.accessKeyId, undefined);
      assert.strictEqual(rec.status, 403);
      assert.strictEqual(rec.errorType, 'InvalidSignatureException');
    });

    it('fails an unknown access key with UnrecognizedClientException', async function () {
      const stranger = makeClient(url, { credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: KEY.secretAccessKey } });
      try {
        const err = await failure(stranger, { EndpointName: 'echo', Body: Buffer.from('x') });
        assert.strictEqual(err.name, 'UnrecognizedClientException');
        assert.strictEqual(err.$metadata.httpStatusCode, 403);
        assert.strictEqual(err.message, 'The security token included in the request is invalid.');
      } finally {
        stranger.destroy();
      }
    });

    it('fails a signature older than 5 minutes with "Signature expired"', async function () {
      const late = makeClient(url, { systemClockOffset: -10 * 60 * 1000 });
      try {
        const err = await failure(late, { EndpointName: 'echo', Body: Buffer.from('x') });
        assert.strictEqual(err.name, 'InvalidSignatureException');
        assert.strictEqual(err.$metadata.httpStatusCode, 403);
        assert.match(err.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
      } finally {
        late.destroy();
      }
    });

    it('fails a credential scoped to another region', async function () {
      const elsewhere = makeClient(url, { region: 'eu-west-1' });
      try {
        const err = await failure(elsewhere, { EndpointName: 'echo', Body: Buffer.from('x') });
        assert.strictEqual(err.name, 'InvalidSignatureException');
        assert.match(err.message, /region/);
      } finally {
        elsewhere.destroy();
      }
    });

    it('answers a request without Authorization with MissingAuthenticationTokenException', async function () {
      const res = await rawRequest(url, {
        path: '/endpoints/echo/invocations',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      });
      assert.strictEqual(res.status, 403);
      assert.strictEqual(res.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.strictEqual(typeof JSON.parse(res.body).message, 'string');
      assert.strictEqual(server.requests[0].verified, false);
    });

    it('fails a body altered after signing', async function () {
      // Sign with the SDK, then change the bytes on the wire (same length).
      const tamper = makeClient(url);
      tamper.middlewareStack.addRelativeTo(
        (next) => async (args) => {
          args.request.body = Buffer.from('evil');
          return next(args);
        },
        { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperAfterSigning' },
      );
      try {
        const err = await failure(tamper, { EndpointName: 'echo', Body: Buffer.from('good') });
        assert.strictEqual(err.name, 'InvalidSignatureException');
        assert.match(err.message, /x-amz-content-sha256/);
      } finally {
        tamper.destroy();
      }
    });

    it('fails a signed header altered after signing', async function () {
      const tamper = makeClient(url);
      tamper.middlewareStack.addRelativeTo(
        (next) => async (args) => {
          args.request.headers['X-Amzn-SageMaker-Target-Variant'] = 'variant-z';
          return next(args);
        },
        { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperAfterSigning' },
      );
      try {
        const err = await failure(tamper, { EndpointName: 'echo', Body: Buffer.from('x'), TargetVariant: 'variant-a' });
        assert.strictEqual(err.name, 'InvalidSignatureException');
        assert.match(err.message, /^The request signature we calculated does not match/);
      } finally {
        tamper.destroy();
      }
    });

    it('ignores unsigned headers added after signing', async function () {
      let seen;
      server.setEndpoint('extra', (req) => {
        seen = req.headers['x-added-later'];
        return { body: 'ok' };
      });
      const extra = makeClient(url);
      extra.middlewareStack.addRelativeTo(
        (next) => async (args) => {
          args.request.headers['X-Added-Later'] = 'yes';
          return next(args);
        },
        { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'addAfterSigning' },
      );
      try {
        const out = await extra.send(new InvokeEndpointCommand({ EndpointName: 'extra', Body: Buffer.from('x') }));
        assert.strictEqual(out.$metadata.httpStatusCode, 200);
        assert.strictEqual(seen, 'yes');
      } finally {
        extra.destroy();
      }
    });

    it('verifies a path the SDK had to escape (the raw path is re-signed as received)', async function () {
      const lax = new SageMakerServer({ credentials: [KEY], validateInput: false });
      const laxUrl = await lax.listen();
      const laxClient = makeClient(laxUrl);
      let name;
      lax.setEndpoint('odd name/ü:1', (req) => {
        name = req.endpointName;
        return { body: 'ok' };
      });
      try {
        const out = await laxClient.send(new InvokeEndpointCommand({ EndpointName: 'odd name/ü:1', Body: Buffer.from('x') }));
        assert.strictEqual(Buffer.from(out.Body).toString(), 'ok');
        assert.strictEqual(name, 'odd name/ü:1');
        assert.match(lax.requests[0].path, /^\/endpoints\/odd%20name%2F%C3%BC%3A1\/invocations$/);
      } finally {
        laxClient.destroy();
        await lax.close();
      }
    });
  });

  describe('errors', function () {
    const cases = [
      ['ValidationError', 400, 'client'],
      ['ModelNotReadyException', 429, 'client'],
      ['ThrottlingException', 400, 'client'],
      ['InternalFailure', 500, 'server'],
      ['ServiceUnavailable', 503, 'server'],
      ['InternalDependencyException', 530, 'server'],
    ];
    for (const [type, status, fault] of cases) {
      it(`surfaces ${type} as name ${type}, HTTP ${status}`, async function () {
        server.setEndpoint('err', () => ({ error: type, message: `${type} happened` }));
        const err = await failure(client, { EndpointName: 'err', Body: Buffer.from('x') });
        assert.strictEqual(err.name, type);
        assert.strictEqual(err.$metadata.httpStatusCode, status);
        assert.strictEqual(err.$fault, fault);
        assert.strictEqual(err.message, `${type} happened`);
        assert.match(err.$metadata.requestId, UUID);
        const rec = server.requests[server.requests.length - 1];
        assert.strictEqual(rec.status, status);
        assert.strictEqual(rec.errorType, type);
      });
    }

    it('surfaces ModelError (424) with OriginalStatusCode, OriginalMessage, LogStreamArn', async function () {
      const arn = 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/m';
      server.setEndpoint('model', () => ({
        error: 'ModelError',
        message: 'Received client error (400) from primary with message "bad input".',
        fields: { OriginalStatusCode: 400, OriginalMessage: 'bad input', LogStreamArn: arn, ErrorCode: 'CLIENT_ERROR_FROM_MODEL' },
      }));
      const err = await failure(client, { EndpointName: 'model', Body: Buffer.from('x') });
      assert.strictEqual(err.name, 'ModelError');
      assert.strictEqual(err.$metadata.httpStatusCode, 424);
      assert.strictEqual(err.OriginalStatusCode, 400);
      assert.strictEqual(err.OriginalMessage, 'bad input');
      assert.strictEqual(err.LogStreamArn, arn);
      assert.match(err.message, /bad input/);
    });

    it('lets an explicit status win over the type’s default', async function () {
      server.setEndpoint('odd', () => ({ error: 'ValidationError', message: 'teapot', status: 418 }));
      const err = await failure(client, { EndpointName: 'odd', Body: Buffer.from('x') });
      assert.strictEqual(err.name, 'ValidationError');
      assert.strictEqual(err.$metadata.httpStatusCode, 418);
    });

    it('is retried by the SDK when the type is ThrottlingException (retry by name, although HTTP 400)', async function () {
      let calls = 0;
      server.setEndpoint('busy', () => (++calls === 1 ? { error: 'ThrottlingException', message: 'Rate exceeded' } : { body: 'done' }));
      const retrying = makeClient(url, { maxAttempts: 2 });
      try {
        const out = await retrying.send(new InvokeEndpointCommand({ EndpointName: 'busy', Body: Buffer.from('x') }));
        assert.strictEqual(Buffer.from(out.Body).toString(), 'done');
        assert.strictEqual(out.$metadata.attempts, 2);
        assert.strictEqual(calls, 2);
      } finally {
        retrying.destroy();
      }
    });

    it('answers an endpoint without a handler like the service: ValidationError "Endpoint X of account Y not found."', async function () {
      const err = await failure(client, { EndpointName: 'missing-endpoint', Body: Buffer.from('x') });
      assert.strictEqual(err.name, 'ValidationError');
      assert.strictEqual(err.$metadata.httpStatusCode, 400);
      assert.strictEqual(err.message, 'Endpoint missing-endpoint of account 123456789012 not found.');
      server.setEndpoint('missing-endpoint', () => ({ body: 'now here' }));
      const out = await client.send(new InvokeEndpointCommand({ EndpointName: 'missing-endpoint', Body: Buffer.from('x') }));
      assert.strictEqual(Buffer.from(out.Body).toString(), 'now here');
      server.removeEndpoint('missing-endpoint');
      const again = await failure(client, { EndpointName: 'missing-endpoint', Body: Buffer.from('x') });
      assert.strictEqual(again.name, 'ValidationError');
    });

    it('checks the input constraints like the service (endpoint name and header patterns)', async function () {
      server.setEndpoint('bad_name', () => ({ body: 'unreachable' }));
      const err = await failure(client, { EndpointName: 'bad_name', Body: Buffer.from('x') });
      assert.strictEqual(err.name, 'ValidationError');
      assert.match(err.message, /^1 validation error detected: Value 'bad_name' at 'endpointName' failed to satisfy constraint/);
      const two = await failure(client, {
        EndpointName: 'echo',
        Body: Buffer.from('x'),
        TargetVariant: 'under_score',
        InferenceId: 'x'.repeat(65),
      });
      assert.match(two.message, /^2 validation errors detected: .*'targetVariant'.*'inferenceId'.*less than or equal to 64/);
    });

    it('answers a handler that throws with 500 InternalFailure, without the thrown message', async function () {
      server.setEndpoint('boom', () => {
        throw new Error('database password is hunter2');
      });
      const err = await failure(client, { EndpointName: 'boom', Body: Buffer.from('x') });
      assert.strictEqual(err.name, 'InternalFailure');
      assert.strictEqual(err.$metadata.httpStatusCode, 500);
      assert.ok(!err.message.includes('hunter2'));
      assert.strictEqual(handlerErrors.length, 1);
      assert.match(handlerErrors[0].message, /hunter2/);
    });

    it('answers other operations with 404 UnknownOperationException (after authentication)', async function () {
      // The SDK only calls the three operations the server serves, so rewrite one call's path before it is signed.
      const probe = makeClient(url);
      probe.middlewareStack.add(
        (next) => (args) => {
          args.request.path = '/endpoints/echo/unknown-operation';
          return next(args);
        },
        { step: 'build', name: 'rewritePath' },
      );
      const err = await failure(probe, { EndpointName: 'echo', Body: Buffer.from('x') });
      probe.destroy();
      assert.strictEqual(err.name, 'UnknownOperationException');
      assert.strictEqual(err.$metadata.httpStatusCode, 404);
      const rec = server.requests[0];
      assert.strictEqual(rec.path, '/endpoints/echo/unknown-operation');
      assert.strictEqual(rec.verified, true);
    });

    it('answers a body over 6,291,456 bytes with 413 before the handler, keeping none of it', async function () {
      let called = false;
      server.setEndpoint('big', () => {
        called = true;
        return { body: 'no' };
      });
      const ok = await client.send(new InvokeEndpointCommand({ EndpointName: 'big', Body: Buffer.alloc(MAX_PAYLOAD_BYTES, 1) }));
      assert.strictEqual(ok.$metadata.httpStatusCode, 200, 'exactly the limit is fine');
      called = false;
      const err = await failure(client, { EndpointName: 'big', Body: Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 1) });
      assert.strictEqual(err.$metadata.httpStatusCode, 413);
      assert.strictEqual(err.message, 'HTTP content length exceeded 6291456 bytes.');
      assert.strictEqual(called, false);
      const rec = server.requests[server.requests.length - 1];
      assert.strictEqual(rec.status, 413);
      assert.strictEqual(rec.body.length, 0);
    });

    it('answers 413 at once when Content-Length is far over the limit, without reading the body', async function () {
      const started = Date.now();
      const res = await new Promise((resolve, reject) => {
        const req = http.request(
          new URL('/endpoints/echo/invocations', url),
          { method: 'POST', headers: { 'content-length': String(100 * 1024 * 1024) } },
          (r) => {
            r.resume();
            resolve(r);
            req.destroy();
          },
        );
        req.on('error', (e) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
        req.write(Buffer.alloc(1024)); // a tiny part of the declared 100 MB, and never the rest
      });
      assert.strictEqual(res.statusCode, 413);
      assert.ok(Date.now() - started < 2000);
    });
  });

  describe('recording, hang, reset, close', function () {
    it('records every request in order, rejected ones included, and clears them', async function () {
      await client.send(new InvokeEndpointCommand({ EndpointName: 'echo', Body: Buffer.from('one'), ContentType: 'text/plain' }));
      await failure(client, { EndpointName: 'nowhere', Body: Buffer.from('two') });
      const bad = makeClient(url, { credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: 'nope' } });
      await failure(bad, { EndpointName: 'echo', Body: Buffer.from('three') }).finally(() => bad.destroy());

      const recs = server.requests;
      assert.strictEqual(recs.length, 3);
      assert.deepStrictEqual(
        recs.map((r) => [r.method, r.path, r.endpointName, r.body.toString(), r.verified, r.status, r.errorType]),
        [
          ['POST', '/endpoints/echo/invocations', 'echo', 'one', true, 200, undefined],
          ['POST', '/endpoints/nowhere/invocations', 'nowhere', 'two', true, 400, 'ValidationError'],
          ['POST', '/endpoints/echo/invocations', undefined, 'three', false, 403, 'InvalidSignatureException'],
        ],
      );
      assert.strictEqual(recs[0].accessKeyId, KEY.accessKeyId);
      assert.strictEqual(recs[0].headers['content-type'], 'text/plain');
      server.clearRequests();
      assert.strictEqual(server.requests.length, 0);
    });

    it('logs one line per request with method, path, status, error type and duration, and never a secret', async function () {
      server.setEndpoint('model', () => ({ error: 'ModelError', message: 'm', fields: { OriginalStatusCode: 500 } }));
      const tokenClient = makeClient(url, { credentials: TOKEN_KEY });
      try {
        await tokenClient.send(new InvokeEndpointCommand({ EndpointName: 'echo', Body: Buffer.from('x') }));
        await failure(tokenClient, { EndpointName: 'model', Body: Buffer.from('x') });
      } finally {
        tokenClient.destroy();
      }
      await waitFor(() => logLines.length >= 2, 'two log lines');
      assert.strictEqual(logLines.length, 2);
      assert.match(logLines[0], /^POST \/endpoints\/echo\/invocations 200 - \d+ms$/);
      assert.match(logLines[1], /^POST \/endpoints\/model\/invocations 424 ModelError \d+ms$/);
      for (const line of logLines) {
        assertNoSecret(line);
        assert.ok(!/Signature=|AWS4-HMAC/.test(line), 'no Authorization header');
      }
    });

    it('never answers a hang; the request ends when the client aborts', async function () {
      server.setEndpoint('slow', () => ({ hang: true }));
      const ac = new AbortController();
      const pending = failure(client, { EndpointName: 'slow', Body: Buffer.from('x') }, { abortSignal: ac.signal });
      await waitFor(() => server.requests.length === 1 && server.requests[0].verified, 'the request to arrive');
      await new Promise((r) => setTimeout(r, 100));
      assert.strictEqual(server.requests[0].status, 0, 'still unanswered');
      assert.strictEqual(logLines.length, 0);
      ac.abort();
      const err = await pending;
      assert.strictEqual(err.name, 'AbortError');
      await waitFor(() => logLines.length === 1, 'the server to see the connection close');
      assert.match(logLines[0], /^POST \/endpoints\/slow\/invocations - - \d+ms$/);
    });

    it('close() finishes promptly while a request hangs, and the client sees the connection end', async function () {
      server.setEndpoint('slow', () => ({ hang: true }));
      const pending = failure(client, { EndpointName: 'slow', Body: Buffer.from('x') });
      await waitFor(() => server.requests.length === 1 && server.requests[0].verified, 'the request to arrive');
      const started = Date.now();
      await server.close();
      assert.ok(Date.now() - started < 500, `close() took ${Date.now() - started} ms`);
      const err = await pending;
      assert.match(String(err.code || err.name || err.message), /ECONNRESET|socket hang up/i);
      await server.close(); // idempotent
    });

    it('destroys the connection without an answer on reset', async function () {
      server.setEndpoint('flaky', () => ({ reset: true }));
      const err = await failure(client, { EndpointName: 'flaky', Body: Buffer.from('x') });
      assert.strictEqual(err.$metadata && err.$metadata.httpStatusCode, undefined, 'no HTTP response reached the SDK');
      assert.match(String(err.code || err.message), /ECONNRESET|socket hang up/i);
      assert.strictEqual(server.requests[0].status, 0);
      // The server carries on after a reset.
      const out = await client.send(new InvokeEndpointCommand({ EndpointName: 'echo', Body: Buffer.from('after') }));
      assert.strictEqual(Buffer.from(out.Body).toString(), 'after');
    });
  });

  it('errorStatus() gives the service’s statuses', function () {
    assert.deepStrictEqual(
      [
        'ValidationError',
        'ModelError',
        'ModelNotReadyException',
        'ThrottlingException',
        'InternalFailure',
        'ServiceUnavailable',
        'InternalDependencyException',
        'InvalidSignatureException',
        'UnrecognizedClientException',
        'MissingAuthenticationTokenException',
        'UnknownOperationException',
      ].map(errorStatus),
      [400, 424, 429, 400, 500, 503, 530, 403, 403, 403, 404],
    );
  });
});
