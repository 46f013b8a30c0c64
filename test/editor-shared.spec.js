'use strict';
// The script the editor loads (resources/editor-shared.js), run as a browser would: one global, the same rules
// as the runtime, and validators Node-RED will show messages for.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const names = require('../dist/shared/names');

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
    assert.deepEqual(JSON.parse(JSON.stringify(S.names.INVOKE_LIMITS)), names.INVOKE_LIMITS);
    assert.deepEqual(JSON.parse(JSON.stringify(S.names.BATCH_FORMATS)), names.BATCH_FORMATS);
  });
  it('declares (value, opt) on every validator, so Node-RED shows their messages', function () {
    assert.equal(S.fieldValidator('endpointName').length, 2);
    assert.equal(S.configValidator('region', true).length, 2);
    assert.equal(S.integerValidator(1, 10).length, 2);
    assert.equal(S.propertyValidator.length, 2);
    assert.equal(S.choiceValidator(['a']).length, 2);
    assert.equal(S.batchSizeValidator.length, 2);
    assert.equal(S.batchKeyValidator.length, 2);
    assert.equal(S.maxQueueValidator.length, 2);
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
    assert.match(S.propertyValidator('data[0]', { label: 'Input' }), /^Input: must be/);
    assert.equal(S.fieldValidator('endpointName')('good', { label: 'Endpoint' }), true);
  });
  it('batching: batchSize, batchWindow and batchFormat in range, blank being the default', function () {
    const size = S.batchSizeValidator;
    for (const ok of ['', '1', 1, '16', 1000]) assert.equal(size.call({}, ok), true, `batchSize ${ok}`);
    assert.match(size.call({}, '0'), /whole number from 1 to 1000/);
    assert.match(size.call({}, '1001'), /whole number from 1 to 1000/);
    assert.match(size.call({}, '2.5'), /whole number/);
    const window = S.integerValidator(names.INVOKE_LIMITS.batchWindow.min, names.INVOKE_LIMITS.batchWindow.max);
    assert.equal(window('0'), true, 'a window of 0 sends what arrived in the same tick');
    assert.equal(window('60000'), true);
    assert.match(window('60001'), /0 to 60000/);
    const format = S.choiceValidator(names.BATCH_FORMATS);
    for (const f of ['', 'csv', 'json', 'jsonlines']) assert.equal(format(f), true, `batchFormat ${f}`);
    assert.match(format('xml', { label: 'Batch as' }), /^Batch as: must be one of csv, json, jsonlines$/);
  });
  it('batching: above 1 only in mode invoke, and never with output buffer', function () {
    const size = S.batchSizeValidator;
    assert.equal(size.call({ mode: 'invoke' }, '16'), true);
    assert.equal(size.call({}, '16'), true, 'a node without a mode is invoke');
    assert.match(size.call({ mode: 'stream' }, '16', { label: 'Batch size' }), /^Batch size: mode stream \(InvokeEndpointWithResponseStream\) cannot batch/);
    assert.match(size.call({ mode: 'async' }, '2'), /mode async \(InvokeEndpointAsync\) cannot batch/);
    assert.equal(size.call({ mode: 'stream' }, '1'), true, 'batchSize 1 is no batching, fine in any mode');
    assert.equal(size.call({ mode: 'stream' }, ''), true);
    // The buffer error is the output's: it is reported there, and only there.
    assert.match(S.outputValidator.call({ batchSize: '16' }, 'buffer', { label: 'Output as' }), /^Output as: a binary buffer cannot be cut into one result per message/);
    assert.equal(size.call({ output: 'buffer' }, '16'), true);
    for (const form of ['auto', 'json', 'text']) assert.equal(S.outputValidator.call({ batchSize: '16' }, form), true, form);
    assert.equal(S.outputValidator.call({ batchSize: '1' }, 'buffer'), true);
    assert.equal(S.outputValidator.call({ batchSize: '16', mode: 'stream' }, 'buffer'), true, 'the mode is batchSize\'s error');
  });
  it('batching: batchKey only in a json batch, following its rule; maxQueue at least batchSize', function () {
    const key = S.batchKeyValidator;
    assert.equal(key.call({ batchSize: '8', batchFormat: 'json' }, ''), true, 'blank: a bare array');
    assert.equal(key.call({ batchSize: '8', batchFormat: 'json' }, 'instances'), true);
    assert.match(key.call({ batchSize: '8', batchFormat: 'csv' }, 'instances', { label: 'Batch key' }), /^Batch key: only a json batch has an object to put it in \(this one is csv\)/);
    assert.match(key.call({ batchSize: '8' }, 'instances'), /this one is csv/, 'blank batchFormat is csv');
    assert.match(key.call({ batchSize: '8', batchFormat: 'json' }, ' instances'), /printable US-ASCII characters/);
    assert.match(key.call({ batchSize: '8', batchFormat: 'json' }, 'a'.repeat(257)), /at most 256 characters/);
    assert.equal(key.call({ batchSize: '1', batchFormat: 'csv' }, 'instances'), true, 'not batching: the key is not used');
    const queue = S.maxQueueValidator;
    assert.equal(queue.call({ batchSize: '16' }, '16'), true);
    assert.equal(queue.call({}, '0'), true, 'no batching: no queue is fine');
    assert.match(queue.call({ batchSize: '16' }, '8', { label: 'Queue' }), /^Queue: must be at least the batch size \(16\)/);
    assert.equal(queue.call({ batchSize: '1000' }, ''), true, 'blank is the default 1000, which holds the largest batch');
    assert.equal(queue.call({ batchSize: '1001' }, ''), true, 'a batch size out of range is its own error, not the queue\'s');
    assert.match(queue.call({ batchSize: '16' }, '-1'), /0 to 1000000/);
    assert.equal(queue.call({ batchSize: '16', mode: 'stream' }, '8'), true, 'the mode is batchSize\'s error');
    assert.equal(queue.call({ batchSize: '${SIZE}' }, '8'), true, 'an env variable is checked when the flow starts');
  });
  it('batching: each broken rule is reported once, by the field it is about, as the runtime reports it', function () {
    const node = { mode: 'invoke', output: 'buffer', batchSize: '16', batchFormat: 'csv', batchKey: 'instances', maxQueue: '8' };
    const label = (key) => ({ label: key });
    const messages = [
      S.batchSizeValidator.call(node, node.batchSize, label('batchSize')),
      S.outputValidator.call(node, node.output, label('output')),
      S.batchKeyValidator.call(node, node.batchKey, label('batchKey')),
      S.maxQueueValidator.call(node, node.maxQueue, label('maxQueue')),
    ].filter((m) => m !== true).map((m) => m.split(':')[0]);
    assert.deepEqual(messages, ['output', 'batchKey', 'maxQueue']);
    // The runtime's own check names the same ones, all at once, each by the rule the dialog shows.
    const { resolveInvokeSettings } = require('../dist/shared/invoke-settings');
    const found = resolveInvokeSettings({ ...node, batchSize: 16, maxQueue: 8 });
    assert.deepEqual(found.errors.map((e) => [e.params.field ?? '', e.key]), [['', 'batchOutputBuffer'], ['', 'batchKeyUnused'], ['', 'batchQueueTooSmall']]);
    // A number that breaks its own rule is named once, by its own field: not also as too big for the queue.
    assert.equal(S.maxQueueValidator.call({ batchSize: '1001' }, '1000', label('maxQueue')), true);
    assert.match(S.batchSizeValidator.call({ maxQueue: '1000' }, '1001', label('batchSize')), /^batchSize: must be a whole number/);
    assert.equal(resolveInvokeSettings({ batchSize: '1001', maxQueue: '1000' }).params.field, 'batchSize');
  });
  it('bidi node: its fields, output and limits by the runtime\'s rules (bidi-settings)', function () {
    assert.equal(S.names.BIDI_NODE_TYPE, names.BIDI_NODE_TYPE);
    assert.deepEqual(JSON.parse(JSON.stringify(S.names.BIDI_DEFAULTS)), names.BIDI_DEFAULTS);
    const v = (field, value) => S.bidiValidator(field)(value, { label: 'L' });
    assert.equal(S.bidiValidator('endpointName').length, 2);
    assert.equal(v('endpointName', ''), true);
    assert.equal(v('endpointName', '${EP}'), true);
    assert.match(v('endpointName', 'bad_name'), /^L: must be letters/);
    assert.equal(v('modelInvocationPath', 'v1/transcribe'), true);
    assert.notEqual(v('modelInvocationPath', '/v1'), true);
    assert.notEqual(v('modelInvocationPath', 'a//b'), true);
    assert.notEqual(v('modelInvocationPath', 'x'.repeat(101)), true);
    assert.equal(v('modelQueryString', 'language=en&rate=16000'), true);
    assert.equal(v('modelQueryString', 'a=%26'), true);
    assert.notEqual(v('modelQueryString', 'no-equals'), true);
    assert.notEqual(v('modelQueryString', 'a=1&&b=2'), true);
    assert.equal(v('output', 'json'), true);
    assert.notEqual(v('output', 'xml'), true);
    assert.equal(v('idleTimeout', ''), true);
    assert.notEqual(v('idleTimeout', '0'), true);
    assert.notEqual(v('maxQueue', '1.5'), true);
  });

  it('issue 23\'s settings: the editor accepts and refuses what the runtime does, and a node saved without them is valid in both', function () {
    const { resolveInvokeSettings } = require('../dist/shared/invoke-settings');
    const { resolveClientSettings } = require('../dist/config/client-config');
    const opt = { label: 'L' };
    // The invoke node's onUnreachable and holdTimeout.
    const onUnreachable = S.choiceValidator(S.names.ON_UNREACHABLE);
    const runtime = (def) => {
      const r = resolveInvokeSettings({ endpointName: 'ep', ...def });
      return r instanceof Error ? r.params.rule : true;
    };
    for (const value of [undefined, '', 'fail', 'hold', 'wait']) {
      assert.equal(onUnreachable(value, opt) === true, runtime({ onUnreachable: value }) === true, `onUnreachable ${value}`);
    }
    assert.equal(onUnreachable('wait', opt), 'L: must be one of fail, hold');
    for (const value of [undefined, '', '1', '300', '86400', '0', '86401', '1.5', 'soon']) {
      const editor = S.holdTimeoutValidator.call({ onUnreachable: 'hold' }, value, opt);
      assert.equal(editor === true, runtime({ onUnreachable: 'hold', holdTimeout: value }) === true, `holdTimeout ${value}`);
    }
    assert.match(S.holdTimeoutValidator.call({}, '0', opt), /^L: must be a whole number from 1 to 86400/);
    assert.equal(S.holdTimeoutValidator.length, 2);
    const saved = runtime({});
    assert.equal(saved, true);
    assert.deepEqual([resolveInvokeSettings({ endpointName: 'ep' }).onUnreachable, resolveInvokeSettings({ endpointName: 'ep' }).holdTimeout], ['fail', '']);
    // The config node's IoT settings (required ones only with authMode iot).
    const config = (field, value) => {
      try {
        resolveClientSettings({ region: 'eu-west-1', authMode: 'iot', iotCredentialsEndpoint: 'c2abcd.credentials.iot.eu-west-1.amazonaws.com', iotRoleAlias: 'alias', [field]: value }, {});
        return true;
      } catch (err) {
        return (err.errors || [err]).some((e) => e.params.field === field) ? false : true;
      }
    };
    const cases = {
      iotCredentialsEndpoint: ['c2abcd.credentials.iot.eu-west-1.amazonaws.com', 'https://127.0.0.1:8443', 'host:8443', 'http://plain', 'a b', ''],
      iotRoleAlias: ['sagemaker-invoker-alias', 'a=b,c@d_e', 'no spaces', 'x'.repeat(129), ''],
      iotThingName: ['gateway-7', 'plant:line_3', 'no/slash', 'x'.repeat(129), ''],
    };
    for (const [field, values] of Object.entries(cases)) {
      const editor = S.configValidator(field, field !== 'iotThingName');
      for (const value of values) assert.equal(editor(value, opt) === true, config(field, value), `${field} ${JSON.stringify(value)}`);
    }
  });

  it('msg property paths take the dotted form the runtime reads', function () {
    assert.equal(S.propertyValidator('payload'), true);
    assert.equal(S.propertyValidator('data.input'), true);
    assert.match(S.propertyValidator('data[0]'), /property path/);
  });

  it('takes a blank input or output property as the runtime does: the default, msg.payload', function () {
    const { resolveInvokeSettings } = require('../dist/shared/invoke-settings');
    const { inputProperty, outputProperty, ...rest } = names.INVOKE_DEFAULTS;
    const settings = resolveInvokeSettings({ ...rest, endpointName: 'ep' });
    assert.ok(!(settings instanceof Error), String(settings && settings.message));
    assert.deepEqual([settings.inputProperty, settings.outputProperty], [inputProperty, outputProperty]);
    for (const blank of ['', undefined]) assert.equal(S.propertyValidator(blank), true, `${JSON.stringify(blank)} is valid`);
  });
});

describe('editor-shared.js: the dialog pieces every node\'s editor builds the same way', function () {
  const D = S.dialog;
  it('a request field row: its icon (a pencil without one), label and placeholder from the node type\'s locale', function () {
    const row = D.fieldRow('sagemaker-bidi', 'endpointName', 'fa-bullseye');
    assert.match(row, /<label for="node-input-endpointName"><i class="fa fa-bullseye"><\/i>/);
    assert.match(row, /data-i18n="sagemaker-bidi\.label\.endpointName"/);
    assert.match(row, /id="node-input-endpointName"[^>]*data-i18n="\[placeholder\]sagemaker-bidi\.placeholder\.endpointName"/);
    assert.match(D.fieldRow('t', 'f'), /fa-pencil/);
  });
  it('options: one per choice, in order, labelled from the locale', function () {
    assert.equal(D.options('t', 'output', ['auto', 'json']), '<option value="auto" data-i18n="t.output.auto"></option><option value="json" data-i18n="t.output.json"></option>');
  });
  it('fills a template at its markers, and says so when the page has none', function () {
    const template = { textContent: 'a <!-- rows --> b <!-- choices: x -->' };
    sandbox.document = { querySelector: (sel) => (sel === 'script[data-template-name="t"]' ? template : null) };
    try {
      assert.equal(D.fillTemplate('t', { rows: 'R', 'choices: x': 'X' }), true);
      assert.equal(template.textContent, 'a R b X');
      const warn = console.warn;
      console.warn = () => undefined;
      try {
        assert.equal(D.fillTemplate('other', { rows: 'R' }), false);
      } finally {
        console.warn = warn;
      }
    } finally {
      delete sandbox.document;
    }
  });
  it('labels each default from the locale through RED._, and an endpoint node\'s canvas label', function () {
    sandbox.RED = { _: (key) => `L(${key})` };
    try {
      const defaults = { name: {}, endpointName: {} };
      D.labelDefaults('sagemaker-bidi', defaults);
      assert.equal(defaults.endpointName.label, `L(${names.MODULE_NAME}/sagemaker-bidi:sagemaker-bidi.label.endpointName)`);
    } finally {
      delete sandbox.RED;
    }
    const L = D.endpointNodeLabels('sagemaker-bidi');
    const node = { _: (key) => `T(${key})` };
    assert.equal(L.paletteLabel.call(node), 'T(sagemaker-bidi.paletteLabel)');
    assert.equal(L.label.call(node), 'T(sagemaker-bidi.paletteLabel)');
    assert.equal(L.label.call({ ...node, endpointName: 'ep' }), 'ep');
    assert.equal(L.label.call({ ...node, endpointName: 'ep', name: 'mine' }), 'mine');
    assert.equal(L.labelStyle.call({ ...node, name: 'mine' }), 'node_label_italic');
    assert.equal(L.labelStyle.call(node), '');
  });
});
