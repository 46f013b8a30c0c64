'use strict';
const assert = require('node:assert/strict');
const { mapError } = require('../../dist/invoke/errors');
const { FlowError } = require('../../dist/shared/flow-error');

const ctx = { endpointName: 'ep', timeoutMs: 70000, maxAttempts: 3, endpointUrl: 'http://127.0.0.1:1' };
const sdkError = (name, extra = {}) => Object.assign(new Error(extra.message || `${name} happened`), {
  name,
  $fault: 'client',
  $metadata: { httpStatusCode: extra.status, requestId: 'req-1', attempts: extra.attempts || 1 },
  ...extra.fields,
});

describe('errors: SDK errors to words and details', function () {
  it('ModelError carries the original status, message and log stream', function () {
    const m = mapError(sdkError('ModelError', { status: 424, fields: { OriginalStatusCode: 500, OriginalMessage: 'boom', LogStreamArn: 'arn:aws:logs:x' } }), ctx);
    assert.equal(m.key, 'modelErrorLogged');
    assert.equal(m.params.originalStatus, 500);
    assert.equal(m.params.originalMessage, 'boom');
    assert.deepEqual(m.details, {
      name: 'ModelError', message: 'ModelError happened', statusCode: 424, originalStatusCode: 500,
      originalMessage: 'boom', logStreamArn: 'arn:aws:logs:x', requestId: 'req-1', attempts: 1,
    });
  });
  it('ModelError without a log stream says nothing of one (no "(log stream: not given)")', function () {
    const logged = mapError(sdkError('ModelError', { status: 424, fields: { OriginalStatusCode: 500, OriginalMessage: 'boom', LogStreamArn: 'arn:aws:logs:x' } }), ctx);
    assert.equal(logged.key, 'modelErrorLogged');
    assert.equal(logged.params.logStream, 'arn:aws:logs:x');
    const bare = mapError(sdkError('ModelError', { status: 424, fields: { OriginalStatusCode: 500, OriginalMessage: 'boom' } }), ctx);
    assert.equal(bare.key, 'modelError');
    assert.equal('logStream' in bare.params, false);
    const words = JSON.parse(require('node:fs').readFileSync(require.resolve('../../nodes/locales/en-US/sagemaker-invoke.json'), 'utf8'))['sagemaker-invoke'].errors;
    assert.doesNotMatch(words.modelError, /log stream|__logStream__/);
    assert.match(words.modelErrorLogged, /\(log stream: __logStream__\)$/);
  });
  it('recognises validation, not-ready, throttling, auth and service failures', function () {
    assert.equal(mapError(sdkError('ValidationError', { status: 400 }), ctx).key, 'validationError');
    assert.equal(mapError(sdkError('ModelNotReadyException', { status: 429, attempts: 3 }), ctx).params.attempts, 3);
    assert.equal(mapError(sdkError('ThrottlingException', { status: 400 }), ctx).key, 'throttled');
    assert.equal(mapError(sdkError('InvalidSignatureException', { status: 403 }), ctx).key, 'authFailed');
    assert.equal(mapError(sdkError('SomethingElse', { status: 403 }), ctx).key, 'authFailed');
    assert.equal(mapError(sdkError('ServiceUnavailable', { status: 503 }), ctx).key, 'serviceFailure');
    assert.equal(mapError(sdkError('Teapot', { status: 418 }), ctx).key, 'serviceError');
  });
  it('a timeout names the configured limit', function () {
    const m = mapError(Object.assign(new Error('x'), { name: 'TimeoutError', $metadata: { attempts: 3 } }), ctx);
    assert.equal(m.key, 'timeout');
    assert.equal(m.params.timeout, 70000);
    assert.equal(m.params.attempts, 3);
    assert.equal(m.short, 'timeout');
  });
  it('a timeout that was the message\'s own msg.requestTimeout says so, in invoke and stream mode', function () {
    const timeout = Object.assign(new Error('x'), { name: 'TimeoutError', $metadata: { attempts: 1 } });
    const own = { ...ctx, timeoutMs: 250, timeoutFromMsg: true };
    assert.deepEqual([mapError(timeout, own).key, mapError(timeout, own).params.timeout], ['timeoutMsg', 250]);
    assert.equal(mapError(timeout, { ...own, partsReceived: 2 }).key, 'streamTimeoutMsg');
    assert.equal(mapError(timeout, { ...ctx, partsReceived: 2 }).key, 'streamTimeout');
    const words = require('../../nodes/locales/en-US/sagemaker-invoke.json')['sagemaker-invoke'].errors;
    assert.match(words.timeoutMsg, /msg\.requestTimeout/);
    assert.match(words.streamTimeoutMsg, /msg\.requestTimeout/);
  });
  it('network failures name the URL and the code', function () {
    const m = mapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), ctx);
    assert.equal(m.key, 'network');
    assert.equal(m.params.code, 'ECONNREFUSED');
    assert.equal(m.params.url, 'http://127.0.0.1:1');
  });
  it('a connection that breaks while a stream is read is a broken stream, not SageMaker out of reach', function () {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const broken = mapError(reset, { ...ctx, partsReceived: 4, midStream: true });
    assert.equal(broken.key, 'streamBroken');
    assert.equal(broken.details.name, 'NetworkError');
    assert.equal(broken.details.partsReceived, 4);
    assert.deepEqual([broken.params.code, broken.params.parts, broken.short], ['ECONNRESET', 4, 'ECONNRESET']);
    const words = require('../../nodes/locales/en-US/sagemaker-invoke.json')['sagemaker-invoke'].errors;
    assert.match(words.streamBroken, /the connection broke after __parts__ part\(s\)/);
    assert.doesNotMatch(words.streamBroken, /Could not reach/);
    // Before the answer (the request itself), the same reset is still the network's: SageMaker was not reached.
    assert.equal(mapError(reset, { ...ctx, partsReceived: 0 }).key, 'network');
    // A stream that went silent stays a timeout.
    const silent = Object.assign(new Error('x'), { name: 'TimeoutError' });
    assert.equal(mapError(silent, { ...ctx, partsReceived: 1, midStream: true }).key, 'streamTimeout');
  });
  it('passes a FlowError through and copes with non-errors', function () {
    assert.equal(mapError(new FlowError('noEndpoint'), ctx).key, 'noEndpoint');
    const m = mapError('weird', ctx);
    assert.equal(m.key, 'unexpected');
    assert.equal(m.details.message, 'weird');
  });
});

describe('errors: the service\'s 413 for an oversized body', function () {
  it('is reported as too large, not as an unknown error', function () {
    const m = mapError(Object.assign(new Error('HTTP content length exceeded 6291456 bytes.'), { name: 'Unknown', $metadata: { httpStatusCode: 413 } }), ctx);
    assert.equal(m.key, 'payloadTooLarge');
    assert.equal(m.short, '413');
  });
});

describe('errors: msg.sagemaker.error.name is always a documented name', function () {
  const { ERROR_NAMES } = require('../../dist/invoke/errors');
  const fs = require('node:fs');
  const path = require('node:path');
  const root = path.join(__dirname, '../..');
  const err = (fields) => Object.assign(new Error(fields.message || 'x'), fields);
  const status = (name, code) => sdkError(name, { status: code });
  const netErr = (code, message = `${code} happened`) => err({ code, message });

  // One case per path through mapError: [what, error, context extra, expected name, expected errorCode].
  const cases = [
    ['ModelError', sdkError('ModelError', { status: 424 }), {}, 'ModelError'],
    ['ModelStreamError', sdkError('ModelStreamError', { fields: { ErrorCode: 'ModelStreamError' } }), { partsReceived: 2 }, 'ModelStreamError'],
    ['InternalStreamFailure', sdkError('InternalStreamFailure'), { partsReceived: 2 }, 'InternalStreamFailure'],
    ['a stream gone silent', err({ name: 'TimeoutError' }), { partsReceived: 1 }, 'TimeoutError'],
    ['a timeout', err({ name: 'TimeoutError' }), {}, 'TimeoutError'],
    ['ValidationError', status('ValidationError', 400), {}, 'ValidationError'],
    ['ModelNotReadyException', status('ModelNotReadyException', 429), {}, 'ModelNotReadyException'],
    ['ThrottlingException', status('ThrottlingException', 400), {}, 'ThrottlingException'],
    ['another service\'s throttling name', status('TooManyRequestsException', 400), {}, 'ThrottlingException', 'TooManyRequestsException'],
    ['a bare 429', status('Unknown', 429), {}, 'ThrottlingException'],
    ...['AccessDeniedException', 'ExpiredTokenException', 'IncompleteSignature', 'InvalidClientTokenId', 'InvalidSignatureException',
      'MissingAuthenticationTokenException', 'SignatureDoesNotMatch', 'UnrecognizedClientException']
      .map((name) => [name, status(name, 403), {}, name]),
    ['an unknown 403', status('Forbidden', 403), {}, 'AccessDeniedException', 'Forbidden'],
    ['an abort', err({ name: 'AbortError' }), {}, 'AbortError'],
    ['no credentials', err({ name: 'CredentialsProviderError' }), {}, 'CredentialsProviderError'],
    ['no token', err({ name: 'TokenProviderError' }), {}, 'CredentialsProviderError'],
    ...['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED',
      'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO']
      .map((code) => [code, netErr(code), {}, 'TLSError', code]),
    ...['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED',
      'ETIMEDOUT', 'HPE_INVALID_CONSTANT', 'ERR_STREAM_PREMATURE_CLOSE']
      .map((code) => [code, netErr(code), {}, 'NetworkError', code]),
    ['socket hang up', netErr('ECONNRESET', 'socket hang up'), {}, 'NetworkError', 'ECONNRESET'],
    // The SDK's HTTP handler renames these TimeoutError (to retry them), though no timeout ran out.
    ['a reset the SDK calls a timeout', err({ name: 'TimeoutError', code: 'ECONNRESET', message: 'socket hang up' }), {}, 'NetworkError', 'ECONNRESET'],
    ['a broken pipe mid-stream', err({ name: 'TimeoutError', code: 'EPIPE' }), { partsReceived: 3 }, 'NetworkError', 'EPIPE'],
    ['the SDK\'s own request timeout', err({ name: 'TimeoutError', code: 'ETIMEDOUT' }), {}, 'TimeoutError', 'ETIMEDOUT'],
    ['the service\'s 413', status('Unknown', 413), {}, 'PayloadTooLarge'],
    ...['InternalFailure', 'ServiceUnavailable', 'InternalDependencyException'].map((name) => [name, status(name, 500), {}, name]),
    ['an unknown 5xx', status('InternalServerError', 500), {}, 'ServiceError', 'InternalServerError'],
    ['an unknown 4xx', status('Teapot', 418), {}, 'ServiceError', 'Teapot'],
    ['an unnamed 4xx', status('Unknown', 400), {}, 'ServiceError'],
    ['a gateway\'s HTML page', Object.assign(new SyntaxError('Unexpected token \'<\''), {
      $metadata: { httpStatusCode: 502, attempts: 1 },
      $response: { statusCode: 502, headers: { 'content-type': 'text/html' }, body: Buffer.from('<h1>Bad Gateway</h1>') },
    }), {}, 'UnexpectedResponse'],
    ['a plain Error', new Error('boom'), {}, 'UnknownError'],
    ['a TypeError', new TypeError('x is not a function'), {}, 'UnknownError'],
    ['not an Error at all', 'weird', {}, 'UnknownError'],
    ['a proxy that refused the tunnel', new FlowError('proxyRefused', { proxy: 'http://p:3128', status: 502, target: 'h:443' }), {}, 'ProxyError'],
    ['a proxy that refused its password', new FlowError('proxyAuthFailed', { proxy: 'http://u:****@p:3128', status: 407, target: 'h:443' }), {}, 'ProxyError'],
    ['a role that could not be assumed', new FlowError('assumeRoleFailed', { role: 'arn:r', name: 'AccessDenied', message: 'no', status: 403 }), {}, 'CredentialsProviderError', 'AccessDenied'],
    ['another FlowError', new FlowError('noEndpoint'), {}, 'UnknownError'],
  ];

  for (const [what, error, extra, name, errorCode] of cases) {
    it(`${what}: ${name}`, function () {
      const m = mapError(error, { ...ctx, ...extra });
      assert.equal(m.details.name, name);
      assert.ok(ERROR_NAMES.includes(m.details.name), `${m.details.name} is documented`);
      if (errorCode) assert.equal(m.details.errorCode, errorCode);
    });
  }

  it('the names the node gives its own failures are documented names too', function () {
    // The node's own failures (a setting, a msg, the queue, closing, an answer it cannot read) name themselves in
    // its source: every `{ name: '...', message` it writes must be one of ERROR_NAMES.
    const dirs = ['dist/nodes', 'dist/invoke'].map((d) => path.join(root, d));
    const found = new Set();
    for (const dir of dirs) {
      for (const file of fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.js'))) {
        const text = fs.readFileSync(path.join(dir, String(file)), 'utf8');
        // Not `('key', { name: ... })`: those are a message's parameters (FlowError, RED._), not msg.sagemaker.error.
        for (const m of text.matchAll(/(?<!', )\{ name: '(\w+)', message\b/g)) found.add(m[1]);
        // Outcome's own helper takes the name first: `problem('QueueFull', ...)`.
        for (const m of text.matchAll(/\bproblem\('(\w+)'/g)) found.add(m[1]);
      }
    }
    assert.ok(found.has('QueueFull') && found.has('ConfigurationError'), `the scan finds the node's names (${[...found]})`);
    for (const name of found) assert.ok(ERROR_NAMES.includes(name), `${name} is documented`);
  });

  it('the help and the README list exactly these names', function () {
    const help = fs.readFileSync(path.join(root, 'nodes/locales/en-US/sagemaker-invoke.html'), 'utf8');
    const helpSection = help.slice(help.indexOf('id="error-names"'), help.indexOf('</dl>', help.indexOf('id="error-names"')));
    const helpNames = [...helpSection.matchAll(/<dt>([^<]*(?:<code>\w+<\/code>[^<]*)+)<\/dt>/g)]
      .flatMap((m) => [...m[1].matchAll(/<code>(\w+)<\/code>/g)].map((c) => c[1]));
    assert.deepEqual([...helpNames].sort(), [...ERROR_NAMES].sort(), 'help');

    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('### Error names');
    assert.ok(start > 0, 'README has an Error names section');
    const table = readme.slice(start).split('\n\n').find((block) => block.startsWith('|'));
    const readmeNames = table.split('\n').slice(2).flatMap((row) => [...row.split('|')[1].matchAll(/`(\w+)`/g)].map((c) => c[1]));
    assert.deepEqual([...readmeNames].sort(), [...ERROR_NAMES].sort(), 'README');
  });
});

describe('errors: an answer that is not SageMaker\'s', function () {
  const answer = (status, contentType, body, fields = {}) => Object.assign(new SyntaxError('Unexpected token \'<\', "<html>" is not valid JSON'), {
    $metadata: { httpStatusCode: status, attempts: 1 },
    $response: { statusCode: status, headers: contentType ? { 'Content-Type': contentType } : {}, body },
    ...fields,
  });

  it('says what came back: status, content type and the body\'s words, and what it likely means', function () {
    const m = mapError(answer(502, 'text/html', Buffer.from('<html><h1>502 Bad Gateway</h1></html>')), ctx);
    assert.equal(m.key, 'unexpectedResponseAt');
    assert.equal(m.params.url, 'http://127.0.0.1:1');
    assert.equal(m.params.contentType, 'text/html');
    assert.equal(m.params.body, 'body "502 Bad Gateway"');
    assert.equal(m.short, '502 text/html');
    assert.deepEqual(m.details, {
      name: 'UnexpectedResponse', message: 'status 502, content type text/html, body "502 Bad Gateway"', statusCode: 502,
      attempts: 1, contentType: 'text/html',
    });
    assert.equal(mapError(answer(502, 'text/html', Buffer.from('x')), { ...ctx, endpointUrl: undefined }).key, 'unexpectedResponse');
  });

  it('reads the SDK\'s own copy of the body, and says so when no body was kept or it is not text', function () {
    assert.equal(mapError(answer(500, 'text/xml', undefined, { $responseBodyText: '<e>oops</e>' }), ctx).params.body, 'body "oops"');
    assert.equal(mapError(answer(500, 'text/plain', { pipe() {} }), ctx).params.body, 'a body that was not kept');
    assert.equal(mapError(answer(500, 'application/octet-stream', Buffer.from([0, 1, 2, 0xff, 0xfe])), ctx).params.body, 'a body of 5 bytes that is not text');
    assert.equal(mapError(answer(500, '', Buffer.alloc(0)), ctx).params.body, 'an empty body');
    assert.equal(mapError(answer(500, '', Buffer.alloc(0)), ctx).params.contentType, 'none');
  });

  it('an error without a type is foreign when its body is not JSON; SageMaker\'s own bare 413 is not', function () {
    const unknown = (status, contentType) => answer(status, contentType, Buffer.alloc(0), { name: 'Unknown', $fault: 'client', message: 'UnknownError' });
    assert.equal(mapError(unknown(404, 'text/html'), ctx).details.name, 'UnexpectedResponse');
    assert.equal(mapError(unknown(413, ''), ctx).details.name, 'PayloadTooLarge');
    assert.equal(mapError(unknown(413, 'application/json'), ctx).details.name, 'PayloadTooLarge');
    assert.equal(mapError(unknown(400, 'application/json'), ctx).details.name, 'ServiceError');
  });

  it('a modelled service error, a broken connection or a timeout while reading is not about the answer\'s content', function () {
    assert.equal(mapError(answer(400, 'application/json', Buffer.from('{}'), { name: 'ValidationError', $fault: 'client' }), ctx).details.name, 'ValidationError');
    assert.equal(mapError(answer(200, 'text/html', undefined, { name: 'Error', code: 'ECONNRESET' }), ctx).details.name, 'NetworkError');
    assert.equal(mapError(answer(200, 'text/html', undefined, { name: 'TimeoutError' }), ctx).details.name, 'TimeoutError');
  });
});
