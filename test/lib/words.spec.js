'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { articleFor, withArticle, describeType } = require('../../dist/shared/words');

const LOCALES = path.join(__dirname, '../../nodes/locales/en-US');

describe('words: a or an by the word that follows', function () {
  it('chooses by sound, not by letter', function () {
    const cases = {
      object: 'an', array: 'an', number: 'a', boolean: 'a', string: 'a', undefined: 'an', hour: 'an',
      user: 'a', 'one-line answer': 'a', unique: 'a', European: 'a', URL: 'a', SDK: 'an', STS: 'an', HTTP: 'an',
      'http proxy': 'an', s3: 'an', csv: 'a', json: 'a', XML: 'an', 'tls-config': 'a', IAM: 'an', 'empty body': 'an',
    };
    for (const [word, article] of Object.entries(cases)) assert.equal(articleFor(word), article, word);
    assert.equal(withArticle('object'), 'an object');
  });

  it('describes a value\'s type with its article, and null and undefined without one', function () {
    assert.equal(describeType({}), 'an object');
    assert.equal(describeType([]), 'an array');
    assert.equal(describeType(true), 'a boolean');
    assert.equal(describeType(1n), 'a bigint');
    assert.equal(describeType(null), 'null');
    assert.equal(describeType(undefined), 'undefined');
  });
});

describe('words: the messages a user reads', function () {
  const messages = [];
  const collect = (value, where) => {
    if (typeof value === 'string') messages.push([where, value]);
    else for (const [k, v] of Object.entries(value)) collect(v, `${where}.${k}`);
  };
  for (const file of fs.readdirSync(LOCALES).filter((f) => f.endsWith('.json'))) {
    collect(JSON.parse(fs.readFileSync(path.join(LOCALES, file), 'utf8')), file);
  }

  it('never put an article before a parameter (no locale string can choose it for an unknown word)', function () {
    const bad = messages.filter(([, text]) => /\b(a|an)\s+__\w+__/i.test(text)).map(([where]) => where);
    assert.deepEqual(bad, []);
  });

  it('use a and an as the following word is spoken, in the locale files and the help', function () {
    const texts = messages.map(([where, text]) => [where, text]);
    for (const file of fs.readdirSync(LOCALES).filter((f) => f.endsWith('.html'))) {
      // The help is HTML: read its words, not its tags ("a <code>ModelError</code>" reads "a ModelError").
      const html = fs.readFileSync(path.join(LOCALES, file), 'utf8').replace(/<[^>]*>/g, '');
      texts.push([file, html]);
    }
    const wrong = [];
    for (const [where, text] of texts) {
      for (const m of text.matchAll(/\b(a|an)\s+([A-Za-z][\w-]*)/gi)) {
        if (articleFor(m[2]) !== m[1].toLowerCase()) wrong.push(`${where}: "${m[0]}"`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
