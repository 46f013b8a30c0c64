'use strict';
// sagemaker-local's bidirectional side (run `npm run build` first): the bidiPort setting, the HTTP/2 server
// startLocalServer starts next to the HTTP/1.1 one, and the container route over the WebSocket container contract
// against the test model container (src/test-servers/model-container.ts, whose WebSocket side uses `ws`).

const assert = require('assert');
const path = require('path');
const { spawn } = require('child_process');
const { validateConfig, loadConfig, ConfigError } = require('../dist');
const { openBidi } = require('./bidi-client');
const { startLocal, startContainer, stopContainer } = require('./local');

const KEY = { accessKeyId: 'AKIDBIDILOCAL001', secretAccessKey: 'bidiLocalSecret/0123456789' };
const UTF8 = { dataType: 'UTF8', completionState: 'COMPLETE' };

describe('sagemaker-local configuration: bidiPort', function () {
  const base = { credentials: [KEY], endpoints: { ep: { model: 'demo' } } };

  it('defaults to the port after port, and to 0 (any free port) when port is 0', function () {
    assert.strictEqual(validateConfig(base).bidiPort, 8778);
    assert.strictEqual(validateConfig({ ...base, port: 9000 }).bidiPort, 9001);
    assert.strictEqual(validateConfig({ ...base, port: 0 }).bidiPort, 0);
    assert.strictEqual(validateConfig({ ...base, port: 9000, bidiPort: 9443 }).bidiPort, 9443);
  });

  it('names the rule a bad bidiPort breaks', function () {
    const problem = (raw) => {
      try {
        validateConfig(raw, 'f.json');
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.message;
      }
      return 'no error';
    };
    assert.match(problem({ ...base, port: 9000, bidiPort: 9000 }), /bidiPort must differ from port/);
    assert.match(problem({ ...base, bidiPort: 70000 }), /bidiPort must be a whole number from 0 to 65535 \(got 70000\)/);
    assert.match(problem({ ...base, port: 65535 }), /bidiPort must be given when port is 65535/);
    assert.match(problem({ ...base, endpoints: { ep: { model: 'demo', delayMs: -1 } } }), /endpoints\.ep\.delayMs must be a whole number from 0 to 60000/);
  });

  it('takes --bidi-port from the command line', function () {
    const config = loadConfig(['--demo', 'ep', '--access-key-id', 'AK', '--secret-access-key', 's', '--port', '9000', '--bidi-port', '9100']);
    assert.deepStrictEqual([config.port, config.bidiPort], [9000, 9100]);
    assert.throws(() => loadConfig(['--demo', 'ep', '--bidi-port', 'x']), /--bidi-port must be a number/);
  });
});

describe('the sagemaker-local command: bidirectional streams', function () {
  this.timeout(30000);

  it('prints the HTTP/2 URL and answers a stream there', async function () {
    const cli = path.join(__dirname, '..', 'dist', 'cli.js');
    const args = ['--port', '0', '--demo', 'ep', '--access-key-id', KEY.accessKeyId, '--secret-access-key', KEY.secretAccessKey];
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      const bidiUrl = await new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const m = /bidirectional streams \(HTTP\/2\) on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      const c = await openBidi(bidiUrl, 'ep', { credentials: KEY });
      await c.send('4', UTF8);
      await c.end();
      await c.done;
      c.close();
      assert.deepStrictEqual(
        c.messages.map((m) => m.json.value),
        [4],
      );
      await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /POST \/endpoints\/ep\/invocations-bidirectional-stream 200 - 1 in 1 out \d+ms/);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    }
  });
});

describe('sagemaker-local: bidirectional streams', function () {
  this.timeout(30000);
  let container;
  let local;
  let lines;
  const clients = [];

  const open = async (name, options = {}) => {
    const c = await openBidi(local.bidiUrl, name, { credentials: KEY, ...options });
    clients.push(c);
    return c;
  };

  before(async function () {
    container = await startContainer();
    ({ local, lines } = await startLocal(
      {
        port: 0,
        credentials: [KEY],
        endpoints: { demo: { model: 'demo', delayMs: 1 }, model: { container: container.url }, gone: { container: 'http://127.0.0.1:1' } },
      },
      { pingIntervalMs: 60000 },
    ));
  });

  after(async function () {
    for (const c of clients) c.close();
    await local.close();
    await stopContainer(container.child);
  });

  it('listens for HTTP/2 on a port of its own, next to the HTTP/1.1 operations', async function () {
    assert.match(local.bidiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notStrictEqual(local.bidiUrl, local.url);
    const c = await open('demo');
    await c.send('{"value": 3}', UTF8);
    await c.end();
    await c.done;
    assert.deepStrictEqual(
      c.messages.map((m) => m.json.value),
      [3],
    );
    assert.ok(lines.some((l) => /^POST \/endpoints\/demo\/invocations-bidirectional-stream 200 - 1 in 1 out \d+ms$/.test(l)), lines.join('\n'));
  });

  it('streams to the container over WebSocket: UTF8 as text, BINARY as binary, PARTIAL parts as one message', async function () {
    const c = await open('model');
    await c.send('hello', UTF8);
    await c.send(Buffer.from([1, 2, 3]), { dataType: 'BINARY', completionState: 'COMPLETE' });
    await c.send('par', { dataType: 'UTF8', completionState: 'PARTIAL' });
    await c.send('ts', UTF8);
    await c.send('whoami', UTF8);
    await c.send('burst:3', UTF8);
    // The container's answers arrive before the closing handshake it answers to the end of the input.
    while (c.messages.length < 7) await new Promise((r) => setTimeout(r, 5));
    await c.end();
    await c.done;
    assert.deepStrictEqual(
      c.messages.map((m) => [m.type, m.headers.DataType, m.headers.DataType === 'BINARY' ? [...m.body] : m.text]),
      [
        ['PayloadPart', 'UTF8', 'echo:hello'],
        ['PayloadPart', 'BINARY', [1, 2, 3]],
        ['PayloadPart', 'UTF8', 'echo:parts'],
        ['PayloadPart', 'UTF8', JSON.stringify({ path: '/invocations-bidirectional-stream', query: '' })],
        ['PayloadPart', 'UTF8', 'burst-1'],
        ['PayloadPart', 'UTF8', 'burst-2'],
        ['PayloadPart', 'UTF8', 'burst-3'],
      ],
    );
  });

  it('carries a container burst to a client that pauses reading, all of it and in order', async function () {
    const c = await open('model');
    await c.response;
    c.stream.pause();
    await c.send('burst:20000', UTF8);
    await new Promise((r) => setTimeout(r, 300));
    c.stream.resume();
    while (c.messages.length < 20000) await new Promise((r) => setTimeout(r, 10));
    await c.end();
    await c.done;
    assert.strictEqual(c.messages.length, 20000);
    c.messages.forEach((m, i) => assert.strictEqual(m.text, `burst-${i + 1}`));
  });

  it('opens the WebSocket on the model invocation path with the model query string', async function () {
    const c = await open('model', {
      headers: { 'x-amzn-sagemaker-model-invocation-path': 'v1/stream', 'x-amzn-sagemaker-model-query-string': 'lang=en&rate=16000' },
    });
    await c.send('whoami', UTF8);
    while (c.messages.length < 1) await new Promise((r) => setTimeout(r, 5));
    await c.end();
    await c.done;
    assert.deepStrictEqual(c.messages[0].json, { path: '/v1/stream', query: 'lang=en&rate=16000' });
  });

  it('ends the stream with ModelStreamError when the container closes with an error code', async function () {
    const c = await open('model');
    await c.send('close:1011', UTF8);
    const end = await c.done;
    assert.strictEqual(end.status, 200);
    assert.deepStrictEqual(
      c.messages.map((m) => [m.kind, m.type, m.json && m.json.ErrorCode]),
      [['exception', 'ModelStreamError', '1011']],
    );
    assert.match(c.messages[0].json.Message, /closed the stream with code 1011: asked to/);
  });

  it('ends the stream normally when the container closes with 1000, even while the client still has input open', async function () {
    const c = await open('model');
    await c.send('close:1000', UTF8);
    const end = await c.done;
    assert.strictEqual(end.status, 200);
    assert.deepStrictEqual(c.messages, []);
  });

  it('carries a 70 KB part to the container and its 70 KB answer back (frames past the 16-bit length)', async function () {
    const c = await open('model');
    await c.send('big:' + 'x'.repeat(70000), UTF8);
    while (c.messages.length < 1) await new Promise((r) => setTimeout(r, 5));
    await c.end();
    await c.done;
    assert.deepStrictEqual([c.messages.length, c.messages[0].text.length], [1, 'echo:big:'.length + 70000]);
    assert.ok(c.messages[0].text.startsWith('echo:big:xxx'));
  });

  it('answers ModelError 424 before the stream when the container refuses the upgrade or cannot be reached', async function () {
    const refused = await open('model', { headers: { 'x-amzn-sagemaker-model-invocation-path': 'refuse' } });
    let { status, headers, body } = await refused.response;
    assert.deepStrictEqual([status, headers['x-amzn-errortype'], body.OriginalStatusCode, body.OriginalMessage], [424, 'ModelError', 503, 'not now']);
    assert.strictEqual(body.LogStreamArn, 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/model');
    const gone = await open('gone');
    ({ status, headers, body } = await gone.response);
    assert.deepStrictEqual([status, headers['x-amzn-errortype'], body.OriginalStatusCode], [424, 'ModelError', 0]);
    assert.match(body.Message, /could not open a stream to the gone endpoint's container/);
  });
});
