'use strict';
// The live figures' pure parts (src/stats): the latency histogram, one node's rings on a clock the test moves, the
// registry's list and what it publishes, and the editor's history and chart paths (src/editor/live.ts).
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const { bucketOf, valueOf, quantile, BUCKETS } = require('../../dist/stats/histogram');
const { NodeFigures } = require('../../dist/stats/figures');
const { LiveRegistry } = require('../../dist/stats/registry');
const { outcomeObserver, callObserver } = require('../../dist/stats/hooks');
const live = require('../../dist/shared/live');

/** A clock the test moves: ms since the epoch. */
function clock(start = 1764000000000) {
  const c = () => c.now;
  c.now = start;
  c.tick = (ms) => { c.now += ms; };
  return c;
}

describe('stats: latency histogram', function () {
  it('reads a quantile back within 5 % of the latencies put in, from 0.5 ms to minutes', function () {
    for (const ms of [0.7, 3, 12.5, 200, 999, 4321, 65000, 600000]) {
      const counts = new Uint32Array(BUCKETS);
      counts[bucketOf(ms)] += 1;
      const back = quantile(counts, 0.5);
      assert.ok(Math.abs(back - ms) / ms < 0.05, `${ms} ms read back as ${back}`);
    }
  });
  it('p50, p90 and p99 of a known spread; 0 when empty; the longest bucket takes everything longer', function () {
    const counts = new Uint32Array(BUCKETS);
    for (let i = 1; i <= 100; i++) counts[bucketOf(i * 10)] += 1; // 10 .. 1000 ms
    assert.ok(Math.abs(quantile(counts, 0.5) - 500) / 500 < 0.05);
    assert.ok(Math.abs(quantile(counts, 0.9) - 900) / 900 < 0.05);
    assert.ok(Math.abs(quantile(counts, 0.99) - 990) / 990 < 0.05);
    assert.equal(quantile(new Uint32Array(BUCKETS), 0.5), 0);
    assert.equal(bucketOf(1e12), BUCKETS - 1);
    assert.equal(bucketOf(0), 0);
    assert.equal(valueOf(0), 0.5);
  });
});

describe('stats: one node\'s figures', function () {
  it('counts messages, requests, bytes, errors by name and batches over the last 60 seconds', function () {
    const c = clock();
    const f = new NodeFigures(c);
    const call = callObserver(f);
    const ends = outcomeObserver(f);
    // One batch of 32: one request, 32 messages, one latency.
    call.request(3200);
    call.received(640);
    for (let i = 0; i < 32; i++) ends.answered({ durationMs: 200, batch: { size: 32, index: i } });
    // Three ModelErrors after a request each, an InvalidInput that made none.
    for (let i = 0; i < 3; i++) {
      call.request(10);
      ends.failed('ModelError', 'the model failed', { durationMs: 50 });
    }
    ends.failed('InvalidInput', 'msg.payload is missing', undefined);
    const w = f.window();
    assert.equal(w.messages, 36);
    assert.equal(w.requests, 4);
    assert.deepEqual(w.errors, { ModelError: 3, InvalidInput: 1 });
    assert.equal(w.batchSizeMean, 32);
    assert.equal(w.bytesOut, 3230);
    assert.equal(w.bytesIn, 640);
    assert.ok(Math.abs(w.latencyMs.max - 200) < 0.01);
    assert.deepEqual(f.lastError(), { name: 'InvalidInput', message: 'msg.payload is missing', at: c.now });
  });

  it('a fixed latency gives that p50, p90 and p99; async waits add their wait', function () {
    const c = clock();
    const f = new NodeFigures(c);
    const ends = outcomeObserver(f);
    for (let i = 0; i < 50; i++) ends.answered({ durationMs: 100, waitedMs: 150 });
    const { latencyMs } = f.window();
    for (const q of ['p50', 'p90', 'p99']) assert.ok(Math.abs(latencyMs[q] - 250) / 250 < 0.05, `${q} ${latencyMs[q]}`);
    assert.equal(latencyMs.max, 250);
    // A quantile read from a bucket's middle is never over the longest latency.
    const one = new NodeFigures(c);
    outcomeObserver(one).answered({ durationMs: 3537 });
    assert.deepEqual(one.window().latencyMs, { p50: 3537, p90: 3537, p99: 3537, max: 3537 });
  });

  it('forgets what is older than the window; every figure 0 and errors {} when nothing happened in it', function () {
    const c = clock();
    const f = new NodeFigures(c);
    outcomeObserver(f).failed('ThrottlingException', 'slow down', { durationMs: 10 });
    c.tick(59000);
    assert.equal(f.window().messages, 1, 'still in the window 59 s later');
    c.tick(1000);
    assert.deepEqual(f.window(), { messages: 0, requests: 0, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 }, errors: {}, batchSizeMean: 0, bytesIn: 0, bytesOut: 0 });
    assert.equal(f.lastError(), undefined);
  });

  it('keeps one point a second for 15 minutes: messages, errors, p50 and p99 of each finished second', function () {
    const c = clock();
    const f = new NodeFigures(c);
    const ends = outcomeObserver(f);
    const first = Math.floor(c.now / 1000);
    for (let s = 0; s < 1000; s++) {
      for (let i = 0; i <= s % 3; i++) ends.answered({ durationMs: 10 * (1 + (s % 3)) });
      if (s % 10 === 0) ends.failed('ModelError', 'x', { durationMs: 5 });
      c.tick(1000);
    }
    const end = Math.floor(c.now / 1000);
    const series = f.series(end, 900);
    assert.equal(series.messages.length, 900);
    // The last point is the second before `end`: s = 999 (999 % 3 = 0: one message; 999 % 10 != 0).
    assert.equal(series.messages[899], 1);
    assert.equal(series.errors[899], 0);
    assert.ok(Math.abs(series.p50[899] - 10) < 0.5);
    // s = 990: 990 % 3 = 0, one answer of 10 ms and a ModelError of 5 ms.
    const at990 = 899 - 9;
    assert.equal(series.messages[at990], 2);
    assert.equal(series.errors[at990], 1);
    assert.ok(series.p99[at990] >= 9.5);
    // Seconds older than 15 minutes are not kept; seconds to come have nothing.
    assert.deepEqual(f.series(first + 50, 10).messages, new Array(10).fill(0));
  });

  it('memory stays flat over a million messages: nothing is kept per message', function () {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    const c = clock();
    const f = new NodeFigures(c);
    const call = callObserver(f);
    const ends = outcomeObserver(f);
    const meta = { durationMs: 12 };
    const failure = { durationMs: 40 };
    const run = (count) => {
      for (let i = 0; i < count; i++) {
        call.request(100);
        if (i % 100 === 0) ends.failed(i % 200 === 0 ? 'ModelError' : 'ThrottlingException', 'failed', failure);
        else ends.answered(meta);
        if (i % 500 === 0) c.tick(1000);
      }
    };
    run(100000); // every ring slot used once
    gc();
    const before = process.memoryUsage().heapUsed;
    run(1000000);
    f.window();
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 512 * 1024, `heap grew by ${grown} bytes over a million messages`);
    const { messages } = f.window();
    assert.ok(messages >= 29500 && messages <= 30000, `about 500 messages a second over the last 60 seconds: ${messages}`);
  });
});

describe('stats: the registry of a runtime', function () {
  it('answers every field of every deployed node, 0 where nothing happened, gauges read when asked', function () {
    const c = clock();
    const reg = new LiveRegistry(c);
    let queued = 7;
    reg.add({ id: 'n1', type: 'sagemaker-invoke', name: 'scorer', flow: 'f1', endpoint: 'ep', mode: 'invoke' }, () => ({ inFlight: 2, queued, waiting: 0, streams: 0 }));
    reg.add({ id: 'b1', type: 'sagemaker-bidi', name: '', flow: 'f2', endpoint: 'bi', mode: 'bidi' });
    const stats = reg.stats();
    assert.deepEqual(Object.keys(stats), ['at', 'windowSeconds', 'nodes']);
    assert.equal(stats.at, c.now);
    assert.equal(stats.windowSeconds, 60);
    assert.deepEqual(stats.nodes[0], {
      id: 'n1', type: 'sagemaker-invoke', name: 'scorer', flow: 'f1', endpoint: 'ep', mode: 'invoke',
      messages: 0, requests: 0, latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 }, errors: {}, inFlight: 2, queued: 7,
      waiting: 0, streams: 0, batchSizeMean: 0, bytesIn: 0, bytesOut: 0,
    });
    assert.deepEqual(Object.keys(stats.nodes[1]), Object.keys(stats.nodes[0]));
    queued = 9;
    assert.equal(reg.stats().nodes[0].queued, 9);
  });

  it('a removed node disappears; a redeployed node (same id) starts again, and the old one\'s removal leaves it', function () {
    const c = clock();
    const reg = new LiveRegistry(c);
    const info = { id: 'n1', type: 'sagemaker-invoke', name: '', flow: 'f1', endpoint: 'ep', mode: 'invoke' };
    const old = reg.add(info);
    old.ended();
    const fresh = reg.add(info);
    reg.remove('n1', old);
    assert.equal(reg.stats().nodes.length, 1);
    assert.equal(reg.stats().nodes[0].messages, 0);
    reg.remove('n1', fresh);
    assert.deepEqual(reg.stats().nodes, []);
  });

  it('publishes only a change, with the seconds of history since the last publish', function () {
    const c = clock();
    const reg = new LiveRegistry(c);
    assert.equal(reg.update(), undefined, 'nothing deployed, nothing to say');
    const f = reg.add({ id: 'n1', type: 'sagemaker-invoke', name: '', flow: 'f1', endpoint: 'ep', mode: 'invoke' });
    const first = reg.update();
    assert.equal(first.nodes.length, 1);
    assert.equal(reg.update(), undefined, 'the same figures: not again');
    c.tick(1000);
    assert.equal(reg.update(), undefined, 'idle: nothing');
    f.ended();
    f.ended('ModelError', 'failed: ****');
    const changed = reg.update();
    assert.equal(changed.nodes[0].messages, 2);
    assert.deepEqual(changed.lastErrors.n1.name, 'ModelError');
    c.tick(3000);
    const later = reg.update();
    assert.equal(later.series.seconds, 3, 'the three seconds since');
    assert.deepEqual(later.series.nodes.n1.messages, [2, 0, 0]);
    assert.deepEqual(later.series.nodes.n1.errors, [1, 0, 0]);
    c.tick(61000);
    assert.ok(reg.update(), 'the window emptied: a change');
    c.tick(1000);
    assert.equal(reg.update(), undefined);
  });
});

describe('stats: the sidebar\'s history and charts (resources/sagemaker-live.js)', function () {
  const fs = require('node:fs');
  const path = require('node:path');
  const sandbox = {};
  sandbox.globalThis = sandbox;
  vm.runInNewContext(fs.readFileSync(path.join(__dirname, '../../resources/sagemaker-live.js'), 'utf8'), sandbox);
  const L = sandbox.SageMakerLive;

  it('has the runtime\'s names', function () {
    assert.equal(L.names.LIVE_PLUGIN_ID, 'sagemaker-live');
    assert.equal(L.names.LIVE_ROUTE, live.LIVE_ROUTE);
    assert.equal(L.names.LIVE_TOPIC, live.LIVE_TOPIC);
  });

  it('merges updates by the second; one node\'s chart, or all nodes summed; forgets removed nodes', function () {
    const h = new L.History();
    h.apply({ end: 1000, seconds: 2, nodes: { a: { messages: [3, 4], errors: [0, 1], p50: [10, 20], p99: [30, 40] }, b: { messages: [1, 1], errors: [1, 0], p50: [50, 5], p99: [60, 6] } } });
    h.apply({ end: 1001, seconds: 1, nodes: { a: { messages: [5], errors: [0], p50: [11], p99: [31] } } });
    const a = h.chart(1001, 'a');
    assert.equal(a.messages.length, 900);
    assert.deepEqual(Array.from(a.messages.slice(-3)), [3, 4, 5]);
    const all = h.chart(1001);
    assert.deepEqual(Array.from(all.messages.slice(-3)), [4, 5, 5]);
    assert.deepEqual(Array.from(all.errors.slice(-3)), [1, 1, 0]);
    assert.deepEqual(Array.from(all.p50.slice(-3)), [50, 20, 11]);
    h.keep(['a']);
    assert.deepEqual(Array.from(h.chart(1001).messages.slice(-3)), [3, 4, 5]);
  });

  it('draws paths inside the box, scaled to a round top', function () {
    assert.equal(L.niceMax(0), 1);
    assert.equal(L.niceMax(7), 10);
    assert.equal(L.niceMax(130), 200);
    assert.equal(L.niceMax(450), 500);
    assert.equal(L.linePath([0, 5, 10], 100, 50, 10), 'M0,50L50,25L100,0');
    assert.equal(L.areaPath([10], 100, 50, 10), 'M0,0L100,50L0,50Z');
  });

  it('says a node\'s figures in words', function () {
    const d = L.describe({ mode: 'invoke', messages: 600, requests: 20, latencyMs: { p50: 210, p90: 300, p99: 1500, max: 2000 }, errors: { ModelError: 2, ThrottlingException: 5 }, inFlight: 3, queued: 12, waiting: 0, streams: 0, batchSizeMean: 30 });
    assert.equal(d.rate, '10 msg/s');
    assert.equal(d.latency, 'p50 210 ms · p99 1.5 s');
    assert.equal(d.backlog, '3 in flight · 12 queued · batch 30');
    assert.equal(d.errors, 'ThrottlingException ×5, ModelError ×2');
    assert.equal(d.errorCount, 7);
    assert.equal(L.describe({ mode: 'bidi', messages: 12, requests: 1, latencyMs: { p50: 5, p90: 5, p99: 5, max: 5 }, errors: {}, inFlight: 0, queued: 0, waiting: 0, streams: 1, batchSizeMean: 0 }).rate, '12 msg/min');
  });
});
