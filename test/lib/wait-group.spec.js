'use strict';
// An invoke node's waiting messages and the config node's service, without S3: maxWaiting counted from admission to
// done, close ending each waiting message once, the service made lazily and leaving no timer when closed.
const assert = require('node:assert/strict');
const { WaitGroup } = require('../../dist/invoke/async/wait-group');
const { AsyncResultService } = require('../../dist/invoke/async/service');

function fakeClients() {
  const pending = [];
  const client = { send: () => new Promise((resolve, reject) => pending.push({ resolve, reject })) };
  return { clients: { poll: client, transfer: client, destroy: () => { clients.destroyed = true; } }, pending };
}
let clients;

function setup(maxWaiting = 3) {
  const made = fakeClients();
  clients = made.clients;
  let built = 0;
  const service = new AsyncResultService(() => {
    built += 1;
    return made.clients;
  }, 50);
  let changes = 0;
  const group = new WaitGroup(maxWaiting, () => service, () => changes++);
  return { service, group, built: () => built, changes: () => changes };
}

const request = (ended, closed) => ({
  output: { bucket: 'b', key: 'o' },
  failure: { bucket: 'b', key: 'f' },
  timeoutMs: 60000,
  ends: { output: () => ended.push('output'), failure: () => ended.push('failure'), timeout: () => ended.push('timeout'), fatal: () => ended.push('fatal') },
  closed: () => closed.push('closed'),
});

describe('wait group and async result service', function () {
  it('admits at most maxWaiting messages until each is done (once)', function () {
    const { group } = setup(2);
    const dones = [];
    const a = group.admit((e) => dones.push(['a', e]));
    const b = group.admit(() => dones.push(['b']));
    assert.equal(group.admit(() => undefined), undefined);
    assert.equal(group.count, 2);
    a();
    a();
    assert.equal(group.count, 1, 'a second done does not count twice');
    assert.ok(group.admit(() => undefined));
    b();
    assert.equal(dones.length, 3);
  });

  it('makes the S3 clients only when a message first waits, and ends every waiting message once on close', function () {
    const { service, group, built, changes } = setup();
    assert.equal(built(), 0);
    const ended = [];
    const closed = [];
    assert.equal(group.start(request(ended, closed)), true);
    assert.equal(group.start(request(ended, closed)), true);
    assert.equal(built(), 1);
    assert.equal(group.waitingCount, 2);
    assert.equal(service.poller().size, 2);
    assert.ok(changes() >= 2);
    group.closeAll();
    assert.deepEqual(closed, ['closed', 'closed']);
    assert.deepEqual(ended, []);
    assert.equal(service.poller().size, 0);
    assert.equal(service.poller().timerAt, Infinity, 'no timer left');
    assert.equal(group.start(request(ended, closed)), false, 'a closed group takes no more');
    assert.equal(group.signal.aborted, true, 'its S3 requests are aborted');
  });

  it('a config node that closes first ends its invoke nodes\' waiting messages and destroys the clients', function () {
    const { service, group } = setup();
    const closed = [];
    group.start(request([], closed));
    service.close();
    assert.deepEqual(closed, ['closed']);
    assert.equal(clients.destroyed, true);
    assert.equal(service.isClosed, true);
    assert.throws(() => service.poller(), /closed/);
    assert.equal(group.start(request([], closed)), false);
  });
});
