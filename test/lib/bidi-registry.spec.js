'use strict';
// The bidi node's streams without Node-RED or the network: a model in this process that consumes the request events
// as the SDK would (pulling them while the open waits for its first answer) drives the registry and its streams.
const assert = require('node:assert/strict');
const { StreamRegistry } = require('../../dist/bidi/registry');
const { resolveBidiSettings } = require('../../dist/shared/bidi-settings');

/** An async queue: push values, end, or fail; iterate once. */
function channel() {
  const items = [];
  let waiter;
  let ended = false;
  let failure;
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  return {
    push: (v) => (items.push(v), wake()),
    end: () => ((ended = true), wake()),
    fail: (e) => ((failure = e), wake()),
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (items.length) yield items.shift();
        else if (failure) throw failure;
        else if (ended) return;
        else await new Promise((r) => (waiter = r));
      }
    },
  };
}

const text = (p) => Buffer.from(p.bytes).toString('utf8');

/**
 * A model: answers each part with `answer(part, i)` (undefined: no answer), after `pullDelay` ms per part (a slow
 * model); `openError` refuses the stream once its first part arrives; `failAt` sends a ModelStreamError after that
 * many parts.
 */
function model(opts = {}) {
  const seen = [];
  const opener = (request, input, signal) =>
    new Promise((resolve, reject) => {
      const events = channel();
      let opened = false;
      const open = () => {
        if (!opened) (opened = true), resolve({ invokedProductionVariant: 'AllTraffic', events });
      };
      signal.addEventListener('abort', () => {
        const e = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
        if (!opened) reject(e);
        else events.fail(e);
      });
      (async () => {
        let i = 0;
        for await (const part of input) {
          seen.push({ request, part });
          if (opts.pullDelay) await new Promise((r) => setTimeout(r, opts.pullDelay));
          if (opts.openError) return reject(opts.openError);
          if (opts.failAt !== undefined && i === opts.failAt) {
            open();
            events.push({ kind: 'modelStreamError', message: 'boom', errorCode: 'E42' });
            return;
          }
          const answer = (opts.answer ?? ((p) => ({ kind: 'part', bytes: p.bytes, dataType: p.dataType, completionState: 'COMPLETE' })))(part, i++);
          open();
          if (answer) events.push(answer);
        }
        open();
        events.end();
      })().catch(reject);
    });
  return { opener, seen };
}

function setup(def, opts) {
  const settings = resolveBidiSettings({ endpointName: 'ep', ...def });
  assert.ok(!(settings instanceof Error), String(settings));
  const m = model(opts);
  const out = { emitted: [], reports: [], warned: [] };
  const registry = new StreamRegistry({
    settings,
    timeoutMs: 1000,
    open: m.opener,
    emit: (msg) => out.emitted.push(msg),
    report: (problem, lastMsg, totals) => out.reports.push({ problem, lastMsg, totals }),
    overridden: (fields) => out.warned.push(...fields),
    changed: () => {},
  });
  /** Sends a msg; resolves with what its end was called with (undefined: done without error). */
  const send = (msg) => new Promise((resolve) => registry.input(msg, resolve));
  return { registry, send, out, seen: m.seen };
}

const until = async (cond, ms = 2000) => {
  const stop = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > stop) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('bidi registry: streams keyed by topic', function () {
  it('sends parts in order, answers each, and closes the sequence with totals', async function () {
    const { send, out } = setup();
    const ends = [];
    for (let i = 0; i < 50; i++) ends.push(send({ topic: 'a', payload: `r${i}` }));
    ends.push(send({ topic: 'a', payload: 'last', complete: true }));
    assert.deepEqual(await Promise.all(ends), new Array(51).fill(undefined));
    await until(() => out.emitted.some((m) => m.complete));
    const parts = out.emitted.filter((m) => !m.complete);
    assert.deepEqual(parts.map((m) => m.payload), [...Array.from({ length: 50 }, (_, i) => `r${i}`), 'last']);
    assert.deepEqual(parts[3].sagemaker, { endpointName: 'ep', invokedProductionVariant: 'AllTraffic', dataType: 'UTF8', completionState: 'COMPLETE', index: 3 });
    const done = out.emitted.at(-1);
    assert.equal(done.topic, 'a');
    assert.equal(done.sagemaker.partsSent, 51);
    assert.equal(done.sagemaker.partsReceived, 51);
    assert.equal(typeof done.sagemaker.durationMs, 'number');
  });

  it('encodes buffers as BINARY, objects as JSON, and msg.partial as PARTIAL', async function () {
    const { send, seen, out } = setup({ output: 'auto' });
    await send({ payload: Buffer.from([1, 2]) });
    await send({ payload: { v: 1 }, partial: true });
    await send({ complete: true });
    await until(() => seen.length === 2);
    assert.deepEqual(seen.map((s) => [s.part.dataType, s.part.completionState]), [['BINARY', 'COMPLETE'], ['UTF8', 'PARTIAL']]);
    assert.equal(text(seen[1].part), '{"v":1}');
    await until(() => out.emitted.some((m) => m.complete));
    assert.ok(Buffer.isBuffer(out.emitted[0].payload));
    assert.deepEqual(out.emitted[1].payload, { v: 1 });
    assert.equal(out.emitted[2].topic, '', 'no topic is the blank key');
  });

  it('keeps one stream per topic, the node field winning over msg fields', async function () {
    const { send, seen, out } = setup({ targetVariant: 'v1' });
    await Promise.all([send({ topic: 'x', payload: '1', targetVariant: 'other', modelQueryString: 'a=1' }), send({ topic: 'y', payload: '2' })]);
    await until(() => seen.length === 2);
    assert.deepEqual(out.warned, ['targetVariant']);
    assert.deepEqual(seen.find((s) => text(s.part) === '1').request, { endpointName: 'ep', targetVariant: 'v1', modelQueryString: 'a=1' });
  });

  it('fails bad input with done(err) naming the field', async function () {
    const { send } = setup({ endpointName: '' });
    assert.equal((await send({ payload: 'x' })).key, 'noEndpoint');
    assert.equal((await send({ payload: 'x', endpointName: 'bad_name' })).key, 'invalidField');
    assert.equal((await send({ payload: 'x', endpointName: 'ep', modelInvocationPath: '/abs' })).params.field, 'msg.modelInvocationPath');
    assert.equal((await send({})).key, 'missingBody');
    assert.equal((await send({ payload: 1n })).key, 'unrepresentableBody');
  });

  it('past maxStreams a new key fails at once; past maxQueue a part fails at once', async function () {
    const { send, out, registry } = setup({ maxStreams: 2, maxQueue: 2 }, { pullDelay: 50 });
    const a = send({ topic: 'a', payload: '1' });
    send({ topic: 'b', payload: '1' });
    const c = await send({ topic: 'c', payload: '1' });
    assert.equal(c.key, 'tooManyStreams');
    assert.equal(c.details.name, 'QueueFull');
    // A full queue refuses a part at once (synchronously), before any other message moves.
    const fulls = [];
    for (let i = 0; i < 6; i++) registry.input({ topic: 'a', payload: String(i) }, (p) => p && fulls.push(p));
    assert.ok(fulls.length >= 3, `only ${fulls.length} refused`);
    for (const f of fulls) assert.equal(f.key, 'queueFull');
    await a;
    assert.equal(out.reports.length, 0);
  });

  it('an open that fails ends the opener and every message queued behind it', async function () {
    const err = Object.assign(new Error('the container said no'), { name: 'ModelError', OriginalStatusCode: 500, OriginalMessage: 'no', $metadata: { httpStatusCode: 424 } });
    const { send, out } = setup({}, { openError: err });
    const results = await Promise.all([send({ payload: '1' }), send({ payload: '2' }), send({ payload: '3' })]);
    for (const r of results) assert.equal(r.details.name, 'ModelError');
    assert.equal(results[0].params.originalStatus, 500);
    assert.equal(out.reports.length, 0);
    assert.equal(out.emitted.length, 0);
  });

  it('a mid-stream model error is reported once with the last input and the counts; the next message opens a new stream', async function () {
    const { send, out, registry } = setup({}, { failAt: 2 });
    for (let i = 0; i < 3; i++) assert.equal(await send({ topic: 't', payload: `p${i}` }), undefined);
    await until(() => out.reports.length === 1);
    const [{ problem, lastMsg, totals }] = out.reports;
    assert.equal(problem.details.name, 'ModelStreamError');
    assert.equal(problem.key, 'modelStreamError');
    assert.equal(problem.params.errorCode, 'E42');
    assert.equal(problem.params.sent, 3);
    assert.equal(lastMsg.payload, 'p2');
    assert.equal(totals.partsReceived, 2);
    assert.ok(!out.emitted.some((m) => m.complete));
    await until(() => registry.counts().streams === 0);
    assert.equal(await send({ topic: 't', payload: 'again' }), undefined);
    assert.equal(registry.counts().streams, 1);
  });

  it('msg.reset aborts the stream at once; nothing is reported', async function () {
    const { send, out, registry } = setup({}, { answer: () => undefined });
    await send({ topic: 'r', payload: '1' });
    assert.equal(registry.counts().streams, 1);
    assert.equal(await send({ topic: 'r', reset: true }), undefined);
    await until(() => registry.counts().streams === 0);
    assert.equal(out.reports.length, 0);
  });

  it('the idle timeout ends the input side; the stream then ends normally', async function () {
    const { send, out } = setup({ idleTimeout: 1 });
    await send({ topic: 'i', payload: '1' });
    await until(() => out.emitted.some((m) => m.complete), 3000);
    assert.equal(out.emitted.at(-1).sagemaker.partsSent, 1);
  });

  it('close ends input sides, aborts what is left after the grace, and ends every message once', async function () {
    const { send, registry, out } = setup({}, { answer: () => undefined, pullDelay: 30 });
    const ends = [];
    for (let i = 0; i < 5; i++) ends.push(send({ topic: 'c', payload: String(i) }));
    const aborted = await registry.close(10);
    assert.equal(aborted, 1);
    const results = await Promise.all(ends);
    assert.equal(results.length, 5);
    assert.ok(results.some((r) => r && r.key === 'closedUnsent'));
    assert.equal(registry.counts().streams, 0);
    assert.equal(out.reports.length, 0);
    assert.equal((await send({ payload: 'late' })).key, 'closedUnsent');
  });
});
