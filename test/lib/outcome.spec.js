'use strict';
// Where a message ends, without Node-RED: the msg written once, sent and done, or failed with msg.sagemaker.error.
const assert = require('node:assert/strict');
const { Outcome, batchMetadata } = require('../../dist/invoke/outcome');
const { FlowError } = require('../../dist/shared/flow-error');

function setup(outputProperty = 'payload') {
  const failures = [];
  const outcome = new Outcome({
    outputProperty,
    words: (key, params) => `${key} ${JSON.stringify(params ?? {})}`,
    redact: (text) => text.split('SECRET').join('****'),
    failed: (short) => failures.push(short),
  });
  return { outcome, failures };
}
function delivery(msg) {
  const d = { msg, sent: [], ends: [] };
  d.send = (m) => d.sent.push(m);
  d.done = (err) => d.ends.push(err);
  return d;
}

describe('outcome: a message written once and ended', function () {
  it('writes the answer to the output property and msg.sagemaker, sends it and ends it', function () {
    const { outcome } = setup('result.value');
    const d = delivery({ payload: 'in' });
    outcome.deliver(d, { score: 1 }, { endpointName: 'ep', durationMs: 3 });
    assert.deepEqual(d.msg, { payload: 'in', result: { value: { score: 1 } }, sagemaker: { endpointName: 'ep', durationMs: 3 } });
    assert.deepEqual(d.sent, [d.msg]);
    assert.deepEqual(d.ends, [undefined]);
  });

  it('follows the session: a new one is set, the msg\'s own closed one removed, another closed one left', function () {
    const { outcome } = setup();
    const opened = { sessionId: 'NEW_SESSION' };
    outcome.write(opened, 1, { newSessionId: 's-2' });
    assert.equal(opened.sessionId, 's-2');
    const closed = { sessionId: 's-2' };
    outcome.write(closed, 1, { closedSessionId: 's-2' });
    assert.equal('sessionId' in closed, false);
    const other = { sessionId: 's-3' };
    outcome.write(other, 1, { closedSessionId: 's-2' });
    assert.equal(other.sessionId, 's-3');
  });

  it('numbers a batch\'s messages, with the request id of the call they shared', function () {
    assert.deepEqual(batchMetadata({ requestId: 'r1', durationMs: 5 }, 3, 1), { requestId: 'r1', durationMs: 5, batch: { size: 3, index: 1, requestId: 'r1' } });
    assert.deepEqual(batchMetadata({}, 2, 0), { batch: { size: 2, index: 0 } });
  });

  it('fails with done(err) and msg.sagemaker.error, secrets redacted in both, and tells the status', function () {
    const { outcome, failures } = setup();
    const d = delivery({ payload: 1 });
    outcome.fail(d, { message: 'no SECRET here', details: { name: 'X', message: 'SECRET' }, short: 'x', meta: { endpointName: 'ep' } });
    assert.equal(d.ends[0].message, 'no **** here');
    assert.deepEqual(d.msg.sagemaker, { endpointName: 'ep', error: { name: 'X', message: '****' } });
    assert.deepEqual(d.sent, []);
    assert.deepEqual(failures, ['x']);
  });

  it('words problems: bad input, a bad answer, and messages ended without being sent', function () {
    const { outcome } = setup();
    const invalid = outcome.invalid(new FlowError('noEndpoint'));
    assert.deepEqual([invalid.details.name, invalid.short, invalid.message], ['InvalidInput', 'invalid', 'noEndpoint {}']);
    assert.equal(outcome.invalid(new Error('bug')).message.startsWith('unexpected'), true);
    const bad = outcome.badAnswer(new FlowError('batchNoArray', { keys: 'predictions' }), 'bad answer', { endpointName: 'ep' }, { endpoint: 'ep' });
    assert.deepEqual([bad.details.name, bad.short, bad.meta], ['InvalidResponse', 'bad answer', { endpointName: 'ep' }]);
    assert.match(bad.message, /"endpoint":"ep"/);
    assert.deepEqual(['queued', 'batch', 'inFlight', 'bug'].map((why) => outcome.notSent(why, 'ep').message.split(' ')[0]), ['closedQueued', 'closedBatch', 'aborted', 'unexpected']);
    assert.equal(outcome.notSent('inFlight', 'ep').details.name, 'AbortError');
  });
});
