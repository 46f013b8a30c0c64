'use strict';
const assert = require('node:assert/strict');
const { buildInvokeRequest, validateNodeFields, getMsgProperty, setMsgProperty } = require('../../nodes/lib/request');
const { OVERRIDABLE_FIELDS } = require('../../nodes/lib/names');

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
      (e) => e.key === 'notAString' && e.params.field === 'msg.endpointName' && e.params.type === 'object');
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
