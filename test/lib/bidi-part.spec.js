'use strict';
// The bidi node's pure pieces: a msg as a part, a part as a payload, the request resolved from node and msg, the
// settings checked once, and failures named as the invoke node names them.
const assert = require('node:assert/strict');
const { readInput, decodePart } = require('../../dist/bidi/part');
const { resolveRequest, streamKey } = require('../../dist/bidi/request');
const { resolveBidiSettings, BIDI_DEFAULTS } = require('../../dist/shared/bidi-settings');
const { openFailed, streamEventFailed, streamBroken } = require('../../dist/bidi/errors');
const { ERROR_NAMES } = require('../../dist/invoke/errors');
const { FlowError } = require('../../dist/shared/flow-error');

const utf8 = (s, completionState = 'COMPLETE') => ({ bytes: Buffer.from(s), dataType: 'UTF8', completionState });
const NODE = { endpointName: '', targetVariant: '', modelInvocationPath: '', modelQueryString: '' };
const CTX = { endpointName: 'ep', timeoutMs: 1000, partsSent: 4, partsReceived: 3 };

describe('bidi part: a msg in, a part out', function () {
  it('a Buffer is BINARY, a string UTF8, anything else JSON as UTF8; msg.partial === true is PARTIAL', function () {
    assert.deepEqual(readInput({ payload: Buffer.from([1]) }).part.dataType, 'BINARY');
    const text = readInput({ payload: 'hi', partial: true }).part;
    assert.deepEqual([text.dataType, text.completionState, Buffer.from(text.bytes).toString()], ['UTF8', 'PARTIAL', 'hi']);
    const json = readInput({ payload: { a: [1] }, partial: 'yes' }).part;
    assert.deepEqual([json.dataType, json.completionState, Buffer.from(json.bytes).toString()], ['UTF8', 'COMPLETE', '{"a":[1]}']);
  });

  it('flags: complete with or without a payload, reset ignores the payload; nothing at all is an error', function () {
    assert.deepEqual(readInput({ complete: true }), { complete: true, reset: false });
    assert.equal(readInput({ payload: 1, complete: true }).part.dataType, 'UTF8');
    assert.deepEqual(readInput({ reset: true, payload: 'x' }), { reset: true, complete: false });
    assert.throws(() => readInput({}), (e) => e instanceof FlowError && e.key === 'missingBody');
    assert.throws(() => readInput({ payload: () => 1 }), (e) => e.key === 'unrepresentableBody');
  });

  it('decodes answers by output: auto parses JSON text when it parses, keeps text, gives BINARY as a Buffer', function () {
    assert.deepEqual(decodePart(utf8('{"score":1}'), 'auto'), { score: 1 });
    assert.equal(decodePart(utf8('not json'), 'auto'), 'not json');
    assert.equal(decodePart(utf8('{"cut'), 'auto'), '{"cut');
    assert.ok(Buffer.isBuffer(decodePart({ bytes: new Uint8Array([1]), dataType: 'BINARY' }, 'auto')));
    assert.equal(decodePart(utf8('{"a":1}'), 'text'), '{"a":1}');
    assert.ok(Buffer.isBuffer(decodePart(utf8('x'), 'buffer')));
    assert.throws(() => decodePart(utf8('nope'), 'json'), (e) => e.key === 'badJson');
  });
});

describe('bidi request: node fields win, msg fields fill blanks', function () {
  it('takes msg fields when the node leaves them blank, checked by their rules', function () {
    const r = resolveRequest(NODE, { endpointName: 'ep', modelInvocationPath: 'v1/go', modelQueryString: 'a=1', targetVariant: 'blue' });
    assert.deepEqual(r, { request: { endpointName: 'ep', targetVariant: 'blue', modelInvocationPath: 'v1/go', modelQueryString: 'a=1' }, overridden: [] });
    assert.throws(() => resolveRequest(NODE, { endpointName: 'ep', modelQueryString: 'bad' }), (e) => e.key === 'invalidField' && e.params.field === 'msg.modelQueryString');
    assert.throws(() => resolveRequest(NODE, { endpointName: { x: 1 } }), (e) => e.key === 'notAString');
    assert.throws(() => resolveRequest(NODE, {}), (e) => e.key === 'noEndpoint');
  });

  it('the node wins and reports the msg fields it overrides', function () {
    const r = resolveRequest({ ...NODE, endpointName: 'node-ep' }, { endpointName: 'msg-ep' });
    assert.deepEqual(r, { request: { endpointName: 'node-ep' }, overridden: ['endpointName'] });
    assert.deepEqual(resolveRequest({ ...NODE, endpointName: 'same' }, { endpointName: 'same' }).overridden, []);
  });

  it('keys streams by msg.topic as text; no topic is the blank key', function () {
    assert.equal(streamKey({}), '');
    assert.equal(streamKey({ topic: 7 }), '7');
    assert.equal(streamKey({ topic: 'pump' }), 'pump');
  });
});

describe('bidi settings: defined once, checked once', function () {
  it('blank is the default; bad values name the field and keep the value set', function () {
    const s = resolveBidiSettings({});
    assert.deepEqual([s.output, s.idleTimeout, s.maxStreams, s.maxQueue], [BIDI_DEFAULTS.output, 60, 16, 100]);
    assert.deepEqual(resolveBidiSettings({ idleTimeout: '5', maxStreams: 2, endpointName: 'ep' }).fields.endpointName, 'ep');
    const bad = resolveBidiSettings({ maxQueue: '0' });
    assert.ok(bad instanceof FlowError);
    assert.deepEqual([bad.key, bad.params.field, bad.params.value], ['invalidField', 'maxQueue', '0']);
    assert.equal(resolveBidiSettings({ endpointName: 'bad_name' }).params.field, 'endpointName');
    assert.equal(resolveBidiSettings({ output: 'xml' }).params.field, 'output');
  });
});

describe('bidi errors: the invoke node\'s names and words', function () {
  it('names open failures as the invoke node does (InputValidationError is a ValidationError)', function () {
    const v = openFailed({ name: 'InputValidationError', message: 'bad', $fault: 'client', $metadata: { httpStatusCode: 400 } }, CTX);
    assert.deepEqual([v.key, v.details.name], ['validationError', 'ValidationError']);
    const m = openFailed({ name: 'ModelError', message: 'm', OriginalStatusCode: 503, OriginalMessage: 'busy', $fault: 'client', $metadata: { httpStatusCode: 424 } }, CTX);
    assert.deepEqual([m.key, m.params.originalStatus, m.params.originalMessage], ['modelError', 503, 'busy']);
    const s = openFailed({ name: 'ServiceUnavailableError', message: 'later', $fault: 'server', $metadata: { httpStatusCode: 503 } }, CTX);
    assert.deepEqual([s.key, s.details.name, s.details.errorCode], ['serviceFailure', 'ServiceError', 'ServiceUnavailableError']);
  });

  it('mid-stream failures carry the counts', function () {
    const e = streamEventFailed({ kind: 'modelStreamError', message: 'oops', errorCode: 'E1' }, CTX);
    assert.deepEqual([e.key, e.details.name, e.params.errorCode, e.params.sent, e.params.parts], ['modelStreamError', 'ModelStreamError', 'E1', 4, 3]);
    const f = streamEventFailed({ kind: 'internalStreamFailure', message: 'x' }, CTX);
    assert.equal(f.details.name, 'InternalStreamFailure');
    const r = streamBroken(Object.assign(new Error('Stream closed with error code NGHTTP2_INTERNAL_ERROR'), { code: 'ERR_HTTP2_STREAM_ERROR' }), CTX);
    assert.deepEqual([r.key, r.details.name, r.params.code, r.details.partsReceived], ['streamBroken', 'NetworkError', 'ERR_HTTP2_STREAM_ERROR', 3]);
    for (const x of [e, f, r]) assert.ok(ERROR_NAMES.includes(x.details.name));
  });
});
