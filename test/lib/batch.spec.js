'use strict';
const assert = require('node:assert/strict');
const FakeTimers = require('@sinonjs/fake-timers');
const { encodeRow, framing, assemble, groupKey, Batcher, answerForm, splitAnswer } = require('../../dist/invoke/batch');
const { resolveInvokeSettings } = require('../../dist/shared/invoke-settings');
const { FlowError } = require('../../dist/shared/flow-error');

/** What the node's settings check says of these settings: an error, or undefined. */
const batchSettingsError = (def) => {
  const r = resolveInvokeSettings(def);
  return r instanceof FlowError ? r : undefined;
};
const { MAX_BODY_BYTES } = require('../../dist/shared/rules');

const text = (b) => Buffer.from(b).toString('utf8');
/** The FlowError thrown by fn, as { key, params }. */
function flowError(fn) {
  try {
    fn();
  } catch (err) {
    assert.equal(err.name, 'FlowError', String(err));
    return { key: err.key, params: err.params };
  }
  throw new Error('no FlowError thrown');
}

describe('batch: one message as one piece of a batch body', function () {
  it('csv: a string row as it is; an array written as one RFC 4180 row, quoting commas, quotes and line breaks', function () {
    assert.equal(text(encodeRow('csv', '1.5,2,pump-1', 'payload')), '1.5,2,pump-1');
    assert.equal(text(encodeRow('csv', [1.5, -2, 1e21, 'pump-1'], 'payload')), '1.5,-2,1e+21,pump-1');
    assert.equal(
      text(encodeRow('csv', ['a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'plain', ''], 'payload')),
      '"a,b","say ""hi""","two\nlines","cr\rhere",plain,',
    );
    assert.equal(text(encodeRow('csv', [true, null, undefined, 0], 'payload')), 'true,,,0');
    assert.equal(text(encodeRow('csv', 42, 'payload')), '42');
  });

  it('csv: refuses what is not one row, naming the property and the reason', function () {
    const cases = [
      ['one\ntwo', /line break/],
      ['one\r\n', /line break/],
      [[], /array is empty/],
      [{ a: 1 }, /it is an object; give a string \(one row\) or an array/],
      [[1, NaN], /element 1 is NaN/],
      [[1, Infinity], /element 1 is Infinity/],
      [[1, [2, 3]], /element 1 is an array/],
      [[{ x: 1 }], /element 0 is an object/],
      [[1n], /element 0 is a bigint/],
    ];
    for (const [value, reason] of cases) {
      const e = flowError(() => encodeRow('csv', value, 'data.row'));
      assert.equal(e.key, 'batchInput', String(value));
      assert.equal(e.params.property, 'data.row');
      assert.equal(e.params.format, 'csv');
      assert.match(e.params.reason, reason, String(value));
    }
  });

  it('json and jsonlines: one JSON document; bytes, missing input and what JSON cannot hold are refused', function () {
    assert.equal(text(encodeRow('json', { t: 21.5, tags: ['a'] }, 'payload')), '{"t":21.5,"tags":["a"]}');
    assert.equal(text(encodeRow('jsonlines', 'two\nlines', 'payload')), '"two\\nlines"');
    for (const format of ['csv', 'json', 'jsonlines']) {
      assert.match(flowError(() => encodeRow(format, Buffer.from('x'), 'payload')).params.reason, /binary/);
      assert.equal(flowError(() => encodeRow(format, undefined, 'payload')).key, 'missingBody');
    }
    const circular = { a: 1 };
    circular.self = circular;
    assert.equal(flowError(() => encodeRow('json', circular, 'payload')).key, 'unrepresentableBody');
    assert.equal(flowError(() => encodeRow('jsonlines', { n: NaN }, 'payload')).key, 'unrepresentableBody');
  });

  it('frames pieces: csv and jsonlines by newlines, json as an array or an object holding it under batchKey', function () {
    const pieces = [Buffer.from('1'), Buffer.from('2')];
    assert.equal(text(assemble(framing('csv', ''), pieces)), '1\n2');
    assert.equal(text(assemble(framing('jsonlines', ''), pieces)), '1\n2');
    assert.deepEqual(JSON.parse(text(assemble(framing('json', ''), pieces))), [1, 2]);
    assert.deepEqual(JSON.parse(text(assemble(framing('json', 'in "x"'), pieces))), { 'in "x"': [1, 2] });
    assert.deepEqual(JSON.parse(text(assemble(framing('json', 'instances'), [Buffer.from('{"a":1}')]))), { instances: [{ a: 1 }] });
  });

  it('groups by every request field but the body, whatever the order of the fields', function () {
    const a = groupKey({ EndpointName: 'ep', ContentType: 'text/csv', Body: 'x' });
    assert.equal(a, groupKey({ ContentType: 'text/csv', EndpointName: 'ep', Body: 'y', Accept: undefined }));
    assert.notEqual(a, groupKey({ EndpointName: 'ep2', ContentType: 'text/csv' }));
    assert.notEqual(a, groupKey({ EndpointName: 'ep', ContentType: 'text/csv', CustomAttributes: 'k=v' }));
  });
});

describe('batch: Batcher gathers messages into batches', function () {
  let clock;
  beforeEach(function () {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(function () {
    clock.uninstall();
  });
  const piece = (s) => Buffer.from(String(s));

  it('sends a batch when it holds batchSize messages, in the order they came, with the fields they share', function () {
    const ready = [];
    const b = new Batcher({ size: 3, windowMs: 100, format: 'csv', batchKey: '' }, (batch) => ready.push(batch));
    const fields = { EndpointName: 'ep', ContentType: 'text/csv' };
    for (let i = 0; i < 7; i++) b.add('k', fields, i, piece(i), 'payload');
    assert.deepEqual(ready.map((r) => r.items), [[0, 1, 2], [3, 4, 5]]);
    assert.deepEqual(ready.map((r) => text(r.body)), ['0\n1\n2', '3\n4\n5']);
    assert.equal(ready[0].fields, fields);
    clock.tick(100);
    assert.deepEqual(ready.map((r) => r.items), [[0, 1, 2], [3, 4, 5], [6]]);
    assert.deepEqual(b.drain(), [], 'nothing left open');
  });

  it('a lone message waits batchWindow ms from the first message of its batch, not longer', function () {
    const ready = [];
    const b = new Batcher({ size: 10, windowMs: 50, format: 'json', batchKey: '' }, (batch) => ready.push(batch));
    b.add('k', {}, 'a', piece('"a"'), 'payload');
    clock.tick(30);
    b.add('k', {}, 'b', piece('"b"'), 'payload');
    clock.tick(19);
    assert.equal(ready.length, 0);
    clock.tick(1);
    assert.deepEqual(ready.map((r) => JSON.parse(text(r.body))), [['a', 'b']]);
    clock.tick(1000);
    assert.equal(ready.length, 1, 'a sent batch has no timer left');
  });

  it('keeps one open batch per request key', function () {
    const ready = [];
    const b = new Batcher({ size: 2, windowMs: 100, format: 'csv', batchKey: '' }, (batch) => ready.push(batch));
    ['x', 'y', 'x', 'z', 'y'].forEach((key, i) => b.add(key, { key }, i, piece(i), 'payload'));
    assert.deepEqual(ready.map((r) => [r.fields.key, r.items]), [['x', [0, 2]], ['y', [1, 4]]]);
    clock.tick(100);
    assert.deepEqual(ready.map((r) => r.items), [[0, 2], [1, 4], [3]]);
  });

  it('cuts a batch before a piece would take its body over 6 MB; that piece starts the next batch', function () {
    const ready = [];
    const b = new Batcher({ size: 100, windowMs: 100, format: 'json', batchKey: 'instances' }, (batch) => ready.push(batch));
    const mb = Buffer.from(`"${'x'.repeat(1024 * 1024 - 2)}"`); // 1 MiB as a JSON string
    for (let i = 0; i < 7; i++) b.add('k', {}, i, mb, 'payload');
    assert.equal(ready.length, 1);
    assert.deepEqual(ready[0].items, [0, 1, 2, 3, 4]);
    assert.ok(ready[0].body.length <= MAX_BODY_BYTES, `${ready[0].body.length} bytes`);
    assert.ok(ready[0].body.length + 1 + mb.length > MAX_BODY_BYTES, 'one more piece would not have fitted');
    assert.equal(JSON.parse(text(ready[0].body)).instances.length, 5);
    clock.tick(100);
    assert.deepEqual(ready[1].items, [5, 6]);
  });

  it('refuses a piece that alone is over the limit, keeping nothing', function () {
    const ready = [];
    const b = new Batcher({ size: 10, windowMs: 100, format: 'csv', batchKey: '', maxBytes: 10 }, (batch) => ready.push(batch));
    b.add('k', {}, 'small', piece('12345'), 'payload');
    const e = flowError(() => b.add('k', {}, 'big', piece('12345678901'), 'payload'));
    assert.deepEqual(e, { key: 'bodyTooLarge', params: { property: 'payload', size: 11, limit: 10 } });
    assert.equal(flowError(() => b.single({}, 'big', piece('12345678901'), 'payload')).key, 'bodyTooLarge');
    clock.tick(100);
    assert.deepEqual(ready.map((r) => r.items), [['small']]);
  });

  it('a single batch is framed like any other', function () {
    const b = new Batcher({ size: 10, windowMs: 100, format: 'json', batchKey: 'instances' }, () => assert.fail('nothing is gathered'));
    const one = b.single({ SessionId: 's1' }, 'm', piece('{"a":1}'), 'payload');
    assert.deepEqual(one.items, ['m']);
    assert.deepEqual(JSON.parse(text(one.body)), { instances: [{ a: 1 }] });
  });

  it('drain hands back the open batches unsent and stops their timers', function () {
    const ready = [];
    const b = new Batcher({ size: 10, windowMs: 100, format: 'csv', batchKey: '' }, (batch) => ready.push(batch));
    b.add('a', {}, 1, piece(1), 'payload');
    b.add('b', {}, 2, piece(2), 'payload');
    b.add('a', {}, 3, piece(3), 'payload');
    assert.deepEqual(b.drain(), [[1, 3], [2]]);
    assert.deepEqual(b.drain(), [], 'drained once');
    assert.equal(clock.countTimers(), 0);
    clock.tick(1000);
    assert.equal(ready.length, 0);
  });
});

describe('batch: the answer cut into one result per message', function () {
  const csv = { output: 'auto', format: 'csv', batchKey: '' };
  const split = (body, contentType, count, settings = csv) => splitAnswer(Buffer.from(body), contentType, count, settings);

  it('text/csv: one line per message, as strings; a final newline and CRLF line ends are not results', function () {
    assert.deepEqual(split('0.1\n0.2\n0.3\n', 'text/csv', 3), ['0.1', '0.2', '0.3']);
    assert.deepEqual(split('1,a\r\n2,b\r\n', 'text/csv; charset=utf-8', 2), ['1,a', '2,b']);
    assert.deepEqual(split('0.5', 'text/csv', 1), ['0.5']);
  });

  it('accepts one comma-separated line holding exactly one value per message (older XGBoost)', function () {
    assert.deepEqual(split('0.1,0.2,0.3', 'text/csv', 3), ['0.1', '0.2', '0.3']);
    assert.deepEqual(flowError(() => split('0.1,0.2', 'text/csv', 3)), { key: 'batchCountMismatch', params: { inputs: 3, results: 1 } });
  });

  it('a count that differs from the count of inputs is an error saying both', function () {
    assert.deepEqual(flowError(() => split('1\n2\n', 'text/csv', 3)), { key: 'batchCountMismatch', params: { inputs: 3, results: 2 } });
    assert.deepEqual(flowError(() => split('', 'text/csv', 1)), { key: 'batchCountMismatch', params: { inputs: 1, results: 0 } });
    assert.deepEqual(flowError(() => split('[1,2,3]', 'application/json', 2)).params, { inputs: 2, results: 3 });
  });

  it('JSON: an array, or the array under batchKey, predictions or outputs (in that order)', function () {
    const json = { output: 'auto', format: 'json', batchKey: '' };
    assert.deepEqual(split('[{"s":1},{"s":2}]', 'application/json', 2, json), [{ s: 1 }, { s: 2 }]);
    assert.deepEqual(split('{"predictions":[{"score":0.1},{"score":0.9}]}', 'application/json', 2, json), [{ score: 0.1 }, { score: 0.9 }]);
    assert.deepEqual(split('{"outputs":[[1],[2]]}', 'application/json', 2, json), [[1], [2]]);
    assert.deepEqual(
      split('{"predictions":[0],"results":[1,2]}', 'application/json', 2, { ...json, batchKey: 'results' }),
      [1, 2],
    );
    assert.deepEqual(flowError(() => split('{"score":1}', 'application/json', 1, { ...json, batchKey: 'results' })), {
      key: 'batchNoArray',
      params: { keys: 'results, predictions, outputs' },
    });
    assert.equal(flowError(() => split('{"predictions":', 'application/json', 1, json)).key, 'badJson');
    // A CSV batch answered in JSON (Linear Learner with Accept application/json) is cut as JSON.
    assert.deepEqual(split('{"predictions":[{"score":0.2},{"score":0.7}]}', 'application/json', 2), [{ score: 0.2 }, { score: 0.7 }]);
  });

  it('JSON Lines: one parsed document per line, naming a line that does not parse', function () {
    const jl = { output: 'auto', format: 'jsonlines', batchKey: '' };
    assert.deepEqual(split('{"a":1}\n{"a":2}\n', 'application/jsonlines', 2, jl), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(split('1\n\n2', 'application/x-ndjson', 2, jl), [1, 2]);
    assert.deepEqual(flowError(() => split('{"a":1}\n{"a":', 'application/jsonlines', 2, jl)).key, 'batchBadLine');
    assert.equal(flowError(() => split('{"a":1}\n{"a":', 'application/jsonlines', 2, jl)).params.line, 2);
  });

  it('output json parses each line of a text answer; output text gives lines as strings whatever the type', function () {
    assert.deepEqual(split('0.25\n0.75\n', 'text/csv', 2, { ...csv, output: 'json' }), [0.25, 0.75]);
    assert.deepEqual(split('[1,\n2]', 'application/json', 2, { ...csv, output: 'text' }), ['[1,', '2]']);
  });

  it('chooses how to cut from output and content type, and from the batch format when the type says nothing', function () {
    const table = [
      ['auto', 'application/json', 'csv', 'json'],
      ['auto', 'application/vnd.api+json', 'jsonlines', 'json'],
      ['auto', 'application/jsonlines', 'csv', 'jsonlines'],
      ['auto', 'text/csv', 'json', 'lines'],
      ['auto', 'text/plain', 'jsonlines', 'lines'],
      ['auto', undefined, 'csv', 'lines'],
      ['auto', 'application/octet-stream', 'json', 'json'],
      ['auto', '', 'jsonlines', 'jsonlines'],
      ['json', 'text/csv', 'csv', 'jsonlines'],
      ['json', 'application/json', 'csv', 'json'],
      ['text', 'application/json', 'json', 'lines'],
    ];
    for (const [output, type, format, form] of table) assert.equal(answerForm(output, type, format), form, `${output} ${type} ${format}`);
  });
});

describe('batch settings', function () {
  const ok = { mode: 'invoke', output: 'auto', batchSize: 32, batchFormat: 'csv', batchKey: '', maxQueue: 1000 };
  const key = (s) => batchSettingsError({ ...ok, ...s })?.key;

  it('batchSize 1 is no batching: nothing else is checked', function () {
    assert.equal(batchSettingsError({ ...ok, batchSize: 1, mode: 'stream', output: 'buffer', batchKey: 'x', maxQueue: 0 }), undefined);
    assert.equal(batchSettingsError(ok), undefined);
    assert.equal(key({ batchFormat: 'json', batchKey: 'instances' }), undefined);
  });

  it('refuses batching outside invoke mode, buffer output, an unused or bad batchKey, and a queue smaller than a batch', function () {
    assert.deepEqual(batchSettingsError({ ...ok, mode: 'stream' }).params, { size: 32, mode: 'stream', operation: 'InvokeEndpointWithResponseStream' });
    assert.equal(key({ mode: 'async' }), 'batchOnlyInvoke');
    assert.equal(key({ output: 'buffer' }), 'batchOutputBuffer');
    assert.equal(key({ batchFormat: 'xml' }), 'invalidField');
    assert.deepEqual(batchSettingsError({ ...ok, batchKey: 'instances' }).params, { format: 'csv' });
    assert.equal(key({ batchFormat: 'json', batchKey: ' instances' }), 'invalidField');
    assert.match(batchSettingsError({ ...ok, batchFormat: 'json', batchKey: 'a\nb' }).params.field, /batchKey/);
    assert.deepEqual(batchSettingsError({ ...ok, maxQueue: 31 }).params, { maxQueue: 31, batchSize: 32 });
    assert.equal(key({ maxQueue: 32 }), undefined);
  });
});
