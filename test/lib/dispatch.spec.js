'use strict';
// The dispatcher without Node-RED: admission, queue, batches, hold counting, and close, with handlers that record.
const assert = require('node:assert/strict');
const { Dispatcher } = require('../../dist/invoke/dispatch');

/** A message that records how it ended. */
function message(id) {
  const m = { id, msg: { id }, sent: [], ends: [], request: { id } };
  m.send = (out) => m.sent.push(out);
  m.done = (err) => m.ends.push(err ? err.message : 'ok');
  return m;
}

/** Handlers whose runs finish when the test says so. */
function recorder() {
  const r = { started: [], batches: [], full: [], ended: [], changed: 0, finishers: [] };
  r.handlers = {
    run: (running, signal) => {
      r.started.push(running.job.request.id);
      return new Promise((resolve) => {
        const finish = () => { running.send(running.msg); running.done(); resolve(); };
        r.finishers.push(finish);
        signal.addEventListener('abort', () => { running.done(new Error('aborted')); resolve(); }, { once: true });
      });
    },
    runBatch: async (batch, runs) => {
      r.batches.push({ fields: batch.fields, body: batch.body.toString(), ids: runs.map((x) => x.job.request.id) });
      runs.forEach((x) => x.done());
    },
    full: (job, counts) => { r.full.push({ id: job.request.id, counts }); job.done(new Error('full')); },
    ended: (m, why) => { r.ended.push({ id: m.msg.id, why }); m.done(new Error(why)); },
    changed: () => { r.changed += 1; },
  };
  return r;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('dispatch: admitting built requests', function () {
  it('starts up to maxInFlight, queues in order up to maxQueue, fails the rest with the counts', async function () {
    const r = recorder();
    const d = new Dispatcher({ maxInFlight: 2, maxQueue: 2 }, r.handlers);
    const msgs = [1, 2, 3, 4, 5].map(message);
    msgs.forEach((m) => d.submit(m));
    assert.deepEqual(r.started, [1, 2]);
    assert.deepEqual(d.counts(), { inFlight: 2, queued: 2 });
    assert.deepEqual(r.full, [{ id: 5, counts: { inFlight: 2, queued: 2, maxInFlight: 2, maxQueue: 2 } }]);
    assert.deepEqual(msgs[4].ends, ['full']);
    r.finishers[0]();
    await tick();
    assert.deepEqual(r.started, [1, 2, 3], 'the oldest queued message takes the freed place');
    assert.deepEqual(msgs[0].ends, ['ok']);
    assert.ok(r.changed >= 6, 'every change is reported for the status');
  });

  it('ends every message of a run that throws (a bug), once', async function () {
    const r = recorder();
    r.handlers.run = async () => { throw new Error('boom'); };
    const d = new Dispatcher({ maxInFlight: 1, maxQueue: 1 }, r.handlers);
    const m = message(1);
    d.submit(m);
    await tick();
    assert.deepEqual(r.ended, [{ id: 1, why: 'bug' }]);
    assert.deepEqual(m.ends, ['bug']);
  });
});

describe('dispatch: batches', function () {
  const batching = { maxInFlight: 1, maxQueue: 10, batch: { size: 3, windowMs: 20, format: 'csv', batchKey: '' } };
  const piece = (n, fields = { EndpointName: 'ep' }) => ({ fields, piece: Buffer.from(String(n)), property: 'payload' });

  it('gathers messages of the same request into one run, counting the waiting ones as queued', async function () {
    const r = recorder();
    const d = new Dispatcher(batching, r.handlers);
    assert.equal(d.batching, true);
    d.join(message(1), piece(1));
    d.join(message(2), piece(2));
    assert.deepEqual(d.counts(), { inFlight: 0, queued: 2, batches: { sent: 0, messages: 0 } });
    d.join(message(3), piece(3));
    await tick();
    assert.deepEqual(r.batches, [{ fields: { EndpointName: 'ep' }, body: '1\n2\n3', ids: [1, 2, 3] }]);
    assert.deepEqual(d.counts(), { inFlight: 0, queued: 0, batches: { sent: 1, messages: 3 } });
  });

  it('sends a message in a session alone, at once', async function () {
    const r = recorder();
    const d = new Dispatcher(batching, r.handlers);
    d.join(message(1), piece(1, { EndpointName: 'ep', SessionId: 's-1' }));
    await tick();
    assert.deepEqual(r.batches.map((b) => b.ids), [[1]]);
  });

  it('fails a message at once when the queue cannot hold it in a batch', function () {
    const r = recorder();
    const d = new Dispatcher({ ...batching, maxQueue: 3, batch: { ...batching.batch, size: 4 } }, r.handlers);
    for (const id of [1, 2, 3, 4]) d.join(message(id), piece(id));
    assert.deepEqual(r.full.map((f) => f.id), [4]);
    d.close(0);
  });
});

describe('dispatch: close', function () {
  it('ends what was not sent, aborts what is in flight, and counts both', async function () {
    const r = recorder();
    const d = new Dispatcher({ maxInFlight: 1, maxQueue: 5 }, r.handlers);
    const msgs = [1, 2, 3].map(message);
    msgs.forEach((m) => d.submit(m));
    const report = await d.close(200);
    assert.equal(d.signal.aborted, true);
    assert.deepEqual(report, { queued: 2, batching: 0, inFlight: 1 });
    assert.deepEqual(r.ended.map((e) => [e.id, e.why]), [[2, 'queued'], [3, 'queued']]);
    assert.deepEqual(msgs.map((m) => m.ends), [['aborted'], ['queued'], ['queued']], 'each ends once');
  });

  it('ends a message still in flight after the grace period itself, and a late answer goes nowhere', async function () {
    const r = recorder();
    r.handlers.run = (running) => new Promise((resolve) => r.finishers.push(() => { running.send(running.msg); running.done(); resolve(); }));
    const d = new Dispatcher({ maxInFlight: 1, maxQueue: 0, batch: { size: 4, windowMs: 1000, format: 'csv', batchKey: '' } }, r.handlers);
    const m = message(1);
    d.submit(m);
    const report = await d.close(20);
    assert.deepEqual(report, { queued: 0, batching: 0, inFlight: 1 });
    assert.deepEqual(r.ended, [{ id: 1, why: 'inFlight' }]);
    r.finishers[0]();
    assert.deepEqual(m.sent, [], 'nothing goes out after the message ended');
    assert.deepEqual(m.ends, ['inFlight']);
  });

  it('ends the messages of a filling batch', async function () {
    const r = recorder();
    const d = new Dispatcher({ maxInFlight: 1, maxQueue: 10, batch: { size: 4, windowMs: 1000, format: 'csv', batchKey: '' } }, r.handlers);
    d.join(message(1), { fields: {}, piece: Buffer.from('1'), property: 'payload' });
    const report = await d.close(0);
    assert.deepEqual(report, { queued: 0, batching: 1, inFlight: 0 });
    assert.deepEqual(r.ended, [{ id: 1, why: 'batch' }]);
    assert.deepEqual(d.counts().queued, 0);
  });
});
