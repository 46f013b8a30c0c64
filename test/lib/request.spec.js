'use strict';
const assert = require('node:assert/strict');
const { buildRequest, getMsgProperty, setMsgProperty } = require('../../dist/invoke/request');
const { validateNodeFields } = require('../../dist/shared/fields');
const { OVERRIDABLE_FIELDS } = require('../../dist/shared/names');

const buildInvokeRequest = (node, msg, property) => buildRequest('invoke', node, msg, property);
const blankNode = () => Object.fromEntries(Object.keys(OVERRIDABLE_FIELDS).map((k) => [k, '']));

describe('request: node settings and msg to InvokeEndpoint input', function () {
  it('takes every field from the msg when the node leaves it empty', function () {
    const msg = {
      payload: { x: 1 },
      endpointName: 'ep', contentType: 'application/json', accept: 'application/json', customAttributes: 'a=1',
      targetModel: 'm.tar.gz', targetVariant: 'v1', targetContainerHostname: 'c1', enableExplanations: '`true`',
      inferenceComponentName: 'ic-1', prefixAwareId: 'p-1', inferenceId: 'inf-1', sessionId: 'NEW_SESSION',
    };
    const { input, overridden } = buildInvokeRequest(blankNode(), msg, 'payload');
    assert.deepEqual(overridden, []);
    assert.equal(input.EndpointName, 'ep');
    assert.equal(input.ContentType, 'application/json');
    assert.equal(input.Accept, 'application/json');
    assert.equal(input.CustomAttributes, 'a=1');
    assert.equal(input.TargetModel, 'm.tar.gz');
    assert.equal(input.TargetVariant, 'v1');
    assert.equal(input.TargetContainerHostname, 'c1');
    assert.equal(input.EnableExplanations, '`true`');
    assert.equal(input.InferenceComponentName, 'ic-1');
    assert.equal(input.PrefixAwareId, 'p-1');
    assert.equal(input.InferenceId, 'inf-1');
    assert.equal(input.SessionId, 'NEW_SESSION');
    assert.equal(Buffer.from(input.Body).toString(), '{"x":1}');
  });
  it('a set node property wins and the differing msg property is reported', function () {
    const node = { ...blankNode(), endpointName: 'node-ep', accept: 'text/csv' };
    const { input, overridden } = buildInvokeRequest(node, { payload: 'x', endpointName: 'msg-ep', accept: 'text/csv' }, 'payload');
    assert.equal(input.EndpointName, 'node-ep');
    assert.equal(input.Accept, 'text/csv');
    assert.deepEqual(overridden, ['endpointName']);
  });
  it('chooses the default content type from the input, unless one is set', function () {
    const node = { ...blankNode(), endpointName: 'ep' };
    assert.equal(buildInvokeRequest(node, { payload: 'a,b' }, 'payload').input.ContentType, 'text/plain');
    assert.equal(buildInvokeRequest(node, { payload: Buffer.from('x') }, 'payload').input.ContentType, 'application/octet-stream');
    assert.equal(buildInvokeRequest(node, { payload: [1] }, 'payload').input.ContentType, 'application/json');
    assert.equal(buildInvokeRequest(node, { payload: 'a,b', contentType: 'text/csv' }, 'payload').input.ContentType, 'text/csv');
  });
  it('reads a nested input property', function () {
    const node = { ...blankNode(), endpointName: 'ep' };
    const { input } = buildInvokeRequest(node, { data: { input: 'hello' } }, 'data.input');
    assert.equal(Buffer.from(input.Body).toString(), 'hello');
  });
  it('refuses a msg field that breaks its rule, naming the msg property', function () {
    const node = blankNode();
    assert.throws(() => buildInvokeRequest(node, { payload: 1, endpointName: 'bad_name' }, 'payload'),
      (e) => e.key === 'invalidField' && e.params.field === 'msg.endpointName' && /letters, digits/.test(e.params.rule));
    assert.throws(() => buildInvokeRequest(node, { payload: 1, endpointName: 'ep', sessionId: 'a\nb' }, 'payload'),
      (e) => e.key === 'invalidField' && e.params.field === 'msg.sessionId');
    assert.throws(() => buildInvokeRequest(node, { payload: 1, endpointName: 'ep', customAttributes: 'x'.repeat(1025) }, 'payload'),
      (e) => e.key === 'invalidField' && e.params.field === 'msg.customAttributes' && /1024/.test(e.params.rule));
  });
  it('refuses a msg field that is not a string, and accepts a number', function () {
    assert.throws(() => buildInvokeRequest(blankNode(), { payload: 1, endpointName: { a: 1 } }, 'payload'),
      (e) => e.key === 'notAString' && e.params.field === 'msg.endpointName' && e.params.type === 'an object');
    const { input } = buildInvokeRequest(blankNode(), { payload: 1, endpointName: 'ep', inferenceId: 42 }, 'payload');
    assert.equal(input.InferenceId, '42');
  });
  it('refuses a request without an endpoint name', function () {
    assert.throws(() => buildInvokeRequest(blankNode(), { payload: 1 }, 'payload'), (e) => e.key === 'noEndpoint');
  });
  it('validateNodeFields names the node property and the rule', function () {
    assert.equal(validateNodeFields({ ...blankNode(), endpointName: 'ok-1' }), undefined);
    const err = validateNodeFields({ ...blankNode(), targetVariant: 'no spaces' });
    assert.equal(err.key, 'invalidField');
    assert.equal(err.params.field, 'targetVariant');
  });
  it('gets and sets nested msg properties', function () {
    const msg = {};
    setMsgProperty(msg, 'a.b.c', 5);
    assert.equal(getMsgProperty(msg, 'a.b.c'), 5);
    assert.equal(getMsgProperty(msg, 'a.x.y'), undefined);
  });
});

describe('request: stream and async modes take their own operation\'s fields', function () {
  const node = (fields = {}) => ({ ...blankNode(), endpointName: 'ep', ...fields });
  const refused = (fn, key, params = {}) =>
    assert.throws(fn, (err) => err.key === key && Object.entries(params).every(([k, v]) => err.params[k] === v));

  it('stream: the response stream\'s fields, Accept included, and an existing session id', function () {
    const msg = {
      payload: 'hi', accept: 'application/jsonlines', customAttributes: 'a=1', targetVariant: 'v1',
      targetContainerHostname: 'c1', inferenceComponentName: 'ic', prefixAwareId: 'p', inferenceId: 'i', sessionId: 's-1',
      filename: '/data/in.csv', inputLocation: 's3://b/k', requestTTLSeconds: 5,
    };
    const { input } = buildRequest('stream', node(), msg, 'payload');
    assert.deepEqual(Object.keys(input).sort(), [
      'Accept', 'Body', 'ContentType', 'CustomAttributes', 'EndpointName', 'InferenceComponentName', 'InferenceId',
      'PrefixAwareId', 'SessionId', 'TargetContainerHostname', 'TargetVariant',
    ], 'async-only msg properties (msg.filename from a file node, say) are left alone');
  });

  it('stream: target model and explanations are errors, on the msg or the node, never dropped', function () {
    refused(() => buildRequest('stream', node(), { payload: 'x', targetModel: 'm.tar.gz' }, 'payload'), 'notForMode', {
      field: 'msg.targetModel', mode: 'stream', operation: 'InvokeEndpointWithResponseStream',
    });
    refused(() => buildRequest('stream', node(), { payload: 'x', enableExplanations: 'true' }, 'payload'), 'notForMode');
    assert.equal(validateNodeFields(node({ enableExplanations: '`true`' }), 'stream').key, 'notForMode');
    assert.equal(validateNodeFields(node({ targetModel: 'm' }), 'stream').params.field, 'targetModel');
    assert.equal(validateNodeFields(node({ targetModel: 'm' }), 'invoke'), undefined);
  });

  it('stream: NEW_SESSION is refused, the stream cannot open a session', function () {
    refused(() => buildRequest('stream', node(), { payload: 'x', sessionId: 'NEW_SESSION' }, 'payload'), 'invalidField', {
      field: 'msg.sessionId',
    });
  });

  it('async: S3 input with every async field, numbers as numbers, no body', function () {
    const msg = {
      inputLocation: 's3://bucket/in/x.csv', requestTTLSeconds: 600, invocationTimeoutSeconds: '120',
      s3OutputPathExtension: 'run-1', filename: 'out.json', inferenceId: 'job-1', contentType: 'text/csv', accept: 'application/json',
      customAttributes: 'c=1',
    };
    const { input } = buildRequest('async', node(), msg, 'payload');
    assert.deepEqual(input, {
      EndpointName: 'ep', ContentType: 'text/csv', Accept: 'application/json', CustomAttributes: 'c=1',
      RequestTTLSeconds: 600, InvocationTimeoutSeconds: 120, S3OutputPathExtension: 'run-1',
      InferenceId: 'job-1', InputLocation: 's3://bucket/in/x.csv', Filename: 'out.json',
    });
  });

  it('async: node properties for TTL, timeout and output path win over the msg', function () {
    const { input, overridden } = buildRequest(
      'async',
      node({ requestTTLSeconds: '3600', invocationTimeoutSeconds: '60', s3OutputPathExtension: 'node' }),
      { payload: { x: 1 }, requestTTLSeconds: 120, s3OutputPathExtension: 'msg' },
      'payload',
    );
    assert.equal(input.RequestTTLSeconds, 3600);
    assert.equal(input.InvocationTimeoutSeconds, 60);
    assert.equal(input.S3OutputPathExtension, 'node');
    assert.deepEqual(overridden.sort(), ['requestTTLSeconds', 's3OutputPathExtension']);
    assert.equal(Buffer.from(input.Body).toString(), '{"x":1}');
    assert.equal(input.ContentType, 'application/json');
  });

  it('async: inline input up to 128,000 bytes; both inputs, neither, or more is an error', function () {
    const ok = buildRequest('async', node(), { payload: 'x'.repeat(128000) }, 'payload');
    assert.equal(ok.input.Body.length, 128000);
    refused(() => buildRequest('async', node(), { payload: 'x'.repeat(128001) }, 'payload'), 'asyncBodyTooLarge', {
      size: 128001, limit: 128000,
    });
    refused(() => buildRequest('async', node(), { payload: 'x', inputLocation: 's3://b/k' }, 'payload'), 'asyncBothInputs');
    refused(() => buildRequest('async', node(), { payload: '' }, 'payload'), 'asyncNoInput');
    refused(() => buildRequest('async', node(), {}, 'payload'), 'asyncNoInput');
  });

  it('async: values out of the API\'s ranges and shapes are errors naming the field', function () {
    const bad = [
      [{ requestTTLSeconds: 59 }, 'msg.requestTTLSeconds', /60 to 21600/],
      [{ requestTTLSeconds: 21601 }, 'msg.requestTTLSeconds', /60 to 21600/],
      [{ invocationTimeoutSeconds: 0 }, 'msg.invocationTimeoutSeconds', /1 to 3600/],
      [{ invocationTimeoutSeconds: 1.5 }, 'msg.invocationTimeoutSeconds', /whole number/],
      [{ inputLocation: 'ftp://b/k', payload: undefined }, 'msg.inputLocation', /s3:/],
      [{ filename: 'a.b.c' }, 'msg.filename', /at most one dot/],
      [{ s3OutputPathExtension: 's3://x' }, 'msg.s3OutputPathExtension', /not starting with s3:/],
    ];
    for (const [fields, field, rule] of bad) {
      assert.throws(
        () => buildRequest('async', node(), { payload: 'x', ...fields }, 'payload'),
        (err) => err.key === 'invalidField' && err.params.field === field && rule.test(err.params.rule),
        field,
      );
    }
    assert.equal(validateNodeFields(node({ requestTTLSeconds: '30' }), 'async').key, 'invalidField');
  });

  it('async: InvokeEndpoint-only fields are errors; invoke mode leaves async-only msg properties alone', function () {
    for (const field of ['targetModel', 'targetVariant', 'targetContainerHostname', 'enableExplanations', 'inferenceComponentName', 'prefixAwareId', 'sessionId']) {
      refused(() => buildRequest('async', node(), { payload: 'x', [field]: 'v1' }, 'payload'), 'notForMode', { field: `msg.${field}` });
    }
    assert.equal(validateNodeFields(node({ requestTTLSeconds: '600' }), 'invoke').key, 'notForMode');
    const { input } = buildRequest('invoke', node(), { payload: 'x', filename: '/tmp/a.csv', requestTTLSeconds: 'soon' }, 'payload');
    assert.equal('Filename' in input || 'RequestTTLSeconds' in input, false);
  });
});
