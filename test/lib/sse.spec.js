'use strict';
// Server-sent events in stream mode: the WHATWG HTML standard's own examples (9.2 Server-sent events), its corner
// cases and the two streams of issue 24, each cut into parts at every offset (and at every pair of offsets), as
// SageMaker may cut them; the events checked against the standard's words and against eventsource-parser's reading.
const assert = require('node:assert/strict');
const { SseDecoder } = require('../../dist/invoke/sse');
const { StreamDecoder, PartSequencer } = require('../../dist/invoke/stream');

// eventsource-parser, a well-kept parser of the field, as a second reading of every stream: its 3.x line, a
// devDependency (4.x needs Node.js 22.12, and a devDependency's engine is checked when the `npm start` user directory
// installs a node from the palette on Node.js 20).
const { createParser } = require('eventsource-parser');

const bytes = (s) => Buffer.from(s, 'utf8');

/** Every way to cut `buf` into two or three parts (empty parts included), and one byte per part. */
function* cuttings(buf) {
  yield [buf];
  yield [...buf].map((x) => Buffer.from([x]));
  for (let i = 0; i <= buf.length; i++) {
    for (let j = i; j <= buf.length; j++) yield [buf.subarray(0, i), buf.subarray(i, j), buf.subarray(j)];
  }
}

/** The events eventsource-parser reads from the parts, decoded as the standard decodes them. */
function oracle(parts) {
  const got = [];
  const decoder = new TextDecoder('utf-8'); // drops the one leading BOM, as the standard's decoding does
  const parser = createParser({
    onEvent: (e) => got.push({ data: e.data, ...(e.event !== undefined ? { event: e.event } : {}), ...(e.id !== undefined ? { id: e.id } : {}) }),
  });
  let last = '';
  for (const p of parts) {
    const text = decoder.decode(p, { stream: true });
    if (text) last = text;
    parser.feed(text);
  }
  // 3.x holds a final CR back in case an LF follows; CR LF is one line end, so an LF there reads the same by the
  // standard and lets it finish the line. consume: the rest is read as if a line end followed, as a stream's end does.
  if (last.endsWith('\r')) parser.feed('\n');
  parser.reset({ consume: true });
  return got;
}

function events(parts) {
  const d = new SseDecoder();
  const got = [];
  for (const p of parts) got.push(...d.push(p));
  got.push(...d.end());
  return got;
}

/**
 * What the node sends for a stream cut into `parts`: each msg's value and label, numbered by the PartSequencer as
 * the node numbers them, and what a core Join node in automatic mode rebuilds from them (its string and array
 * rules: join with msg.parts.ch, or collect).
 */
function messages(output, parts) {
  const d = new StreamDecoder(output, 'lines', 'text/event-stream');
  let seq;
  const sequence = () => (seq ??= new PartSequencer({ id: 'm', type: d.partsType, ch: d.joinChar }));
  const sent = [];
  const take = (part) => part && sent.push(part);
  for (const p of parts) for (const u of d.push(p)) take(sequence().push(u));
  for (const u of d.end()) take(sequence().push(u));
  const last = sequence().finish();
  sent.push(last);
  if (d.failure) return { failure: d.failure };
  const values = sent.filter((m) => m.parts.index !== undefined).map((m) => m.value);
  const { type, ch } = last.parts;
  const joined = type === 'string' ? values.join(ch) : values;
  return {
    values,
    labels: sent.filter((m) => m.parts.index !== undefined).map((m) => m.label),
    type,
    ch,
    count: last.parts.count,
    joined,
  };
}

/**
 * Asserts that every cutting of `stream` gives what the whole stream in one part gives, and returns that. For the
 * events themselves, eventsource-parser must read every cutting the same way.
 */
function sameForEveryCut(stream, fn) {
  const buf = bytes(stream);
  const whole = fn([buf]);
  for (const parts of cuttings(buf)) {
    const where = `cut into ${parts.map((p) => JSON.stringify(p.toString('latin1'))).join(' | ')}`;
    const got = fn(parts);
    assert.deepEqual(got, whole, where);
    if (fn === events) assert.deepEqual(got, oracle(parts), `eventsource-parser reads it otherwise, ${where}`);
  }
  return whole;
}

describe('server-sent events: the standard\'s examples, cut at every offset', function () {
  it('the introduction: a data line per message, and one message whose data spans two lines', function () {
    const stream = 'data: This is the first message.\n\ndata: This is the second message, it\ndata: has two lines.\n\ndata: This is the third message.\n\n';
    assert.deepEqual(sameForEveryCut(stream, events), [
      { data: 'This is the first message.' },
      { data: 'This is the second message, it\nhas two lines.' },
      { data: 'This is the third message.' },
    ]);
    const text = sameForEveryCut(stream, (p) => messages('auto', p));
    assert.equal(text.type, 'string');
    assert.equal(text.ch, '', 'events are pieces of one text: nothing goes between them');
    assert.equal(text.count, 3);
    assert.equal(text.joined, 'This is the first message.This is the second message, it\nhas two lines.This is the third message.');
  });

  it('two event types: each message carries its event name; numbers stay text under auto, parse under json', function () {
    const stream = 'event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n';
    assert.deepEqual(sameForEveryCut(stream, events), [
      { event: 'add', data: '73857293' },
      { event: 'remove', data: '2153' },
      { event: 'add', data: '113411' },
    ]);
    const auto = sameForEveryCut(stream, (p) => messages('auto', p));
    assert.deepEqual(auto.values, ['73857293', '2153', '113411']);
    assert.deepEqual(auto.labels, [{ event: 'add' }, { event: 'remove' }, { event: 'add' }]);
    const json = sameForEveryCut(stream, (p) => messages('json', p));
    assert.deepEqual(json.joined, [73857293, 2153, 113411]);
    assert.equal(json.type, 'array');
    assert.deepEqual(json.labels, auto.labels);
  });

  it('a block of three data lines is one event, its lines joined with a newline', function () {
    assert.deepEqual(sameForEveryCut('data: YHOO\ndata: +2\ndata: 10\n\n', events), [{ data: 'YHOO\n+2\n10' }]);
    assert.deepEqual(sameForEveryCut('data: YHOO\ndata: +2\ndata: 10\n\n', (p) => messages('text', p)).values, ['YHOO\n+2\n10']);
  });

  it('a comment fires nothing, id sets the event id (an empty id too), only one space after the colon is removed', function () {
    const stream = ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n';
    assert.deepEqual(sameForEveryCut(stream, events), [
      { data: 'first event', id: '1' },
      { data: 'second event', id: '' },
      { data: ' third event' },
    ]);
    const text = sameForEveryCut(stream, (p) => messages('auto', p));
    assert.deepEqual(text.values, ['first event', 'second event', ' third event']);
    assert.deepEqual(text.labels, [{ eventId: '1' }, { eventId: '' }, undefined]);
  });

  it('a field without colon, empty data, and a last block without its blank line, which is discarded', function () {
    const stream = 'data\n\ndata\ndata\n\ndata:';
    assert.deepEqual(sameForEveryCut(stream, events), [{ data: '' }, { data: '\n' }]);
    // An event with empty data carries nothing to send; the one of a single newline is a piece of text.
    const text = sameForEveryCut(stream, (p) => messages('text', p));
    assert.deepEqual(text.values, ['\n']);
    assert.equal(text.joined, '\n');
  });

  it('"data:test" and "data: test" are the same event', function () {
    assert.deepEqual(sameForEveryCut('data:test\n\ndata: test\n\n', events), [{ data: 'test' }, { data: 'test' }]);
  });
});

describe('server-sent events: line ends, byte order mark, framing', function () {
  it('CRLF, LF and CR all end lines, mixed in one stream, and a CR that is the stream\'s last byte ends its line', function () {
    const stream = 'data: a\r\ndata: b\r\n\r\nevent: x\rid: 7\rdata: c\r\rdata: d\n\ndata: e\r\r';
    assert.deepEqual(sameForEveryCut(stream, events), [
      { data: 'a\nb' },
      { event: 'x', id: '7', data: 'c' },
      { data: 'd' },
      { data: 'e' },
    ]);
  });

  it('one leading byte order mark is dropped, even cut between parts; a second one is data', function () {
    assert.deepEqual(sameForEveryCut('\ufeffdata: a\n\n', events), [{ data: 'a' }]);
    assert.deepEqual(sameForEveryCut('\ufeff\ufeffdata: a\n\ndata: b\n\n', events), [{ data: 'b' }], 'the second BOM starts an unknown field');
  });

  it('reads the corner cases as eventsource-parser does: empty names and ids, NUL in an id, odd fields, colons in values', function () {
    const streams = [
      'event:\ndata: a\n\nid:\ndata: b\n\n',
      'id: x\u0000y\ndata: nul\n\nid: 5\nid: x\u0000\ndata: kept\n\n',
      'data : not data\n\nDATA: upper\n\n data: indented\n\ndata: a: b: c\n\n',
      'data:\tTab\n\ndata:   three\n\n:\n:comment\ndata\n\n',
      'event: e1\nevent: e2\ndata: 1\nretry: 10\nretry: x\ndata: 2\n\n',
      'data: \u00e9\u20ac\ud83d\ude00\r\n\r\ndata: last without its blank line',
    ];
    for (const stream of streams) assert.deepEqual(sameForEveryCut(stream, events), oracle([bytes(stream)]), JSON.stringify(stream));
  });

  it('comments, retry, unknown fields and an event without data are framing: they send nothing', function () {
    const stream = ': hello\nretry: 3000\nfoo: bar\n\nevent: ping\nid: 9\n\ndata: x\n\n';
    assert.deepEqual(sameForEveryCut(stream, events), [{ data: 'x' }]);
    assert.deepEqual(sameForEveryCut(stream, (p) => messages('auto', p)).values, ['x']);
  });

  it('the UTF-8 of the data is decoded whole wherever the parts cut a character, whatever charset the type names', function () {
    const d = new StreamDecoder('text', 'lines', 'text/event-stream; charset=iso-8859-1');
    const all = bytes('data: café €\n\n');
    const got = [...d.push(all.subarray(0, 10)), ...d.push(all.subarray(10, 13)), ...d.push(all.subarray(13)), ...d.end()];
    assert.deepEqual(got.map((u) => u.value), ['café €']);
  });
});

describe('server-sent events: the streams of issue 24', function () {
  it('an event whose JSON data spans several data lines is one parsed message; [DONE] is dropped', function () {
    const stream = 'event: token\nid: 1\ndata: {"token": "Hel",\ndata:  "index": 0}\n\ndata: {"token": "lo", "index": 1}\n\ndata: [DONE]\n\n';
    for (const output of ['auto', 'json']) {
      const got = sameForEveryCut(stream, (p) => messages(output, p));
      assert.deepEqual(got.values, [{ token: 'Hel', index: 0 }, { token: 'lo', index: 1 }], output);
      assert.deepEqual(got.labels, [{ event: 'token', eventId: '1' }, undefined]);
      assert.equal(got.type, 'array');
      assert.deepEqual(got.joined, got.values, 'JSON events join into an array');
    }
    const text = sameForEveryCut(stream, (p) => messages('text', p));
    assert.deepEqual(text.values, ['{"token": "Hel",\n "index": 0}', '{"token": "lo", "index": 1}']);
  });

  it('plain-text tokens stay text under auto, a number among them too, and Join rebuilds the text', function () {
    const stream = 'data: Héllo\r\n\r\ndata: ,\r\n\r\ndata:  wörld \r\n\r\n: keep-alive\r\n\r\ndata: 42\r\n\r\ndata: [DONE]\r\n\r\n';
    const got = sameForEveryCut(stream, (p) => messages('auto', p));
    assert.deepEqual(got.values, ['Héllo', ',', ' wörld ', '42']);
    assert.equal(got.type, 'string');
    assert.equal(got.joined, 'Héllo, wörld 42');
  });

  it('under auto, a stream of JSON events keeps an event that is not JSON as text; under json it fails naming the event', function () {
    const stream = 'data: {"a":1}\n\ndata: plain\n\n';
    assert.deepEqual(messages('auto', [bytes(stream)]).joined, [{ a: 1 }, 'plain']);
    const { failure } = messages('json', [bytes(stream)]);
    assert.equal(failure.key, 'badJsonEvent');
    assert.equal(failure.params.event, 2);
  });

  it('output buffer: each event\'s data as UTF-8 bytes, joined back with nothing between them', function () {
    const got = sameForEveryCut('data: H\u00e9\n\ndata: llo\n\n', (p) => messages('buffer', p));
    assert.ok(got.values.every((v) => Buffer.isBuffer(v)));
    assert.equal(got.type, 'buffer');
    assert.equal(got.ch, '');
    assert.equal(Buffer.concat(got.values).toString('utf8'), 'H\u00e9llo');
  });

  it('an answer without a single event still closes the sequence (Join builds an empty array under auto)', function () {
    const got = messages('auto', [bytes(': only a comment\n\ndata: [DONE]\n\n')]);
    assert.deepEqual(got.values, []);
    assert.equal(got.type, 'array');
    assert.deepEqual(got.joined, []);
  });
});
