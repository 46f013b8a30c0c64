'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { helper, KEYS, load, outcome, startServer, useServer, json, until } = require('./harness');


/** An endpoint that answers with `results` in turn, then keeps answering the last one. */
function sequence(...results) {
  let i = 0;
  return () => results[Math.min(i++, results.length - 1)];
}

describe('sagemaker-invoke: failures reach the Catch node', function () {
  let server;
  useServer({ ep: () => json({ ok: true }) }, undefined, (s) => { server = s; });

  const caught = async (nodes, msg) => {
    const r = await outcome(nodes, msg);
    assert.equal(r.where, 'caught', `expected the Catch node, got ${JSON.stringify(r.msg.payload)}`);
    return r.msg;
  };

  it('ModelError: the model\'s status and message, not retried', async function () {
    server.setEndpoint('ep', () => ({
      error: 'ModelError',
      message: 'Received server error (500) from primary with message "division by zero".',
      fields: { OriginalStatusCode: 500, OriginalMessage: 'division by zero', LogStreamArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/ep' },
    }));
    const nodes = await load(server.url);
    const msg = await caught(nodes, { payload: 1, topic: 'kept' });
    assert.equal(msg.topic, 'kept');
    assert.match(msg.error.message, /model on endpoint ep failed with status 500: division by zero/);
    assert.match(msg.error.message, /log-group/);
    assert.equal(msg.error.source.id, 'n1');
    const e = msg.sagemaker.error;
    assert.equal(e.name, 'ModelError');
    assert.equal(e.statusCode, 424);
    assert.equal(e.originalStatusCode, 500);
    assert.equal(e.originalMessage, 'division by zero');
    assert.match(e.logStreamArn, /^arn:aws:logs/);
    assert.match(e.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(e.attempts, 1);
    assert.equal(server.requests.length, 1, 'ModelError is not retried');
  });

  it('ModelError without a log stream: the message ends with the model\'s words, not "(log stream: not given)"', async function () {
    server.setEndpoint('ep', () => ({
      error: 'ModelError',
      message: 'Received client error (400) from primary with message "bad input".',
      fields: { OriginalStatusCode: 400, OriginalMessage: 'bad input' },
    }));
    const nodes = await load(server.url);
    const msg = await caught(nodes, { payload: 1 });
    assert.equal(msg.error.message, 'Error: The model on endpoint ep failed with status 400: bad input');
    assert.equal(msg.sagemaker.error.name, 'ModelError');
    assert.equal('logStreamArn' in msg.sagemaker.error, false);
  });

  it('ValidationError is not retried', async function () {
    server.setEndpoint('ep', () => ({ error: 'ValidationError', message: 'Endpoint ep of account 123456789012 not found.' }));
    const nodes = await load(server.url);
    const msg = await caught(nodes, { payload: 1 });
    assert.match(msg.error.message, /SageMaker refused the request to endpoint ep: Endpoint ep of account/);
    assert.equal(msg.sagemaker.error.name, 'ValidationError');
    assert.equal(msg.sagemaker.error.statusCode, 400);
    assert.equal(server.requests.length, 1);
  });

  it('throttling is retried by the SDK and then succeeds', async function () {
    server.setEndpoint('ep', sequence({ error: 'ThrottlingException', message: 'Rate exceeded' }, json({ ok: 'after retry' })));
    const nodes = await load(server.url);
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'out');
    assert.deepEqual(r.msg.payload, { ok: 'after retry' });
    assert.equal(r.msg.sagemaker.attempts, 2);
    assert.equal(server.requests.length, 2);
  });

  it('ModelNotReadyException (429) is retried up to maxAttempts, then reported', async function () {
    server.setEndpoint('ep', () => ({ error: 'ModelNotReadyException', message: 'Model is loading' }));
    const nodes = await load(server.url, { config: { maxAttempts: 2 } });
    const msg = await caught(nodes, { payload: 1 });
    assert.match(msg.error.message, /not ready after 2 attempt/);
    assert.equal(msg.sagemaker.error.statusCode, 429);
    assert.equal(msg.sagemaker.error.attempts, 2);
    assert.equal(server.requests.length, 2);
  });

  for (const type of ['ServiceUnavailable', 'InternalFailure']) {
    it(`${type} (5xx) is retried, and a persistent one is reported with its status`, async function () {
      server.setEndpoint('ep', () => ({ error: type, message: 'try later' }));
      const nodes = await load(server.url, { config: { maxAttempts: 2 } });
      const msg = await caught(nodes, { payload: 1 });
      assert.match(msg.error.message, new RegExp(`SageMaker failed with status 50[03] \\(${type}\\) after 2 attempt`));
      assert.equal(msg.sagemaker.error.name, type);
      assert.equal(msg.sagemaker.error.retryable, undefined === msg.sagemaker.error.retryable ? undefined : msg.sagemaker.error.retryable);
      assert.equal(server.requests.length, 2);
    });
  }

  it('InternalDependencyException (530) is not retried', async function () {
    server.setEndpoint('ep', () => ({ error: 'InternalDependencyException', message: 'dependency failed' }));
    const nodes = await load(server.url);
    const msg = await caught(nodes, { payload: 1 });
    assert.match(msg.error.message, /status 530 \(InternalDependencyException\) after 1 attempt/);
    assert.equal(msg.sagemaker.error.statusCode, 530);
    assert.equal(server.requests.length, 1);
  });

  it('shows the last error in the status as a red ring with a short code', async function () {
    server.setEndpoint('ep', () => ({ error: 'ModelError', message: 'x', fields: { OriginalStatusCode: 500, OriginalMessage: 'x' } }));
    const nodes = await load(server.url);
    const statuses = [];
    nodes.n1.on('call:status', (call) => statuses.push(call.args[0]));
    await caught(nodes, { payload: 1 });
    // The status is throttled: it shows the final state within one interval.
    await until(() => statuses.length > 0 && statuses[statuses.length - 1].text === 'ModelError', 'the error status');
    assert.deepEqual(statuses[statuses.length - 1], { fill: 'red', shape: 'ring', text: 'ModelError' });
  });

  it('ThrottlingException that persists is reported as throttling', async function () {
    server.setEndpoint('ep', () => ({ error: 'ThrottlingException', message: 'Rate exceeded' }));
    const nodes = await load(server.url, { config: { maxAttempts: 2 } });
    const msg = await caught(nodes, { payload: 1 });
    assert.match(msg.error.message, /throttled the request to endpoint ep after 2 attempt\(s\): Rate exceeded/);
    assert.equal(msg.sagemaker.error.name, 'ThrottlingException');
  });

  it('a model that never answers ends at the per-attempt timeout, which the error names', async function () {
    server.setEndpoint('ep', () => ({ hang: true }));
    const nodes = await load(server.url, { config: { timeout: 300, maxAttempts: 2 } });
    const started = Date.now();
    const msg = await caught(nodes, { payload: 1 });
    assert.match(msg.error.message, /within the config node's timeout of 300 ms per attempt \(2 of at most 2 attempts\)/);
    assert.equal(msg.sagemaker.error.name, 'TimeoutError');
    assert.equal(server.requests.length, 2, 'a timed-out attempt is retried');
    assert.ok(Date.now() - started < 5000, 'the attempts really ended');
  });

  it('keeps working after a failure', async function () {
    server.setEndpoint('ep', sequence({ error: 'ModelError', message: 'bad', fields: { OriginalStatusCode: 400, OriginalMessage: 'bad row' } }, json({ fine: true })));
    const nodes = await load(server.url);
    await caught(nodes, { payload: 1 });
    const r = await outcome(nodes, { payload: 2 });
    assert.equal(r.where, 'out');
    assert.deepEqual(r.msg.payload, { fine: true });
  });

  it('an unreachable endpoint URL is a network error naming the URL', async function () {
    const closed = await startServer();
    const url = closed.url;
    await closed.close();
    const nodes = await load(url, { config: { maxAttempts: 1 } });
    const msg = await caught(nodes, { payload: 1 });
    assert.match(msg.error.message, new RegExp(`Could not reach SageMaker at ${url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\)`));
    assert.equal(msg.sagemaker.error.name, 'NetworkError', 'a documented name, not "Error"');
    assert.equal(msg.sagemaker.error.errorCode, 'ECONNREFUSED');
  });

  it('https:// pointed at a plain-HTTP server says the server may not speak TLS (check the scheme), not to choose a CA', async function () {
    const plain = await startServer({ ep: () => json({ ok: true }) });
    try {
      const url = plain.url.replace(/^http:/, 'https:');
      const nodes = await load(url, { config: { maxAttempts: 1 } });
      const msg = await caught(nodes, { payload: 1 });
      assert.equal(msg.sagemaker.error.name, 'TLSError');
      assert.match(msg.error.message, new RegExp(`${url.replace(/[.]/g, '\\.')} did not answer in TLS .*may not speak HTTPS.*scheme: http://`));
      assert.doesNotMatch(msg.error.message, /certificate authority|TLS config node/);
    } finally {
      await plain.close();
    }
  });

  it('a server that hangs up without answering is a NetworkError (socket hang up, ECONNRESET)', async function () {
    const net = require('node:net');
    const rude = net.createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise((resolve) => rude.listen(0, '127.0.0.1', resolve));
    try {
      const nodes = await load(`http://127.0.0.1:${rude.address().port}`, { config: { maxAttempts: 1 } });
      const msg = await caught(nodes, { payload: 1 });
      assert.equal(msg.sagemaker.error.name, 'NetworkError');
      assert.equal(msg.sagemaker.error.errorCode, 'ECONNRESET');
      assert.match(msg.error.message, /Could not reach SageMaker at http:\/\/127\.0\.0\.1:\d+ \(ECONNRESET\) after 1 attempt\(s\): socket hang up/);
    } finally {
      await new Promise((resolve) => rude.close(resolve));
    }
  });

  it('closing the node aborts a request in flight and finishes its message', async function () {
    server.setEndpoint('ep', () => ({ hang: true }));
    const nodes = await load(server.url, { config: { timeout: 60000 } });
    const errors = [];
    nodes.n1.on('call:error', (call) => errors.push(call.args));
    nodes.n1.receive({ payload: 1 });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await nodes.n1.close(true);
    assert.ok(Date.now() - started < 2000, 'close does not wait for the model');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0][0]), /aborted because the node was closed/);
    assert.equal(errors[0][1].sagemaker.error.name, 'AbortError');
  });
});

describe('sagemaker-invoke: input is checked before anything is sent', function () {
  let server;
  useServer({ ep: () => json({ ok: true }) }, undefined, (s) => { server = s; });

  const circular = { a: 1 };
  circular.self = circular;
  const cases = [
    ['a missing payload', {}, /msg\.payload is missing/],
    ['a circular payload', { payload: circular }, /msg\.payload is a circular structure, which JSON cannot represent/],
    ['a BigInt', { payload: { n: 1n } }, /msg\.payload \(at "n"\) is a BigInt/],
    ['a function', { payload: { f: () => 1 } }, /is a function/],
    ['a body over 6 MB', { payload: Buffer.alloc(6291457) }, /6291457 bytes: SageMaker accepts at most 6291456 bytes/],
    ['a bad endpoint name', { payload: 1, endpointName: 'bad_name' }, /msg\.endpointName must be letters, digits and hyphens/],
    ['a long endpoint name', { payload: 1, endpointName: 'e'.repeat(64) }, /msg\.endpointName must be at most 63 characters long/],
    ['a bad variant', { payload: 1, targetVariant: 'v 1' }, /msg\.targetVariant must be letters/],
    ['a bad container hostname', { payload: 1, targetContainerHostname: '-c' }, /msg\.targetContainerHostname must be letters/],
    ['a bad inference component', { payload: 1, inferenceComponentName: 'ic_1' }, /msg\.inferenceComponentName must be letters/],
    ['a target model with a leading space', { payload: 1, targetModel: ' m' }, /msg\.targetModel must be printable/],
    ['custom attributes over 1024 characters', { payload: 1, customAttributes: 'a'.repeat(1025) }, /msg\.customAttributes must be at most 1024 characters/],
    ['custom attributes with non-ASCII', { payload: 1, customAttributes: 'caf\u00e9' }, /msg\.customAttributes must be visible US-ASCII/],
    ['an inference id over 64', { payload: 1, inferenceId: 'i'.repeat(65) }, /msg\.inferenceId must be at most 64/],
    ['a bad session id', { payload: 1, sessionId: 'new session' }, /msg\.sessionId must be NEW_SESSION, or letters/],
    ['a prefix-aware id over 64', { payload: 1, prefixAwareId: 'p'.repeat(65) }, /msg\.prefixAwareId must be at most 64/],
    ['a CR/LF in a content type', { payload: 1, contentType: 'text/plain\r\nX-Evil: 1' }, /msg\.contentType must be US-ASCII characters without control characters/],
    ['a CR/LF in accept', { payload: 1, accept: 'a\nb' }, /msg\.accept must be US-ASCII/],
    ['explanations over 64', { payload: 1, enableExplanations: 'e'.repeat(65) }, /msg\.enableExplanations must be at most 64/],
    ['a non-string field', { payload: 1, targetModel: ['a'] }, /msg\.targetModel must be a string \(it is an array\)/],
  ];
  for (const [what, msg, expected] of cases) {
    it(`refuses ${what}`, async function () {
      const nodes = await load(server.url, { invoke: { endpointName: '' } });
      const full = { endpointName: 'ep', ...msg };
      const r = await outcome(nodes, full);
      assert.equal(r.where, 'caught');
      assert.match(r.msg.error.message, expected);
      assert.equal(r.msg.sagemaker.error.name, 'InvalidInput');
      assert.equal(server.requests.length, 0, 'nothing was sent');
    });
  }

  it('refuses a message without any endpoint name', async function () {
    const nodes = await load(server.url, { invoke: { endpointName: '' } });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    assert.match(r.msg.error.message, /No endpoint name: set the node's Endpoint field or msg\.endpointName/);
    assert.equal(server.requests.length, 0);
  });

  it('a node property that breaks its rule fails every message and marks the status', async function () {
    const nodes = await load(server.url, { invoke: { targetVariant: 'bad variant' } });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    assert.match(r.msg.error.message, /Error: The node's targetVariant is "bad variant": targetVariant must be letters/);
    assert.equal(server.requests.length, 0);
  });

  it('a message still works after one that was refused', async function () {
    const nodes = await load(server.url, { invoke: { endpointName: '' } });
    assert.equal((await outcome(nodes, { payload: 1, endpointName: 'bad_name' })).where, 'caught');
    assert.equal((await outcome(nodes, { payload: 1, endpointName: 'ep' })).where, 'out');
  });

  it('an invalid config node fails each message with its reason', async function () {
    const nodes = await load(server.url, { config: { region: 'Ireland' } });
    const statuses = [];
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    assert.match(r.msg.error.message, /The SageMaker config node is invalid: region must be an AWS region such as eu-west-1/);
    assert.equal(server.requests.length, 0);
    nodes.n1.on('call:status', (c) => statuses.push(c.args[0]));
    assert.deepEqual(statuses, []);
  });

  it('a message with several bad fields names each of them in one error', async function () {
    const nodes = await load(server.url, { invoke: { endpointName: '' } });
    const r = await outcome(nodes, { payload: 1, endpointName: 'ep', sessionId: 'new session', requestTimeout: -5, targetVariant: 'v 1' });
    assert.equal(r.where, 'caught');
    const words = r.msg.error.message;
    assert.match(words, /msg\.requestTimeout must be a whole number from 1 to/);
    assert.match(words, /msg\.targetVariant must be letters/);
    assert.match(words, /msg\.sessionId must be NEW_SESSION, or letters/);
    assert.equal(r.msg.sagemaker.error.name, 'InvalidInput');
    assert.equal(server.requests.length, 0, 'nothing was sent');
  });

  it('with onUnreachable hold, a bad msg.holdTimeout is named with a bad sessionId and requestTimeout, and with a missing endpoint', async function () {
    const nodes = await load(server.url, { invoke: { endpointName: '', onUnreachable: 'hold' } });
    const r = await outcome(nodes, { payload: 1, endpointName: 'ep', sessionId: 'new session', requestTimeout: -5, holdTimeout: 0 });
    assert.equal(r.where, 'caught');
    for (const words of [/msg\.holdTimeout must be a whole number from 1 to 86400/, /msg\.sessionId must be NEW_SESSION/, /msg\.requestTimeout must be a whole number/]) {
      assert.match(r.msg.error.message, words);
    }
    // A request that cannot be built at all (no endpoint) still names the hold timeout.
    const again = await outcome(nodes, { payload: 1, holdTimeout: 'soon' });
    assert.equal(again.where, 'caught');
    assert.match(again.msg.error.message, /msg\.holdTimeout must be a whole number/);
    assert.match(again.msg.error.message, /endpoint/i);
    assert.equal(server.requests.length, 0, 'nothing was sent');
  });

  it('an invoke node with several bad settings names every one of them, each once, old and new (onUnreachable, holdTimeout)', async function () {
    const nodes = await load(server.url, {
      invoke: { endpointName: 'bad_name', targetVariant: 'v 1', maxQueue: -1, onUnreachable: 'wait', holdTimeout: '0' },
    });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    const words = r.msg.error.message;
    for (const field of ['endpointName', 'targetVariant', 'maxQueue', 'onUnreachable', 'holdTimeout']) {
      assert.equal(words.split(`The node's ${field} is `).length, 2, `${field} named once in: ${words}`);
    }
    assert.match(words, /onUnreachable is "wait": onUnreachable must be one of fail, hold/);
    const logged = helper.log().args.filter((a) => a[0] && a[0].level === 20 && /The node's endpointName/.test(a[0].msg));
    assert.equal(logged.length, 1, 'one error at deploy');
    assert.match(logged[0][0].msg, /holdTimeout/);
    assert.equal(server.requests.length, 0);
  });

  it('a config node with several bad settings names every one of them at deploy, in one error', async function () {
    const nodes = await load(server.url, { config: { region: 'Ireland', endpointUrl: 'not a url', maxAttempts: 0, timeout: 'soon' } });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    const words = r.msg.error.message;
    for (const field of [/region must be an AWS region/, /endpointUrl must/, /maxAttempts must be a whole number/, /timeout must be a whole number/]) {
      assert.match(words, field);
    }
    const logged = helper.log().args.filter((a) => a[0] && a[0].level === 20 && /region must be/.test(a[0].msg));
    assert.equal(logged.length, 1, 'one error at deploy');
    for (const field of ['endpointUrl', 'maxAttempts', 'timeout']) assert.match(logged[0][0].msg, new RegExp(`${field} must`));
  });

  it('no config node selected is a clear error', async function () {
    const nodes = await load(server.url, { invoke: { config: '' } });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    assert.match(r.msg.error.message, /No SageMaker config node is selected/);
  });
});

describe('sagemaker-config: credentials', function () {
  let server;
  const TOKEN_KEYS = { accessKeyId: 'ASIATESTTOKEN001', secretAccessKey: 'tokenSecretValue/ABCDEFGHIJ', sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN' };
  const PROFILE_KEYS = { accessKeyId: 'AKIDPROFILE00001', secretAccessKey: 'profileSecretValue/0123456789' };
  const ENV_KEYS = { accessKeyId: 'AKIDENVIRONMENT1', secretAccessKey: 'envSecretValue/0123456789ABC' };
  useServer(
    { ep: (req) => json({ key: req.accessKeyId, token: req.sessionToken || null }) },
    { credentials: [KEYS, TOKEN_KEYS, PROFILE_KEYS, ENV_KEYS] },
    (s) => { server = s; },
  );

  it('keys: signs with the stored keys', async function () {
    const nodes = await load(server.url);
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'out');
    assert.deepEqual(r.msg.payload, { key: KEYS.accessKeyId, token: null });
  });

  it('keys with a session token: sends the token', async function () {
    const nodes = await load(server.url, { credentials: TOKEN_KEYS });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'out');
    assert.deepEqual(r.msg.payload, { key: TOKEN_KEYS.accessKeyId, token: TOKEN_KEYS.sessionToken });
  });

  it('keys given as ${ENV_VAR} are read from the environment', async function () {
    process.env.SM_TEST_KEY_ID = TOKEN_KEYS.accessKeyId;
    process.env.SM_TEST_SECRET = TOKEN_KEYS.secretAccessKey;
    process.env.SM_TEST_TOKEN = TOKEN_KEYS.sessionToken;
    try {
      const nodes = await load(server.url, { credentials: { accessKeyId: '${SM_TEST_KEY_ID}', secretAccessKey: '${SM_TEST_SECRET}', sessionToken: '${SM_TEST_TOKEN}' } });
      const r = await outcome(nodes, { payload: 1 });
      assert.equal(r.where, 'out', r.msg.error && r.msg.error.message);
      assert.deepEqual(r.msg.payload, { key: TOKEN_KEYS.accessKeyId, token: TOKEN_KEYS.sessionToken });
    } finally {
      delete process.env.SM_TEST_KEY_ID;
      delete process.env.SM_TEST_SECRET;
      delete process.env.SM_TEST_TOKEN;
    }
  });

  it('keys missing: the config node says which one', async function () {
    const nodes = await load(server.url, { credentials: { accessKeyId: 'AKIDONLY' } });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    assert.match(r.msg.error.message, /secretAccessKey is required/);
    assert.equal(server.requests.length, 0);
  });

  it('profile: reads the named profile from the credentials file given', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-profile-'));
    const file = path.join(dir, 'credentials');
    fs.writeFileSync(file, `[default]\naws_access_key_id = AKIDWRONG\naws_secret_access_key = wrong\n\n[flows]\naws_access_key_id = ${PROFILE_KEYS.accessKeyId}\naws_secret_access_key = ${PROFILE_KEYS.secretAccessKey}\n`);
    try {
      const nodes = await load(server.url, { config: { authMode: 'profile', profile: 'flows', profileFile: file }, credentials: {} });
      const r = await outcome(nodes, { payload: 1 });
      assert.equal(r.where, 'out', r.msg.error && r.msg.error.message);
      assert.deepEqual(r.msg.payload, { key: PROFILE_KEYS.accessKeyId, token: null });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('profile: a profile that does not exist is a credentials error', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-profile-'));
    const file = path.join(dir, 'credentials');
    fs.writeFileSync(file, '[other]\naws_access_key_id = A\naws_secret_access_key = B\n');
    try {
      const nodes = await load(server.url, { config: { authMode: 'profile', profile: 'missing', profileFile: file }, credentials: {} });
      const r = await outcome(nodes, { payload: 1 });
      assert.equal(r.where, 'caught');
      assert.match(r.msg.error.message, /No AWS credentials could be found/);
      assert.equal(server.requests.length, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('chain: takes credentials from the environment', async function () {
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = ENV_KEYS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = ENV_KEYS.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    try {
      const nodes = await load(server.url, { config: { authMode: 'chain' }, credentials: {} });
      const r = await outcome(nodes, { payload: 1 });
      assert.equal(r.where, 'out', r.msg.error && r.msg.error.message);
      assert.deepEqual(r.msg.payload, { key: ENV_KEYS.accessKeyId, token: null });
    } finally {
      process.env = saved;
    }
  });

  it('a wrong secret fails as an auth error, and no secret appears in the error, the msg or the logs', async function () {
    const wrong = { accessKeyId: KEYS.accessKeyId, secretAccessKey: 'thisIsTheWrongSecretKey/0123456789', sessionToken: 'SomeSessionTokenValue123' };
    const nodes = await load(server.url, { credentials: wrong });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    assert.match(r.msg.error.message, /AWS refused the credentials \((InvalidSignatureException|UnrecognizedClientException)\)/);
    assert.equal(r.msg.sagemaker.error.statusCode, 403);
    const everything = JSON.stringify(r.msg) + JSON.stringify(helper.log().args);
    for (const secret of [wrong.secretAccessKey, wrong.sessionToken, KEYS.secretAccessKey]) {
      assert.ok(!everything.includes(secret), 'secret leaked');
    }
  });

  it('credentials stay out of the flow and only has_ flags of secrets reach the editor', async function () {
    const nodes = await load(server.url, { credentials: TOKEN_KEYS });
    assert.ok(nodes.c1);
    const redNodes = helper._redNodes;
    // Secrets are declared as password credentials, which Node-RED keeps in its encrypted credential store.
    assert.deepEqual(redNodes.getCredentialDefinition('sagemaker-config'), {
      accessKeyId: { type: 'text' }, secretAccessKey: { type: 'password' }, sessionToken: { type: 'password' },
    });
    const flowText = JSON.stringify(redNodes.getFlows());
    assert.ok(flowText.includes('sagemaker-config'));
    for (const secret of [TOKEN_KEYS.secretAccessKey, TOKEN_KEYS.sessionToken]) assert.ok(!flowText.includes(secret), 'secret in flows');
    // What the admin API's GET /credentials/sagemaker-config/c1 answers, from Node-RED's own code.
    const api = require('@node-red/runtime/lib/api/flows');
    api.init({ log: { audit() {} }, nodes: redNodes });
    const sent = await api.getNodeCredentials({ type: 'sagemaker-config', id: 'c1' });
    assert.deepEqual(sent, { accessKeyId: TOKEN_KEYS.accessKeyId, has_secretAccessKey: true, has_sessionToken: true });
  });
});

describe('sagemaker-invoke: an unknown output form is not silently replaced', function () {
  let server;
  useServer({ ep: () => json({ ok: true }) }, undefined, (s) => { server = s; });
  it('fails each message, naming the choices, and sends nothing', async function () {
    const nodes = await load(server.url, { invoke: { output: 'xml' } });
    const r = await outcome(nodes, { payload: 1 });
    assert.equal(r.where, 'caught');
    assert.match(r.msg.error.message, /output must be one of auto, json, text, buffer/);
    assert.equal(r.msg.sagemaker.error.name, 'ConfigurationError');
    assert.equal(server.requests.length, 0);
  });
});
