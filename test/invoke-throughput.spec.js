'use strict';
// maxInFlight, maxQueue, closing with work in hand, and every message accounted for under faults.
const assert = require('node:assert/strict');
const { helper, load, useServer, json, until, INVOKE_BLANK } = require('./harness');

/** Counts where each message ended, by msg id; a message that ends twice is recorded twice. */
function ledger(nodes) {
  const ends = new Map();
  const record = (where) => (msg) => {
    const list = ends.get(msg.id) ?? [];
    list.push({ where, msg });
    ends.set(msg.id, list);
  };
  nodes.out.on('input', record('out'));
  nodes.caught.on('input', record('caught'));
  return {
    ends,
    count: (where) => [...ends.values()].flat().filter((e) => e.where === where).length,
    total: () => [...ends.values()].reduce((n, list) => n + list.length, 0),
  };
}

/** A handler whose answers wait until the test releases them; tracks how many requests are open at once. */
function gate() {
  const waiting = [];
  const g = {
    open: 0,
    peak: 0,
    order: [],
    handler: (req) => {
      g.open += 1;
      g.peak = Math.max(g.peak, g.open);
      g.order.push(JSON.parse(req.body.toString()).id);
      return new Promise((resolve) => waiting.push(() => {
        g.open -= 1;
        resolve(json({ ok: true }));
      }));
    },
    releaseAll: () => {
      while (waiting.length) waiting.shift()();
    },
    get waiting() {
      return waiting.length;
    },
  };
  return g;
}

describe('sagemaker-invoke: in-flight limit and queue', function () {
  let server;
  useServer({}, undefined, (s) => { server = s; });

  it('keeps at most maxInFlight requests open and starts queued messages in arrival order', async function () {
    const g = gate();
    server.setEndpoint('ep', g.handler);
    const nodes = await load(server.url, { invoke: { maxInFlight: 3, maxQueue: 100 } });
    const book = ledger(nodes);
    for (let id = 0; id < 20; id++) nodes.n1.receive({ id, payload: { id } });
    await until(() => g.waiting === 3, 'the first three requests');
    // Answer whatever is waiting until all have ended: the node keeps starting queued ones as places free up.
    while (book.total() < 20) {
      g.releaseAll();
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(g.peak, 3, 'never more than maxInFlight at once');
    assert.deepEqual(g.order, [...Array(20).keys()], 'queued messages start first in, first out');
    assert.equal(book.count('out'), 20);
  });

  it('fails a message at once when the queue is full, saying so, and the rest go through', async function () {
    const g = gate();
    server.setEndpoint('ep', g.handler);
    const nodes = await load(server.url, { invoke: { maxInFlight: 1, maxQueue: 2 } });
    const book = ledger(nodes);
    for (let id = 0; id < 5; id++) nodes.n1.receive({ id, payload: { id } });
    await until(() => book.count('caught') === 2, 'the two that find the queue full');
    const rejected = [...book.ends.values()].flat().filter((e) => e.where === 'caught').map((e) => e.msg);
    assert.deepEqual(rejected.map((m) => m.id), [3, 4]);
    assert.match(rejected[0].error.message, /Not sent: the node already has 1 requests in flight and 2 messages queued, its limits \(maxInFlight 1, maxQueue 2\)/);
    assert.equal(rejected[0].sagemaker.error.name, 'QueueFull');
    while (book.count('out') < 3) {
      await until(() => g.waiting === 1 || book.count('out') === 3, 'a request');
      g.releaseAll();
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(book.total(), 5);
  });

  it('maxQueue 0 means no queue: a message that finds every place taken fails', async function () {
    const g = gate();
    server.setEndpoint('ep', g.handler);
    const nodes = await load(server.url, { invoke: { maxInFlight: 1, maxQueue: 0 } });
    const book = ledger(nodes);
    nodes.n1.receive({ id: 1, payload: { id: 1 } });
    nodes.n1.receive({ id: 2, payload: { id: 2 } });
    await until(() => book.count('caught') === 1, 'the refused one');
    assert.match(book.ends.get(2)[0].msg.error.message, /maxQueue 0/);
    await until(() => g.waiting === 1, 'the first request');
    g.releaseAll();
    await until(() => book.count('out') === 1, 'the first answer');
  });

  it('shows in-flight and queued counts in a throttled status, and clears it when done', async function () {
    const g = gate();
    server.setEndpoint('ep', g.handler);
    const nodes = await load(server.url, { invoke: { maxInFlight: 2, maxQueue: 1000 } });
    const statuses = [];
    nodes.n1.on('call:status', (call) => statuses.push({ at: Date.now(), status: call.args[0] }));
    const book = ledger(nodes);
    const started = Date.now();
    for (let id = 0; id < 500; id++) nodes.n1.receive({ id, payload: { id } });
    await until(() => statuses.some((s) => s.status.text === '2 in flight, 498 queued'), 'the queued status');
    while (book.total() < 500) {
      g.releaseAll();
      await new Promise((r) => setImmediate(r));
    }
    await until(() => JSON.stringify(statuses[statuses.length - 1].status) === '{}', 'the cleared status');
    const elapsed = Date.now() - started;
    // 500 messages started and ended; the status changed at most once per 250 ms interval (+ the first and last).
    assert.ok(statuses.length <= Math.ceil(elapsed / 250) + 3, `${statuses.length} status updates in ${elapsed} ms`);
  });

  it('rejects limits out of range as a setting, so the node says it is not configured', async function () {
    const nodes = await load(server.url, { invoke: { maxInFlight: 0 } });
    const book = ledger(nodes);
    nodes.n1.receive({ id: 1, payload: 1 });
    await until(() => book.total() === 1, 'the failure');
    assert.match(book.ends.get(1)[0].msg.error.message, /maxInFlight must be a whole number from 1 to 256/);
  });
});

describe('sagemaker-invoke: sockets for every request in flight', function () {
  let server;
  useServer({}, undefined, (s) => { server = s; });

  it('two nodes with maxInFlight 64 on one config have 128 requests open at once, with no socket warning', async function () {
    const g = gate();
    server.setEndpoint('ep', g.handler);
    const warnings = [];
    const warn = console.warn;
    console.warn = (...args) => warnings.push(args.join(' '));
    try {
      const second = { id: 'n2', type: 'sagemaker-invoke', z: 'f1', name: '', config: 'c1', ...INVOKE_BLANK, endpointName: 'ep', maxInFlight: 64, maxQueue: 1000, wires: [['out']] };
      const nodes = await load(server.url, { invoke: { maxInFlight: 64, maxQueue: 1000 }, extraNodes: [second], config: { timeout: 60000 } });
      const n2 = helper.getNode('n2');
      const book = ledger(nodes);
      for (let id = 0; id < 256; id++) (id % 2 ? n2 : nodes.n1).receive({ id, payload: { id } });
      // With the SDK's default of 50 sockets, 78 of these would wait for a socket and this would time out.
      await until(() => g.open === 128, '128 requests open at the server', 8000);
      assert.equal(g.peak, 128);
      while (book.total() < 256) {
        g.releaseAll();
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(book.count('out'), 256);
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(warnings.filter((w) => /socket usage at capacity/.test(w)), []);
  });
});

describe('sagemaker-invoke: closing with requests in flight and queued', function () {
  let server;
  useServer({}, undefined, (s) => { server = s; });

  it('fails every queued message, aborts every request in flight, ends each exactly once, and leaves nothing behind', async function () {
    // Every timer created from here on, unless the test or mocha made it, must be gone at the end.
    const live = new Map();
    const hook = require('node:async_hooks').createHook({
      init(id, type) {
        if (type !== 'Timeout') return;
        const stack = new Error().stack.split('\n');
        // the frame that called setTimeout/setInterval
        const caller = stack[stack.findIndex((line) => /at (setTimeout|setInterval) \(node:timers/.test(line)) + 1] ?? '';
        if (!/invoke-throughput\.spec\.js|harness\.js|mocha[\\/]/.test(caller)) live.set(id, stack.join('\n'));
      },
      destroy(id) {
        live.delete(id);
      },
    });
    hook.enable();
    server.setEndpoint('ep', () => ({ hang: true }));
    const nodes = await load(server.url, { invoke: { maxInFlight: 4, maxQueue: 1000 }, config: { timeout: 60000 } });
    const errors = [];
    nodes.n1.on('call:error', (call) => errors.push(call.args));
    for (let id = 0; id < 200; id++) nodes.n1.receive({ id, payload: { id } });
    await until(() => server.requests.length === 4, 'four requests in flight');
    const started = Date.now();
    await nodes.n1.close(true);
    assert.ok(Date.now() - started < 2000, 'close finishes well inside Node-RED\'s 15 s close timeout');
    await until(() => errors.length === 200, 'every message ended');
    const byId = new Map();
    for (const [err, msg] of errors) byId.set(msg.id, (byId.get(msg.id) ?? []).concat(String(err)));
    assert.equal(byId.size, 200, 'each message ended once');
    const aborted = [...byId.values()].filter(([e]) => /aborted because the node was closed/.test(e)).length;
    const unsent = [...byId.values()].filter(([e]) => /closed \(redeploy or stop\) while the message waited in its queue/.test(e)).length;
    assert.deepEqual([aborted, unsent], [4, 196]);
    assert.equal(server.requests.length, 4, 'no queued message was sent after close');
    await helper.unload();
    await new Promise((r) => setTimeout(r, 100));
    hook.disable();
    assert.deepEqual([...live.values()], [], 'a timer was left behind');
  });
});

describe('sagemaker-invoke: every message accounted for under faults', function () {
  this.timeout(180000);
  let server;
  useServer({}, { maxRecordedRequests: 100 }, (s) => { server = s; });

  /** A small seeded generator (mulberry32), so a failure can be reproduced. */
  function random(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('2,000 messages through throttling, 5xx, slow answers, hangs and resets: each ends once, downstream or at Catch', async function () {
    const rnd = random(20261125);
    const served = { ok: 0, throttled: 0, failed: 0, slow: 0, reset: 0, hang: 0 };
    const answered = new Set(); // ids the server answered successfully at least once
    server.setEndpoint('ep', async (req) => {
      // Every hundredth message meets a model error (never retried), so some always end at Catch.
      const { id: asked } = JSON.parse(req.body.toString());
      if (asked % 100 === 0) return { error: 'ModelError', message: 'bad reading', fields: { OriginalStatusCode: 400, OriginalMessage: 'bad reading' } };
      const r = rnd();
      if (r < 0.06) {
        served.throttled += 1;
        return { error: 'ThrottlingException', message: 'Rate exceeded' };
      }
      if (r < 0.10) {
        served.failed += 1;
        return { error: 'ServiceUnavailable', message: 'try again' };
      }
      if (r < 0.12) {
        served.reset += 1;
        return { reset: true };
      }
      if (r < 0.13) {
        served.hang += 1;
        return { hang: true };
      }
      if (r < 0.20) {
        served.slow += 1;
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(rnd() * 200)));
      }
      served.ok += 1;
      const { id } = JSON.parse(req.body.toString());
      answered.add(id);
      return json({ id });
    });
    const nodes = await load(server.url, {
      invoke: { maxInFlight: 32, maxQueue: 2000 },
      config: { timeout: 500, maxAttempts: 3 },
    });
    const book = ledger(nodes);
    const N = 2000;
    for (let id = 0; id < N; id++) nodes.n1.receive({ id, payload: { id } });
    await until(() => book.total() >= N, 'every message to end', 170000);
    await new Promise((r) => setTimeout(r, 200)); // a second ending would show up here
    assert.equal(book.total(), N, 'no message ended twice');
    assert.equal(book.ends.size, N, 'every message ended');
    for (const [id, list] of book.ends) {
      assert.equal(list.length, 1, `message ${id} ended ${list.length} times`);
      const [{ where, msg }] = list;
      if (id % 100 === 0) assert.match(msg.error && msg.error.message, /failed with status 400: bad reading/, `message ${id}`);
      else if (where === 'out') assert.deepEqual(msg.payload, { id }, 'each answer reaches its own message');
      else assert.match(msg.error.message, /throttled|failed with status 503|Could not reach|timeout of 500 ms|retry/i);
    }
    // An answer can come after the client gave up on that attempt (and retried), so compare ids, not counts.
    for (const [id, [{ where }]] of book.ends) if (where === 'out') assert.ok(answered.has(id), `message ${id} out without an answer`);
    assert.ok(book.count('caught') >= N / 100 && book.count('out') > N * 0.8, JSON.stringify({ served, out: book.count('out') }));
  });
});

describe('sagemaker-invoke: memory', function () {
  this.timeout(180000);
  let server;
  useServer({ ep: (req) => ({ body: req.body, contentType: 'application/json' }) }, { maxRecordedRequests: 10 }, (s) => { server = s; });

  it('returns to its starting heap after 20,000 messages through a fast endpoint (within 8 MB)', async function () {
    if (typeof global.gc !== 'function') this.skip(); // needs node --expose-gc (set in .mocharc.json)
    const nodes = await load(server.url, { invoke: { maxInFlight: 16, maxQueue: 1000 } });
    let arrived = 0;
    nodes.out.on('input', () => { arrived += 1; });
    const batch = async (n) => {
      const target = arrived + n;
      for (let i = 0; i < n; i++) nodes.n1.receive({ payload: { reading: i, values: [1, 2, 3, 4] } });
      await until(() => arrived >= target, 'the batch', 60000);
      helper._sandbox.resetHistory(); // the test helper's spies keep every call; they are not the node's memory
    };
    const heap = async () => {
      await new Promise((r) => setTimeout(r, 300)); // let the throttled status and sockets settle
      for (let i = 0; i < 3; i++) global.gc();
      return process.memoryUsage().heapUsed;
    };
    await batch(1000); // warm-up: the SDK's and Node-RED's lazy set-up
    const before = await heap();
    for (let i = 0; i < 20; i++) await batch(1000);
    const after = await heap();
    const grownMb = (after - before) / 1024 / 1024;
    assert.ok(grownMb < 8, `heap grew by ${grownMb.toFixed(1)} MB over 20,000 messages`);
    assert.ok(server.requests.length <= 10);
  });
});
