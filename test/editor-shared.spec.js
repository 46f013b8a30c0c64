'use strict';
// The script the editor loads (resources/editor-shared.js), run as a browser would: one global, the same rules
// as the runtime, and validators Node-RED will show messages for.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const names = require('../nodes/lib/names');

const code = fs.readFileSync(path.join(__dirname, '../resources/editor-shared.js'), 'utf8');
const sandbox = {};
sandbox.globalThis = sandbox;
vm.runInNewContext(code, sandbox);
const S = sandbox.SageMakerRuntime;

describe('editor-shared.js: the editor\'s names and validators', function () {
  it('exposes the same public names as the runtime', function () {
    assert.equal(S.names.INVOKE_NODE_TYPE, names.INVOKE_NODE_TYPE);
    assert.equal(S.names.CONFIG_NODE_TYPE, names.CONFIG_NODE_TYPE);
    assert.equal(S.names.PALETTE_CATEGORY, 'AWS');
    assert.deepEqual(JSON.parse(JSON.stringify(S.names.INVOKE_DEFAULTS)), names.INVOKE_DEFAULTS);
    assert.deepEqual(JSON.parse(JSON.stringify(S.names.OVERRIDABLE_FIELDS)), names.OVERRIDABLE_FIELDS);
  });
  it('declares (value, opt) on every validator, so Node-RED shows their messages', function () {
    assert.equal(S.fieldValidator('endpointName').length, 2);
    assert.equal(S.configValidator('region', true).length, 2);
    assert.equal(S.integerValidator(1, 10).length, 2);
    assert.equal(S.propertyValidator.length, 2);
    assert.equal(S.choiceValidator(['a']).length, 2);
  });
  it('request fields: empty and ${ENV_VAR} are valid, a broken rule gives the rule in words', function () {
    const v = S.fieldValidator('endpointName');
    assert.equal(v(''), true);
    assert.equal(v('my-endpoint'), true);
    assert.equal(v('${ENDPOINT}'), true);
    assert.match(v('bad_name'), /letters, digits and hyphens/);
    assert.match(S.fieldValidator('customAttributes')('a'.repeat(1025)), /at most 1024 characters/);
  });
  it('config fields: region required and shaped, numbers in range', function () {
    const region = S.configValidator('region', true);
    assert.equal(region('eu-west-1'), true);
    assert.match(String(region('')), /required/);
    assert.match(region('Ireland'), /AWS region/);
    assert.match(S.configValidator('endpointUrl', false)('localhost:8080'), /http/);
    assert.equal(S.configValidator('endpointUrl', false)(''), true);
    const attempts = S.integerValidator(1, 10);
    assert.equal(attempts('3'), true);
    assert.equal(attempts(3), true);
    assert.match(attempts('0'), /1 to 10/);
    assert.match(attempts('2.5'), /whole number/);
  });
  it('a field the node\'s mode does not take must be empty; choices and stream JSON are checked', function () {
    const targetModel = S.fieldValidator('targetModel');
    assert.equal(targetModel.call({}, 'm.tar.gz'), true, 'a node without a mode is invoke');
    assert.match(targetModel.call({ mode: 'stream' }, 'm.tar.gz'), /mode stream \(InvokeEndpointWithResponseStream\) does not take/);
    assert.equal(targetModel.call({ mode: 'stream' }, ''), true);
    const ttl = S.fieldValidator('requestTTLSeconds');
    assert.equal(ttl.call({ mode: 'async' }, '600'), true);
    assert.match(ttl.call({ mode: 'async' }, '30'), /60 to 21600/);
    assert.match(ttl.call({ mode: 'invoke' }, '600'), /does not take/);
    assert.equal(S.choiceValidator(names.INVOKE_MODES)('stream'), true);
    assert.match(S.choiceValidator(names.INVOKE_MODES)('batch'), /one of invoke, stream, async/);
    assert.equal(S.outputValidator.length, 2);
    assert.match(S.outputValidator.call({ mode: 'stream', streamSplit: 'none' }, 'json'), /needs Split set to lines/);
    assert.equal(S.outputValidator.call({ mode: 'stream', streamSplit: 'lines' }, 'json'), true);
    assert.equal(S.outputValidator.call({ mode: 'invoke' }, 'json'), true);
    assert.match(S.outputValidator.call({}, 'xml'), /one of auto/);
  });
  it("starts a message with the field's label when Node-RED passes one, so the node's tooltip names the field", function () {
    assert.equal(S.fieldValidator('endpointName')('bad_name', { label: 'Endpoint' }).split(':')[0], 'Endpoint');
    assert.match(S.configValidator('region', true)('', { label: 'Region' }), /^Region: required$/);
    assert.match(S.integerValidator(1, 10)('0', { label: 'Max attempts' }), /^Max attempts: must be/);
    assert.match(S.propertyValidator('', { label: 'Input' }), /^Input: must be/);
    assert.equal(S.fieldValidator('endpointName')('good', { label: 'Endpoint' }), true);
  });
  it('msg property paths take the dotted form the runtime reads', function () {
    assert.equal(S.propertyValidator('payload'), true);
    assert.equal(S.propertyValidator('data.input'), true);
    assert.match(S.propertyValidator('data[0]'), /property path/);
    assert.match(S.propertyValidator(''), /property path/);
  });
});
