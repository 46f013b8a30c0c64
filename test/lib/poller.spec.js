'use strict';
// The shared poller: due checks start one at a time, spaced under the ceiling, never in bursts; expired checks end
// without a request; slow S3 does not pile up requests. On a fake clock.
const assert = require('node:assert/strict');
const FakeTimers = require('@sinonjs/fake-timers');
const { Poller, spacingFor } = require('../../dist/invoke/async/poller');

function setup(options) {
  const clock = FakeTimers.createClock(0);
  const poller = new Poller({
    now: () => clock.now,
    setTimer: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimer: (t) => clock.clearTimeout(t),
    ...options,
  });
  return { clock, poller };
}

/** A check that records when it ran and asks to come back after each of `delays` (then ends). */
function check(name, due, starts, delays = [], { clock, ms = 0 } = {}) {
  const p = {
    name,
    due,
    heapIndex: -1,
    expire: () => false,
    poll: async () => {
      starts.push({ name, at: clock.now });
      if (ms) await new Promise((r) => clock.setTimeout(r, ms));
      const next = delays.shift();
      if (next === undefined) return false;
      p.due = clock.now + next;
      return true;
    },
  };
  return p;
}

const maxInWindow = (times, windowMs = 1000) => {
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
};

describe('poller', function () {
  it('spaces 500 checks that are all due at once at the ceiling, never more in any second', async function () {
    const { clock, poller } = setup({ ratePerSecond: 50 });
    const starts = [];
    for (let i = 0; i < 500; i++) poller.add(check(`c${i}`, 0, starts, [], { clock }));
    await clock.tickAsync(12000);
    assert.equal(starts.length, 500);
    const times = starts.map((s) => s.at);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= spacingFor(50) - 1e-9, `gap at ${i}`);
    assert.ok(maxInWindow(times) <= 50, `peak ${maxInWindow(times)}`);
    assert.equal(poller.requests, 500);
    assert.equal(poller.size, 0);
  });

  it('runs checks in the order they fall due and re-queues them at their new due time', async function () {
    const { clock, poller } = setup({ ratePerSecond: 100 });
    const starts = [];
    poller.add(check('late', 500, starts, [], { clock }));
    poller.add(check('early', 100, starts, [1000], { clock }));
    poller.add(check('mid', 300, starts, [], { clock }));
    await clock.tickAsync(2000);
    assert.deepEqual(starts.map((s) => `${s.name}@${s.at}`), ['early@100', 'mid@300', 'late@500', 'early@1100']);
  });

  it('does not bank credit while idle: after a quiet time, checks still come one spacing apart', async function () {
    const { clock, poller } = setup({ ratePerSecond: 10 });
    const starts = [];
    await clock.tickAsync(5000);
    for (let i = 0; i < 5; i++) poller.add(check(`c${i}`, clock.now, starts, [], { clock }));
    await clock.tickAsync(1000);
    const gaps = starts.slice(1).map((s, i) => s.at - starts[i].at);
    for (const g of gaps) assert.ok(g >= 100, `gap ${g}`);
  });

  it('ends an expired check without a request', async function () {
    const { clock, poller } = setup({ ratePerSecond: 10 });
    const starts = [];
    let expired = 0;
    const p = check('x', 100, starts, [], { clock });
    p.expire = (now) => now >= 100 && ++expired > 0;
    poller.add(p);
    await clock.tickAsync(500);
    assert.equal(expired, 1);
    assert.equal(starts.length, 0);
    assert.equal(poller.requests, 0);
  });

  it('holds at most maxConcurrent requests at once while S3 is slow', async function () {
    const { clock, poller } = setup({ ratePerSecond: 100, maxConcurrent: 3 });
    const starts = [];
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      const p = check(`c${i}`, 0, starts, [], { clock, ms: 1000 });
      const poll = p.poll;
      p.poll = () => {
        peak = Math.max(peak, poller.inFlight);
        return poll();
      };
      poller.add(p);
    }
    await clock.tickAsync(5000);
    assert.equal(starts.length, 10);
    assert.ok(peak <= 3, `peak ${peak}`);
  });

  it('remove() takes a check off; close() stops everything and keeps no timer', async function () {
    const { clock, poller } = setup({ ratePerSecond: 10 });
    const starts = [];
    const a = check('a', 100, starts, [], { clock });
    const b = check('b', 200, starts, [], { clock });
    poller.add(a);
    poller.add(b);
    poller.remove(a);
    await clock.tickAsync(300);
    assert.deepEqual(starts.map((s) => s.name), ['b']);
    poller.add(check('c', 1000, starts, [], { clock }));
    poller.close();
    assert.equal(clock.countTimers(), 0);
    await clock.tickAsync(2000);
    assert.equal(starts.length, 1);
  });
});
