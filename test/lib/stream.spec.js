'use strict';
const assert = require('node:assert/strict');
const { StreamDecoder, PartSequencer, streamUnit } = require('../../dist/invoke/stream');
const { resolveInvokeSettings } = require('../../dist/shared/invoke-settings');
const { FlowError } = require('../../dist/shared/flow-error');

/** What the node's settings check says of a stream-mode node with this output and split: an error, or undefined. */
const streamSettingsError = (output, streamSplit) => {
  const r = resolveInvokeSettings({ mode: 'stream', output, streamSplit });
  return r instanceof FlowError ? r : undefined;
};

const b = (s) => new Uint8Array(Buffer.from(s, 'utf8'));
/** The values of units. */
const values = (units) => units.map((u) => u.value);
/** Pushes each part and collects every unit's value, then the end. */
function run(decoder, parts) {
  const units = [];
  for (const p of parts) units.push(...decoder.push(p));
  units.push(...decoder.end());
  return values(units);
}

describe('stream: re-cutting and decoding response parts', function () {
  it('chooses the unit from output, split and content type', function () {
    assert.equal(streamUnit('auto', 'none', 'application/jsonlines'), 'text');
    assert.equal(streamUnit('auto', 'lines', 'application/jsonlines'), 'json');
    assert.equal(streamUnit('auto', 'lines', 'text/event-stream; charset=utf-8'), 'json');
    assert.equal(streamUnit('auto', 'lines', 'text/plain'), 'text');
    assert.equal(streamUnit('auto', 'lines', 'application/json'), 'text', 'a JSON document may span lines');
    assert.equal(streamUnit('auto', 'none', 'audio/wav'), 'buffer');
    assert.equal(streamUnit('buffer', 'lines', 'application/jsonlines'), 'buffer');
    assert.equal(streamUnit('text', 'lines', 'application/jsonlines'), 'text');
    assert.equal(streamUnit('json', 'lines', 'text/plain'), 'json');
  });

  it('refuses parsed JSON without lines, before anything is sent', function () {
    assert.equal(streamSettingsError('json', 'none').key, 'streamJsonNeedsLines');
    assert.equal(streamSettingsError('json', 'lines'), undefined);
    assert.equal(streamSettingsError('auto', 'none'), undefined);
  });

  it('none + text: one string per part, a UTF-8 character split between parts decoded whole', function () {
    const e = Buffer.from('é€', 'utf8'); // c3 a9 e2 82 ac
    const d = new StreamDecoder('auto', 'none', 'text/plain');
    const units = run(d, [b('caf'), e.subarray(0, 1), e.subarray(1, 3), e.subarray(3), b('!')]);
    assert.deepEqual(units, ['caf', '', 'é', '€', '!']);
    assert.equal(d.partsType, 'string');
    assert.equal(d.joinChar, '');
    assert.equal(units.join(''), 'café€!');
  });

  it('none + text: a character cut off at the very end becomes a replacement character, not silence', function () {
    const d = new StreamDecoder('text', 'none', 'application/octet-stream');
    assert.deepEqual(run(d, [b('a'), Buffer.from('é').subarray(0, 1)]), ['a', '', '\ufffd']);
  });

  it('none + buffer: each part as a Buffer copy', function () {
    const d = new StreamDecoder('auto', 'none', 'audio/wav');
    const part = new Uint8Array([1, 2, 3]);
    const [{ value: unit }] = d.push(part);
    part[0] = 9;
    assert.ok(Buffer.isBuffer(unit));
    assert.deepEqual([...unit], [1, 2, 3]);
    assert.equal(d.partsType, 'buffer');
  });

  it('lines + text: a line in two parts, several lines in one part, CRLF, a split character, a last line without newline', function () {
    const d = new StreamDecoder('auto', 'lines', 'text/plain');
    const e = Buffer.from('é');
    const units = run(d, [b('hel'), b('lo\r\nwor'), b('ld\n\nsec'), e.subarray(0, 1), Buffer.concat([e.subarray(1), b('ond\nlast')])]);
    assert.deepEqual(units, ['hello', 'world', '', 'secéond', 'last']);
    assert.equal(d.joinChar, '\n');
  });

  it('lines + JSON: each line parsed, data: stripped, empty lines, [DONE] and SSE framing not sent', function () {
    const d = new StreamDecoder('auto', 'lines', 'text/event-stream');
    const units = run(d, [
      b('data: {"token":"Hel'),
      b('lo"}\n\n: keep-alive\nevent: message\nid: 7\ndata:{"token":" world"}\n\ndata: [DONE]\n\n'),
    ]);
    assert.deepEqual(units, [{ token: 'Hello' }, { token: ' world' }]);
    assert.equal(d.partsType, 'array');
    assert.equal(d.joinChar, undefined);
  });

  it('lines + JSON Lines: a document per line, the last one without newline too', function () {
    const d = new StreamDecoder('auto', 'lines', 'application/jsonlines');
    assert.deepEqual(run(d, [b('{"a":1}\n{"a"'), b(':2}\n3')]), [{ a: 1 }, { a: 2 }, 3]);
  });

  it('lines + JSON: a line that does not parse is an error naming the line', function () {
    const d = new StreamDecoder('json', 'lines', 'text/plain');
    assert.deepEqual(values(d.push(b('{"ok":1}\n'))), [{ ok: 1 }]);
    assert.deepEqual(values(d.push(b('{"ok":2}\n{oops\n{"ok":3}\n'))), [{ ok: 2 }], 'the units before the bad line');
    assert.equal(d.failure.key, 'badJsonLine');
    assert.equal(d.failure.params.line, 3);
    assert.deepEqual(d.push(b('{"ok":4}\n')), [], 'nothing after it');
    assert.deepEqual(d.end(), []);
  });

  it('lines + buffer: bytes per line without the newline', function () {
    const d = new StreamDecoder('buffer', 'lines', 'text/csv');
    const units = run(d, [b('1,2\n3'), b(',4\n')]);
    assert.deepEqual(units.map((u) => u.toString()), ['1,2', '3,4']);
    assert.equal(d.joinChar, '\n');
  });
});

describe('stream: numbering the messages as a sequence', function () {
  it('holds one unit back so the last carries count', function () {
    const s = new PartSequencer({ id: 'm1', type: 'string', ch: '' });
    assert.equal(s.push({ value: 'a' }), undefined);
    assert.deepEqual(s.push({ value: 'b' }), { value: 'a', parts: { id: 'm1', type: 'string', ch: '', index: 0 } });
    assert.deepEqual(s.finish(), { value: 'b', parts: { id: 'm1', type: 'string', ch: '', index: 1, count: 2 } });
    assert.equal(s.flush(), undefined, 'nothing is held after the last');
  });

  it('flushes the held unit without count when the stream fails', function () {
    const s = new PartSequencer({ id: 'm1', type: 'buffer', ch: '' });
    s.push({ value: Buffer.from('x') });
    const part = s.flush();
    assert.equal(part.parts.index, 0);
    assert.equal('count' in part.parts, false);
    assert.equal(s.flush(), undefined);
  });

  it('ends an answer of no parts with one closing message', function () {
    assert.deepEqual(new PartSequencer({ id: 'm', type: 'string', ch: '' }).finish(), {
      value: '', parts: { id: 'm', type: 'string', ch: '', index: 0, count: 1 },
    });
    const buf = new PartSequencer({ id: 'm', type: 'buffer', ch: '\n' }).finish();
    assert.ok(Buffer.isBuffer(buf.value) && buf.value.length === 0);
    assert.deepEqual(new PartSequencer({ id: 'm', type: 'array' }).finish(), {
      value: undefined, parts: { id: 'm', type: 'array', count: 0 },
    });
  });

  it('names a property other than payload, and keeps an enclosing sequence for Join to restore', function () {
    const outer = { id: 'outer', index: 3, count: 5, type: 'array' };
    const s = new PartSequencer({ id: 'm', type: 'string', ch: '', property: 'answer', parts: outer });
    s.push({ value: 'x' });
    assert.deepEqual(s.finish().parts, { id: 'm', type: 'string', ch: '', property: 'answer', parts: outer, index: 0, count: 1 });
  });
});
