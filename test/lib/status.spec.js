'use strict';
// The invoke node's status without Node-RED: counts, batches, the last error for a few seconds, throttled updates.
const assert = require('node:assert/strict');
const FakeTimers = require('@sinonjs/fake-timers');
const { NodeStatus, ERROR_STATUS_MS, STATUS_INTERVAL_MS } = require('../../dist/invoke/status');

describe('status: what the invoke node shows', function () {
  let clock;
  beforeEach(function () {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(function () {
    clock.uninstall();
  });

  function setup(counts, options = {}) {
    const shown = [];
    const status = new NodeStatus({
      show: (s) => shown.push(s),
      words: (key, params) => `${key} ${JSON.stringify(params ?? {})}`,
      counts: () => counts,
      ...options,
    });
    return { status, shown };
  }

  it('shows messages waiting for async results, with the requests in flight beside them', function () {
    const { status } = setup({ inFlight: 0, queued: 0, waiting: 12 });
    assert.deepEqual(status.text(), { fill: 'blue', shape: 'ring', text: 'waiting {"count":12}' });
    const busy = setup({ inFlight: 3, queued: 0, waiting: 12 });
    assert.deepEqual(busy.status.text(), { fill: 'blue', shape: 'ring', text: 'waitingBusy {"count":3,"waiting":12}' });
  });

  it('shows requests in flight and queued messages, and nothing when idle', function () {
    const counts = { inFlight: 0, queued: 0 };
    const { status, shown } = setup(counts);
    assert.deepEqual(shown, [{}]);
    Object.assign(counts, { inFlight: 2, queued: 0 });
    assert.deepEqual(status.text(), { fill: 'blue', shape: 'dot', text: 'requesting {"count":2}' });
    Object.assign(counts, { inFlight: 2, queued: 5 });
    assert.equal(status.text().fill, 'yellow');
    assert.match(status.text().text, /^queued/);
  });

  it('with batching, says batches and their mean size', function () {
    const { status } = setup({ inFlight: 1, queued: 0, batches: { sent: 4, messages: 10 } });
    assert.equal(status.text().text, 'batches {"count":1,"mean":"2.5"}');
  });

  it('with batching, never says "0 batches in flight" nor a mean size of "-": waiting messages fill a batch', function () {
    const counts = { inFlight: 0, queued: 3, batches: { sent: 0, messages: 0 } };
    const { status } = setup(counts);
    assert.deepEqual(status.text(), { fill: 'yellow', shape: 'dot', text: 'batchFilling {"queued":3}' });
    Object.assign(counts, { inFlight: 0, queued: 2, batches: { sent: 5, messages: 20 } });
    assert.equal(status.text().text, 'batchFilling {"queued":2}');
    Object.assign(counts, { inFlight: 2, queued: 4 });
    assert.equal(status.text().text, 'batchesQueued {"count":2,"queued":4,"mean":"4.0"}');
    Object.assign(counts, { inFlight: 0, queued: 0 });
    assert.deepEqual(status.text(), {});
    for (const inFlight of [0, 1, 2]) {
      for (const queued of [0, 1, 9]) {
        for (const sent of [0, 1, 3]) {
          if (inFlight > sent) continue; // a batch in flight was sent
          Object.assign(counts, { inFlight, queued, batches: { sent, messages: sent * 4 } });
          const text = status.text().text ?? '';
          assert.doesNotMatch(text, /"count":0|"mean":"-"/, JSON.stringify(counts));
        }
      }
    }
  });

  it('shows the last error for ERROR_STATUS_MS, then what is happening again', function () {
    const counts = { inFlight: 0, queued: 0 };
    const { status, shown } = setup(counts);
    status.error('ModelError');
    assert.deepEqual(shown.at(-1), { fill: 'red', shape: 'ring', text: 'error {"code":"ModelError","count":0}' });
    clock.tick(ERROR_STATUS_MS - 1);
    assert.equal(shown.at(-1).fill, 'red');
    clock.tick(1 + STATUS_INTERVAL_MS);
    assert.deepEqual(shown.at(-1), {});
  });

  it('updates at most once per interval, and once more after the last request', function () {
    const counts = { inFlight: 1, queued: 0 };
    const { status, shown } = setup(counts);
    for (let i = 0; i < 100; i++) status.update();
    assert.equal(shown.length, 2, 'the first render, then one update now');
    clock.tick(STATUS_INTERVAL_MS);
    assert.equal(shown.length, 3);
  });

  it('a node whose settings are wrong only says so; close stops the timers and clears it', function () {
    const { status, shown } = setup({ inFlight: 0, queued: 0 }, { notConfigured: true });
    assert.equal(shown[0].text, 'notConfigured {}');
    status.error('x');
    status.close(true);
    assert.deepEqual(shown.at(-1), {});
    assert.equal(clock.countTimers(), 0);
  });
});
