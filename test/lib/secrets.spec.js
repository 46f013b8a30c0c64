'use strict';
const assert = require('node:assert/strict');
const { Secrets } = require('../../dist/config/secrets');

describe('secrets: redaction of what a config node holds', function () {
  it('replaces every secret, the longest first, and ignores blanks and very short values', function () {
    const s = new Secrets('abcd1234', undefined, '');
    s.add('abcd1234XYZ', 'ab');
    assert.equal(s.redact('key abcd1234XYZ and abcd1234, ab stays'), 'key **** and ****, ab stays');
  });
});
