'use strict';
// Answers that are not SageMaker's (a proxy's or a gateway's HTML page, XML, plain text) from a plain HTTP server
// the config node's endpoint URL points at, through the real SDK: the error says what came back, not the JSON
// parser's "Unexpected token '<'".
const assert = require('node:assert/strict');
const http = require('node:http');
const { helper, KEYS, load, outcome } = require('./harness');

const NGINX_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n'
  + '<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n';

describe('sagemaker-invoke: an answer that is not SageMaker\'s', function () {
  let server;
  let answers;
  let requests;

  beforeEach(async function () {
    await new Promise((r) => helper.startServer(r));
    requests = [];
    answers = [];
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        requests.push({ path: req.url, headers: req.headers });
        const { status, contentType, body } = answers[Math.min(requests.length - 1, answers.length - 1)](req);
        res.writeHead(status, contentType ? { 'content-type': contentType } : {});
        res.end(body);
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
  });
  afterEach(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await new Promise((r) => server.close(r));
  });

  const url = () => `http://127.0.0.1:${server.address().port}`;
  const caught = async (nodes, msg) => {
    const r = await outcome(nodes, msg);
    assert.equal(r.where, 'caught', `expected the Catch node, got ${JSON.stringify(r.msg.payload)}`);
    return r.msg;
  };
  const notTheParser = (msg) => {
    const all = msg.error.message + JSON.stringify(msg.sagemaker);
    assert.doesNotMatch(all, /Unexpected token|\$response|Deserialization error|is not valid JSON/);
  };

  it('a gateway\'s 502 HTML page: status, content type and the page\'s words, retried like any 502', async function () {
    answers = [() => ({ status: 502, contentType: 'text/html', body: NGINX_502 })];
    const nodes = await load(url(), { config: { maxAttempts: 2 } });
    const msg = await caught(nodes, { payload: { x: 1 } });
    assert.equal(msg.error.message, `Error: The answer from ${url()} for endpoint ep is not SageMaker's: status 502, content type text/html, `
      + 'body "502 Bad Gateway nginx/1.25.3". Check the config node\'s endpoint URL: it may not lead to SageMaker Runtime, '
      + 'or a proxy or gateway answered in its place');
    notTheParser(msg);
    const e = msg.sagemaker.error;
    assert.equal(e.name, 'UnexpectedResponse');
    assert.equal(e.statusCode, 502);
    assert.equal(e.contentType, 'text/html');
    assert.equal(e.message, 'status 502, content type text/html, body "502 Bad Gateway nginx/1.25.3"');
    assert.equal(e.attempts, 2);
    assert.equal(requests.length, 2, 'a 502 is retried');
  });

  it('a 403 in XML is the answer of something else, not AWS refusing the credentials', async function () {
    answers = [() => ({
      status: 403,
      contentType: 'application/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>Forbidden</Code><Message>Blocked by policy &amp; rules</Message></Error>',
    })];
    const nodes = await load(url(), { config: { maxAttempts: 1 } });
    const msg = await caught(nodes, { payload: 1 });
    assert.match(msg.error.message, /is not SageMaker's: status 403, content type application\/xml, body "Forbidden Blocked by policy & rules"\./);
    assert.doesNotMatch(msg.error.message, /refused the credentials/);
    assert.equal(msg.sagemaker.error.name, 'UnexpectedResponse');
    notTheParser(msg);
  });

  it('async mode: a 200 with plain text instead of the JSON answer', async function () {
    answers = [() => ({ status: 200, contentType: 'text/plain', body: 'garbage\n\n  from   a test double\n' })];
    const nodes = await load(url(), { invoke: { mode: 'async' }, config: { maxAttempts: 1 } });
    const msg = await caught(nodes, { payload: 'input' });
    assert.match(requests[0].path, /\/async-invocations$/);
    assert.match(msg.error.message, /status 200, content type text\/plain, body "garbage from a test double"\./);
    assert.equal(msg.sagemaker.error.name, 'UnexpectedResponse');
    notTheParser(msg);
  });

  it('stream mode: a captive portal\'s 200 HTML page instead of an event stream', async function () {
    answers = [() => ({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<!DOCTYPE html><html><head><title>Sign in to the guest network</title><script>var x = "<b>not this</b>";</script>'
        + '<style>h1 { color: red }</style></head><body><!-- portal --><h1>Sign in to the guest network</h1><p>Accept the terms&nbsp;first.</p></body></html>',
    })];
    const nodes = await load(url(), { invoke: { mode: 'stream' }, config: { maxAttempts: 1 } });
    const msg = await caught(nodes, { payload: 'input' });
    assert.match(msg.error.message, /status 200, content type text\/html; charset=utf-8, body "Sign in to the guest network Accept the terms first\."/);
    assert.equal(msg.sagemaker.error.name, 'UnexpectedResponse');
    notTheParser(msg);
  });

  it('an empty answer without a content type says so', async function () {
    answers = [() => ({ status: 404, contentType: '', body: '' })];
    const nodes = await load(url(), { config: { maxAttempts: 1 } });
    const msg = await caught(nodes, { payload: 1 });
    assert.match(msg.error.message, /status 404, content type none, an empty body\./);
    assert.equal(msg.sagemaker.error.name, 'UnexpectedResponse');
  });

  it('the page\'s words pass through the config node\'s redaction: a session token it echoes is never shown, whole or cut', async function () {
    const sessionToken = `IQoJb3JpZ2luX2VjE${'Lw0XYbase64tokenPart/+='.repeat(5)}END`;
    // A debugging proxy that echoes the request's headers: the token once well inside the excerpt, once where
    // the excerpt's few hundred characters end.
    const echo = (filler) => (req) => ({
      status: 400,
      contentType: 'text/html',
      body: `<html><body><h1>Bad request</h1><p>${'word '.repeat(filler)}</p><pre>x-amz-security-token: ${req.headers['x-amz-security-token']}</pre></body></html>`,
    });
    answers = [echo(2), echo(40)];
    const nodes = await load(url(), { config: { maxAttempts: 1 }, credentials: { ...KEYS, sessionToken } });
    for (const expectWhole of [true, false]) {
      const msg = await caught(nodes, { payload: 1 });
      assert.equal(requests[requests.length - 1].headers['x-amz-security-token'], sessionToken, 'the server saw the token');
      const all = msg.error.message + JSON.stringify(msg.sagemaker);
      for (let i = 0; i + 12 <= sessionToken.length; i += 6) {
        assert.ok(!all.includes(sessionToken.slice(i, i + 12)), `no piece of the token (at ${i}) in: ${msg.error.message}`);
      }
      if (expectWhole) assert.match(msg.error.message, /x-amz-security-token: \*\*\*\*"/);
      else assert.match(msg.error.message, /word x-amz-security-token: …"/);
    }
  });

  it('SageMaker\'s own JSON errors are still read as SageMaker\'s', async function () {
    answers = [() => ({ status: 400, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ message: 'Endpoint ep not found.' }) })];
    const nodes = await load(url(), { config: { maxAttempts: 1 } });
    const msg = await caught(nodes, { payload: 1 });
    assert.notEqual(msg.sagemaker.error.name, 'UnexpectedResponse');
    assert.match(msg.error.message, /Endpoint ep not found\./);
  });
});
