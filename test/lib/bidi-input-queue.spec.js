'use strict';
const assert = require('node:assert/strict');
const { InputQueue, QueueFullError, InputClosedError } = require('../../dist/bidi/input-queue');

const settled = async (p) => {
  let state = 'pending';
  p.then(() => (state = 'resolved'), () => (state = 'rejected'));
  await new Promise((r) => setImmediate(r));
  return state;
};

describe('bidi input queue', function () {
  it('hands parts over in order; push resolves only when the part is pulled', async function () {
    const q = new InputQueue(10);
    const it = q[Symbol.asyncIterator]();
    const p1 = q.push('a');
    const p2 = q.push('b');
    assert.equal(q.length, 2);
    assert.equal(await settled(p1), 'pending');
    assert.deepEqual(await it.next(), { value: 'a', done: false });
    assert.equal(await settled(p1), 'resolved');
    assert.equal(await settled(p2), 'pending');
    assert.deepEqual(await it.next(), { value: 'b', done: false });
    assert.equal(await settled(p2), 'resolved');
    assert.equal(q.taken, 2);
  });

  it('a pull waiting for a part gets it at once', async function () {
    const q = new InputQueue(1);
    const it = q[Symbol.asyncIterator]();
    const next = it.next();
    await q.push('x');
    assert.deepEqual(await next, { value: 'x', done: false });
  });

  it('fails a part past maxQueue at once with QueueFull, and accepts again once one is pulled', async function () {
    const q = new InputQueue(2);
    const it = q[Symbol.asyncIterator]();
    q.push(1);
    q.push(2);
    await assert.rejects(q.push(3), (e) => e instanceof QueueFullError && e.name === 'QueueFull' && e.maxQueue === 2);
    await it.next();
    assert.equal(await settled(q.push(3)), 'pending');
    assert.equal(q.length, 2);
  });

  it('end(): the queued parts still go, then the iteration ends; later pushes are refused', async function () {
    const q = new InputQueue(5);
    const it = q[Symbol.asyncIterator]();
    q.push('a');
    q.end();
    await assert.rejects(q.push('late'), (e) => e instanceof InputClosedError);
    assert.deepEqual(await it.next(), { value: 'a', done: false });
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });

  it('end() while the consumer waits ends its pull', async function () {
    const q = new InputQueue(5);
    const it = q[Symbol.asyncIterator]();
    const next = it.next();
    q.end();
    assert.deepEqual(await next, { value: undefined, done: true });
  });

  it('fail(): the consumer gets the error, queued parts are rejected', async function () {
    const q = new InputQueue(5);
    const it = q[Symbol.asyncIterator]();
    const queued = q.push('a');
    q.fail(new Error('producer broke'));
    await assert.rejects(queued, (e) => e instanceof InputClosedError && /producer broke/.test(e.message));
    await assert.rejects(it.next(), /producer broke/);
  });

  it('the consumer stopping (return) rejects waiting and later parts', async function () {
    const q = new InputQueue(5);
    const it = q[Symbol.asyncIterator]();
    const queued = q.push('a');
    await it.return();
    await assert.rejects(queued, (e) => e.name === 'InputClosed');
    await assert.rejects(q.push('b'), (e) => e.name === 'InputClosed');
    assert.equal(q.closed, true);
  });

  it('keeps its storage small over a long stream', async function () {
    const q = new InputQueue(3);
    const it = q[Symbol.asyncIterator]();
    for (let i = 0; i < 10000; i++) {
      const p = q.push(i);
      assert.equal((await it.next()).value, i);
      await p;
    }
    assert.ok(q.waiting.length < 2048);
  });

  it('is read once and checks maxQueue', function () {
    assert.throws(() => new InputQueue(0), RangeError);
    const q = new InputQueue(1);
    q[Symbol.asyncIterator]();
    assert.throws(() => q[Symbol.asyncIterator](), /read only once/);
  });
});
