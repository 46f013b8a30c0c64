'use strict';
const assert = require('node:assert/strict');
const { excerpt, stripMarkup, cutText, bodyText, EXCERPT_CHARS } = require('../../dist/invoke/body-excerpt');
const { shouldKeepBody } = require('../../dist/config/answer-body');

describe('body-excerpt: the start of an answer in words', function () {
  it('shows a page\'s words without tags, comments, scripts or styles, entities decoded, once', function () {
    const page = '<!DOCTYPE html><html><head><title>Access denied</title><style>p{}</style><script>if (a < b) alert("x")</script>'
      + '</head><body><!-- id 7 --><h1>Access denied</h1><p>Ask&nbsp;IT &amp; quote &#x23;42 &lt;ref&gt;</p></body></html>';
    assert.equal(excerpt(page, 'text/html'), 'Access denied Ask IT & quote #42 <ref>');
  });

  it('reads XML by its text and plain text as it is, whitespace condensed', function () {
    assert.equal(excerpt('<?xml version="1.0"?><Error><Code>X</Code><Message><![CDATA[a < b]]></Message></Error>', 'application/xml'), 'X a < b');
    assert.equal(excerpt('  line one\r\n\tline <two>  ', 'text/plain'), 'line one line <two>');
    assert.equal(excerpt('<html><p>no content type</p></html>', ''), 'no content type');
  });

  it('cuts a long body between words, at most a few hundred characters, and marks the cut', function () {
    const long = excerpt('word '.repeat(400), 'text/plain');
    assert.ok(long.length <= EXCERPT_CHARS + 2, String(long.length));
    assert.match(long, /^word( word)* …$/);
  });

  it('never cuts inside a run of key or token characters: the run is left out whole', function () {
    const token = 'AQoDYXdzEJr/+=' + 'x'.repeat(100);
    assert.equal(cutText(`${'a '.repeat(120)}${token} end`, 300), `${'a '.repeat(120).trim()} …`);
    assert.equal(cutText('y'.repeat(400), 300), '…');
    assert.equal(cutText(`${'z'.repeat(250)}<${'q'.repeat(100)}`, 300), `${'z'.repeat(250)}< …`);
  });

  it('stays linear on hostile markup (unclosed comments, tags and scripts)', function () {
    const started = Date.now();
    stripMarkup('<!--'.repeat(20000));
    stripMarkup('<'.repeat(50000));
    stripMarkup('<script>'.repeat(10000));
    excerpt(`<a${' x'.repeat(100000)}`, 'text/html');
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
  });

  it('knows a binary body is not text', function () {
    assert.equal(bodyText(Buffer.from('plain words')), 'plain words');
    assert.equal(bodyText(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x80, 0x81])), undefined);
  });
});

describe('answer-body: which answers keep their body for the error', function () {
  it('every error status; a success only where the SDK parses it and the type is not its own', function () {
    assert.equal(shouldKeepBody('/endpoints/ep/invocations', 502, 'text/html'), true);
    assert.equal(shouldKeepBody('/', 403, 'text/xml'), true);
    assert.equal(shouldKeepBody('/endpoints/ep/invocations', 200, 'text/html'), false, 'the model\'s own answer');
    assert.equal(shouldKeepBody('/endpoints/ep/async-invocations', 202, 'application/json'), false);
    assert.equal(shouldKeepBody('/endpoints/ep/async-invocations', 200, 'text/plain'), true);
    assert.equal(shouldKeepBody('/endpoints/ep/invocations-response-stream', 200, 'application/vnd.amazon.eventstream'), false);
    assert.equal(shouldKeepBody('/endpoints/ep/invocations-response-stream', 200, 'text/html'), true);
    assert.equal(shouldKeepBody('/', 200, 'text/xml'), false, 'STS\'s answer');
  });
});
