'use strict';
const assert = require('node:assert/strict');
const { Limiter } = require('../../dist/invoke/limiter');
const { StatusThrottle: Throttle } = require('../../dist/invoke/status-throttle');

describe('limiter: in-flight limit and FIFO queue', function () {
  it('starts up to maxInFlight, queues up to maxQueue, refuses the rest', function () {
    const l = new Limiter(2, 3);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((j) => l.submit(j)), ['start', 'start', 'queued', 'queued', 'queued', 'full']);
    assert.deepEqual([l.inFlight, l.queued], [2, 3]);
  });
  it('hands queued jobs out first in, first out, each taking the released place', function () {
    const l = new Limiter(1, 100);
    l.submit('a');
    for (let i = 0; i < 40; i++) l.submit(i); // more than the ring's first size
    const order = [];
    for (let next = l.release(); next !== undefined; next = l.release()) order.push(next);
    assert.deepEqual(order, [...Array(40).keys()]);
    assert.deepEqual([l.inFlight, l.queued], [0, 0]);
  });
  it('maxQueue 0 queues nothing; drain empties the queue oldest first', function () {
    const none = new Limiter(1, 0);
    none.submit('a');
    assert.equal(none.submit('b'), 'full');
    const l = new Limiter(1, 5);
    ['a', 'b', 'c'].forEach((j) => l.submit(j));
    assert.deepEqual(l.drain(), ['b', 'c']);
    assert.equal(l.queued, 0);
    assert.equal(l.release(), undefined);
    assert.equal(l.inFlight, 0);
  });
  it('counts the queue in messages: a job of weight n takes n places, and held messages count too', function () {
    const l = new Limiter(1, 10);
    assert.equal(l.submit('running', 4), 'start', 'a free place starts a job whatever its weight');
    assert.equal(l.submit('batch-a', 4), 'queued');
    l.hold(3); // messages of a batch still filling
    assert.equal(l.queued, 7);
    assert.equal(l.canHold(3), true);
    assert.equal(l.canHold(4), false);
    assert.equal(l.submit('batch-b', 4), 'full', '4 + 3 held + 4 would be 11 messages waiting');
    assert.equal(l.submit('one'), 'queued');
    l.unhold(3);
    assert.equal(l.queued, 5);
    assert.equal(l.release(), 'batch-a');
    assert.equal(l.queued, 1, 'the released batch no longer waits');
    assert.deepEqual(l.drain(), ['one']);
    assert.deepEqual([l.inFlight, l.queued], [1, 0]);
  });
  it('refuses limits that are not whole numbers in range', function () {
    assert.throws(() => new Limiter(0, 1), RangeError);
    assert.throws(() => new Limiter(1.5, 1), RangeError);
    assert.throws(() => new Limiter(1, -1), RangeError);
  });
});

describe('throttle: at most once per interval, and once after the last request', function () {
  it('runs at once, then holds further requests until the interval has passed', async function () {
    let now = 1000;
    const runs = [];
    const t = new Throttle(50, () => runs.push(now), () => now);
    t.request();
    t.request();
    t.request();
    assert.deepEqual(runs, [1000], 'the first runs now, the others wait');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(runs.length, 2, 'one trailing run for the waiting requests');
    now += 100;
    t.request();
    assert.equal(runs.length, 3, 'the interval has passed: runs now');
    t.cancel();
  });
  it('cancel drops the pending run', async function () {
    let runs = 0;
    const t = new Throttle(20, () => { runs += 1; });
    t.request();
    t.request();
    t.cancel();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(runs, 1);
  });
});
