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
  it('network failures name the URL and the code', function () {
    const m = mapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), ctx);
    assert.equal(m.key, 'network');
    assert.equal(m.params.code, 'ECONNREFUSED');
    assert.equal(m.params.url, 'http://127.0.0.1:1');
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
