'use strict';
const assert = require('node:assert/strict');
const { decodeBody, autoForm, parseNewSession } = require('../../dist/invoke/response');

const bytes = (s, enc = 'utf8') => new Uint8Array(Buffer.from(s, enc));

describe('response: decoding the answer', function () {
  it('auto parses JSON content types, including +json and parameters', function () {
    assert.deepEqual(decodeBody(bytes('{"score":0.9}'), 'application/json', 'auto'), { score: 0.9 });
    assert.deepEqual(decodeBody(bytes('[1,2]'), 'application/vnd.example+json; charset=utf-8', 'auto'), [1, 2]);
    assert.deepEqual(decodeBody(bytes('3'), 'Application/JSON', 'auto'), 3);
  });
  it('auto gives text/*, JSON Lines and NDJSON as strings', function () {
    assert.equal(decodeBody(bytes('0.1\n0.2\n'), 'text/csv', 'auto'), '0.1\n0.2\n');
    assert.equal(decodeBody(bytes('{"a":1}\n{"a":2}\n'), 'application/jsonlines', 'auto'), '{"a":1}\n{"a":2}\n');
    assert.equal(autoForm('application/x-ndjson'), 'text');
  });
  it('auto gives anything else as a Buffer', function () {
    const out = decodeBody(bytes('\x89PNG'), 'image/png', 'auto');
    assert.ok(Buffer.isBuffer(out));
    assert.ok(Buffer.isBuffer(decodeBody(bytes('x'), undefined, 'auto')));
  });
  it('json, text and buffer force their form', function () {
    assert.deepEqual(decodeBody(bytes('{"a":1}'), 'text/plain', 'json'), { a: 1 });
    assert.equal(decodeBody(bytes('{"a":1}'), 'application/json', 'text'), '{"a":1}');
    assert.deepEqual(decodeBody(bytes('{"a":1}'), 'application/json', 'buffer'), Buffer.from('{"a":1}'));
  });
  it('honours a charset parameter', function () {
    assert.equal(decodeBody(bytes('caf\u00e9', 'latin1'), 'text/plain; charset=ISO-8859-1', 'auto'), 'caf\u00e9');
    assert.equal(decodeBody(bytes('caf\u00e9'), 'text/plain; charset=no-such-charset', 'auto'), 'caf\u00e9');
  });
  it('unparseable JSON is a badJson error', function () {
    assert.throws(() => decodeBody(bytes('not json'), 'application/json', 'auto'), (e) => e.key === 'badJson' && e.params.contentType === 'application/json');
    assert.throws(() => decodeBody(bytes('<html>'), 'text/html', 'json'), (e) => e.key === 'badJson');
  });
  it('splits a new session header into id and expiry', function () {
    assert.deepEqual(parseNewSession('sess-1; Expires=2026-01-01T00:00:00Z'), { id: 'sess-1', expires: '2026-01-01T00:00:00Z' });
    assert.deepEqual(parseNewSession('sess-2'), { id: 'sess-2' });
  });
});

describe('response: UTF-8 text', function () {
  const { decodeText } = require('../../dist/invoke/response');
  it('drops a byte order mark and replaces bad bytes, as TextDecoder does', function () {
    assert.equal(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), 'application/json'), '{}');
    assert.equal(decodeText(new Uint8Array([0x61, 0xff, 0x62]), 'text/plain; charset=UTF-8'), 'a\ufffdb');
    assert.equal(decodeText(new Uint8Array([0xe9]), 'text/plain; charset=latin1'), 'é');
  });
});
