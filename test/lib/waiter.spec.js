'use strict';
// One waiting message: its backoff, which location each check reads, and how it ends.
const assert = require('node:assert/strict');
const { Waiter, pollDelay, checksFailureAfter, failureText, POLL_CAP_MS } = require('../../dist/invoke/async/waiter');

const OUT = { bucket: 'b', key: 'out/1.out' };
const FAIL = { bucket: 'b', key: 'fail/1-error.out' };

function waiter(results, { deadline = 1e9, failure = FAIL } = {}) {
  let now = 0;
  const reads = [];
  const ended = [];
  const w = new Waiter({
    output: OUT,
    failure,
    startedAt: 0,
    deadline,
    now: () => now,
    random: () => 0.5,
    get: async (loc) => {
      reads.push(loc === OUT ? 'out' : 'fail');
      return results.shift() ?? { kind: 'missing' };
    },
    ends: {
      output: (body, type, polls) => ended.push(['output', Buffer.from(body).toString(), type, polls]),
      failure: (text, polls) => ended.push(['failure', text, polls]),
      timeout: (polls) => ended.push(['timeout', polls]),
      fatal: (p, polls) => ended.push(['fatal', p.name, polls]),
    },
  });
  return { w, reads, ended, at: (t) => (now = t) };
}

describe('waiter', function () {
  it('backs off from about 1 s by 1.5 each miss up to the 30 s cap, jittered by at most 20%', function () {
    assert.equal(pollDelay(1, () => 0.5), 1000);
    assert.equal(pollDelay(2, () => 0.5), 1500);
    assert.equal(pollDelay(3, () => 0.5), 2250);
    assert.equal(pollDelay(30, () => 0.5), POLL_CAP_MS);
    assert.equal(pollDelay(1, () => 0), 800);
    assert.ok(Math.abs(pollDelay(1, () => 1) - 1200) < 1e-6);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(checksFailureAfter), [false, true, false, true, false, true]);
  });

  it('reads the output, then the failure after every second miss, and ends with the output once found', async function () {
    const found = { kind: 'found', body: new TextEncoder().encode('{"a":1}'), contentType: 'application/json' };
    const { w, reads, ended, at } = waiter([{ kind: 'missing' }, { kind: 'missing' }, { kind: 'missing' }, found]);
    assert.equal(w.due, 1000);
    at(1000);
    assert.equal(await w.poll(), true);
    assert.equal(w.due, 2000);
    at(2000);
    assert.equal(await w.poll(), true);
    assert.equal(w.due, 2000, 'the failure check comes right after');
    assert.equal(await w.poll(), true);
    assert.equal(w.due, 2000 + 1500);
    at(3500);
    assert.equal(await w.poll(), false);
    assert.deepEqual(reads, ['out', 'out', 'fail', 'out']);
    assert.deepEqual(ended, [['output', '{"a":1}', 'application/json', 4]]);
    assert.equal(w.ended, true);
  });

  it('a found failure object ends it as a failure with its text, cut at 1,000 characters', async function () {
    const { w, ended } = waiter([{ kind: 'missing' }, { kind: 'missing' }, { kind: 'found', body: Buffer.from('x'.repeat(1500)) }]);
    await w.poll();
    await w.poll();
    await w.poll();
    assert.equal(ended[0][0], 'failure');
    assert.equal(ended[0][1], `${'x'.repeat(1000)}...`);
    assert.equal(failureText(Buffer.from('  model said no \n')), 'model said no');
  });

  it('retries after an S3 error as after a miss; a fatal answer ends it at once', async function () {
    const problem = { name: 'AccessDeniedException', errorCode: 'AccessDenied', key: 's3AccessDenied', location: 's3://b/out/1.out', message: 'Access Denied' };
    const { w, ended } = waiter([{ kind: 'retry', reason: 'SlowDown (503)' }, { kind: 'fatal', problem }], { failure: undefined });
    assert.equal(await w.poll(), true);
    assert.equal(await w.poll(), false);
    assert.deepEqual(ended, [['fatal', 'AccessDeniedException', 2]]);
  });

  it('never sets a check after its deadline, and ends once with a timeout there', async function () {
    const { w, ended, at } = waiter([], { deadline: 1500 });
    at(1000);
    await w.poll();
    assert.equal(w.due, 1500);
    assert.equal(w.expire(1499), false);
    assert.equal(w.expire(1500), true);
    assert.equal(w.expire(1600), true);
    assert.deepEqual(ended, [['timeout', 1]]);
    assert.equal(await w.poll(), false);
  });

  it('a cancelled waiter ends without calling any end', async function () {
    const { w, ended } = waiter([{ kind: 'found', body: Buffer.from('x') }]);
    const polling = w.poll();
    w.cancel();
    assert.equal(await polling, false);
    assert.deepEqual(ended, []);
  });
});
