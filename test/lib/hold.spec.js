'use strict';
// Riding out an outage (onUnreachable hold) without Node-RED or a network: the Hold schedule itself (probes one at a
// time, backoff 1 s doubling to 30 s with jitter, arrival order, deadlines, close), then the dispatcher with a
// fake runner whose calls "cannot reach" SageMaker until the test says so. On fake timers.
const assert = require('node:assert/strict');
const FakeTimers = require('@sinonjs/fake-timers');
const { Hold, HOLD_BACKOFF } = require('../../dist/invoke/hold');
const { Dispatcher } = require('../../dist/invoke/dispatch');

const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'];

function recorder() {
  const r = { resent: [], expired: [], changed: 0 };
  r.handlers = {
    resend: (task, probe) => r.resent.push({ task, probe, at: Date.now() }),
    expire: (task) => r.expired.push({ task, at: Date.now() }),
    changed: () => { r.changed += 1; },
  };
  return r;
}

describe('hold: the schedule of an outage', function () {
  let clock;
  beforeEach(() => { clock = FakeTimers.install({ toFake: FAKED, now: 0 }); });
  afterEach(() => clock.uninstall());

  it('backs off 1 s doubling to 30 s, each delay up to 20 % shorter (jitter)', function () {
    const none = new Hold(recorder().handlers, { random: () => 0 });
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map((n) => none.delay(n)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    const most = new Hold(recorder().handlers, { random: () => 0.999999 });
    assert.equal(most.delay(0), 800);
    assert.equal(most.delay(9), 24000);
    assert.deepEqual(HOLD_BACKOFF, { firstMs: 1000, maxMs: 30000, jitter: 0.2 });
  });

  it('sends one probe at a time, the oldest task, and backs off after each failed probe', function () {
    const r = recorder();
    const hold = new Hold(r.handlers, { random: () => 0 });
    hold.hold('b', 2, 1e9, 1);
    hold.hold('a', 1, 1e9, 1); // an older task that failed later still goes first
    hold.hold('c', 3, 1e9, 1);
    assert.equal(hold.isOffline, true);
    assert.deepEqual(hold.counts(), { held: 3, nextTryMs: 1000 });
    clock.tick(999);
    assert.equal(r.resent.length, 0);
    clock.tick(1);
    assert.deepEqual(r.resent, [{ task: 'a', probe: true, at: 1000 }]);
    assert.equal(hold.isProbe('a'), true);
    assert.deepEqual(hold.counts(), { held: 3, nextTryMs: 0 });
    clock.tick(60_000); // no second probe while the first is out
    assert.equal(r.resent.length, 1);
    hold.hold('a', 1, 1e9, 1); // the probe failed: next one 2 s later
    clock.tick(1999);
    assert.equal(r.resent.length, 1);
    clock.tick(1);
    assert.deepEqual(r.resent[1], { task: 'a', probe: true, at: 63_000 });
    hold.reached(); // it got through: everything held goes again, oldest first
    assert.deepEqual(r.resent.slice(2).map((x) => [x.task, x.probe]), [['b', false], ['c', false]]);
    assert.equal(hold.isOffline, false);
    assert.equal(clock.countTimers(), 0, 'no timer left once online');
  });

  it('expires each task at its own deadline, and stops being offline when nothing is left', function () {
    const r = recorder();
    const hold = new Hold(r.handlers, { random: () => 0 });
    hold.hold('late', 1, 5000, 1);
    hold.hold('soon', 2, 1500, 1);
    clock.tick(1000); // probe: 'late' goes out
    assert.deepEqual(r.resent.map((x) => x.task), ['late']);
    clock.tick(500);
    assert.deepEqual(r.expired, [{ task: 'soon', at: 1500 }]);
    clock.tick(4000);
    hold.hold('late', 1, 5000, 1); // the probe failed past its deadline: it expires at once
    assert.deepEqual(r.expired.map((x) => x.task), ['soon', 'late']);
    assert.equal(hold.isOffline, false);
    assert.equal(clock.countTimers(), 0);
  });

  it('close hands back every held task in order and leaves no timer', function () {
    const r = recorder();
    const hold = new Hold(r.handlers);
    hold.hold('x', 1, 1e9, 3);
    hold.hold('y', 2, 1e9, 1);
    assert.equal(hold.counts().held, 4, 'held counts messages: a batch of 3 and one');
    assert.deepEqual(hold.close(), ['x', 'y']);
    assert.equal(clock.countTimers(), 0);
  });
});

/** A message that records how it ended. */
function message(id, holdMs = 300_000) {
  const m = { id, msg: { id }, sent: [], ends: [], request: { id, holdMs } };
  m.send = (out) => m.sent.push(out);
  m.done = (err) => m.ends.push(err ? err.message : 'ok');
  return m;
}

/**
 * Runs that fail as "unreachable" while `net.down`: each fails (held through running.hold, as Outcome.fail does)
 * or answers after `ms` of fake time. Records the calls, and which were probes.
 */
function network(net) {
  const calls = [];
  const run = (running) => {
    calls.push({ id: running.job.request.id, probe: !!running.probe, at: Date.now() });
    return new Promise((resolve) => {
      setTimeout(() => {
        if (net.down) {
          const problem = { message: `unreachable ${running.job.request.id}`, details: { name: 'NetworkError', message: 'x' }, short: 'ECONNREFUSED', unreachable: true };
          if (!(running.hold && running.hold(problem))) running.done(new Error(problem.message));
        } else {
          running.send(running.msg);
          running.done();
        }
        resolve();
      }, net.ms ?? 10);
    });
  };
  return { calls, run };
}

function dispatcher(net, { maxInFlight = 1, maxQueue = 100 } = {}) {
  const { calls, run } = network(net);
  const ended = [];
  const d = new Dispatcher(
    { maxInFlight, maxQueue, hold: { timeoutMs: (job) => job.request.holdMs, random: () => 0 } },
    {
      run,
      full: (job) => job.done(new Error('QueueFull')),
      ended: (m, why) => { ended.push(why); m.done(new Error(`ended ${why}`)); },
      expired: (m, problem) => m.done(new Error(`expired: ${problem.message}`)),
      changed: () => undefined,
    },
  );
  return { d, calls, ended };
}

describe('hold: the dispatcher through an outage', function () {
  let clock;
  beforeEach(() => { clock = FakeTimers.install({ toFake: FAKED, now: 0 }); });
  afterEach(() => clock.uninstall());

  it('holds the failed message and every later one, probes alone, then answers all in arrival order', async function () {
    const net = { down: true };
    const { d, calls } = dispatcher(net);
    const msgs = [];
    for (let i = 1; i <= 20; i++) {
      const m = message(i);
      msgs.push(m);
      d.submit(m);
      await clock.tickAsync(500); // a steady feed, two a second
    }
    assert.equal(msgs.filter((m) => m.ends.length).length, 0, 'nothing failed during the outage');
    assert.equal(d.counts().offline.held, 20);
    const probes = calls.filter((c) => c.probe);
    assert.ok(probes.length >= 3 && probes.length <= 5, `a handful of probes in 10 s (${probes.length})`);
    assert.equal(calls.length, probes.length + 1, 'besides the first call, only probes went out');
    assert.ok(probes.every((p) => p.id === 1), 'the probe is the oldest held message');
    net.down = false;
    await clock.tickAsync(40_000);
    assert.deepEqual(msgs.map((m) => m.ends), msgs.map(() => ['ok']), 'each message answered once');
    const order = calls.filter((c) => !c.probe).map((c) => c.id).slice(1);
    assert.deepEqual(order, msgs.slice(1).map((m) => m.id), 'sent again in arrival order');
    assert.equal(d.counts().offline, undefined);
    assert.equal(d.counts().queued, 0);
  });

  it('fails arrivals past maxQueue with QueueFull at once, held ones counted', async function () {
    const net = { down: true };
    const { d } = dispatcher(net, { maxQueue: 3 });
    const msgs = [1, 2, 3, 4, 5].map((i) => message(i));
    d.submit(msgs[0]);
    await clock.tickAsync(20); // 1 failed and is held: offline
    msgs.slice(1).forEach((m) => d.submit(m));
    assert.deepEqual(msgs.map((m) => m.ends), [[], [], [], ['QueueFull'], ['QueueFull']]);
    net.down = false;
    await clock.tickAsync(5000);
    assert.deepEqual(msgs.slice(0, 3).map((m) => m.ends), [['ok'], ['ok'], ['ok']]);
  });

  it('ends a message held past its hold timeout with the error that held it; others wait on', async function () {
    const net = { down: true };
    const { d } = dispatcher(net);
    const short = message(1, 3000);
    const long = message(2, 600_000);
    d.submit(short);
    d.submit(long);
    await clock.tickAsync(3100);
    assert.deepEqual(short.ends, ['expired: unreachable 1']);
    assert.deepEqual(long.ends, []);
    net.down = false;
    await clock.tickAsync(10_000);
    assert.deepEqual(long.ends, ['ok']);
  });

  it('close ends every held message once with the reason, and no timer is left', async function () {
    const net = { down: true };
    const { d, ended } = dispatcher(net);
    const msgs = [1, 2, 3].map((i) => message(i));
    msgs.forEach((m) => d.submit(m));
    await clock.tickAsync(20);
    const closing = d.close(0);
    await clock.tickAsync(10);
    const report = await closing;
    assert.equal(report.held, 3);
    assert.deepEqual(ended, ['held', 'held', 'held']);
    assert.deepEqual(msgs.map((m) => m.ends.length), [1, 1, 1]);
    await clock.tickAsync(120_000);
    assert.deepEqual(msgs.map((m) => m.ends.length), [1, 1, 1], 'ended exactly once');
    assert.equal(clock.countTimers(), 0);
  });
});
