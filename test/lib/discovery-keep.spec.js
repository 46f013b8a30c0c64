'use strict';
// What discovery keeps per config node: answers for DISCOVERY_CACHE_SECONDS, one client per fingerprint of its
// settings and credentials (never a secret in clear), replaced and idle clients destroyed, all bounded. The clock
// is a parameter: nothing here waits.
const assert = require('node:assert/strict');
const { AnswerCache } = require('../../dist/discovery/cache');
const { ClientPool } = require('../../dist/discovery/pool');
const { fingerprint, canonical } = require('../../dist/discovery/fingerprint');

describe('discovery fingerprint', function () {
  it('is the same for equal settings in any key order, differs when anything differs, and holds no secret', function () {
    const a = { settings: { region: 'eu-west-1', timeout: 5000 }, creds: { accessKeyId: 'AKID', secretAccessKey: 'very-secret-key' } };
    const b = { creds: { secretAccessKey: 'very-secret-key', accessKeyId: 'AKID' }, settings: { timeout: 5000, region: 'eu-west-1' } };
    assert.equal(fingerprint(a), fingerprint(b));
    assert.notEqual(fingerprint(a), fingerprint({ ...a, creds: { ...a.creds, secretAccessKey: 'very-secret-kez' } }));
    assert.notEqual(fingerprint(a), fingerprint({ ...a, settings: { ...a.settings, apiEndpointUrl: 'http://127.0.0.1:1' } }));
    assert.match(fingerprint(a), /^[0-9a-f]{64}$/);
    assert.doesNotMatch(fingerprint(a), /secret/);
    assert.notEqual(canonical({ key: Buffer.from('PEM-1') }), canonical({ key: Buffer.from('PEM-2') }), 'TLS material counts');
    assert.equal(canonical({ x: undefined, y: 1 }), canonical({ y: 1 }));
  });
});

describe('discovery answer cache', function () {
  it('answers for the time to live, then asks anew; bounded, oldest first; cleared per config node', function () {
    let now = 0;
    const cache = new AnswerCache({ ttlMs: 60000, maxEntries: 2, now: () => now });
    cache.set('c1\0fp\0endpoints', { n: 1 });
    now = 59999;
    assert.deepEqual(cache.get('c1\0fp\0endpoints'), { n: 1 });
    now = 60000;
    assert.equal(cache.get('c1\0fp\0endpoints'), undefined);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    assert.deepEqual([cache.get('a'), cache.get('b'), cache.get('c'), cache.size], [undefined, 2, 3, 2]);
    cache.clear('b');
    assert.deepEqual([cache.get('b'), cache.get('c')], [undefined, 3]);
  });
});

describe('discovery client pool', function () {
  let now;
  let made;
  const client = (name) => ({ name, destroyed: 0, destroy() { this.destroyed += 1; } });
  const make = (name) => async () => { const c = client(name); made.push(c); return c; };
  const settle = () => new Promise((r) => setImmediate(r));
  beforeEach(function () {
    now = 0;
    made = [];
  });

  it('reuses the client of a fingerprint, replaces it when the fingerprint changes, destroying the old one after its last use', async function () {
    const pool = new ClientPool({ idleMs: 1000, maxClients: 4, now: () => now });
    const first = await pool.use('c1', 'fp1', make('one'), async (c) => c);
    assert.equal(await pool.use('c1', 'fp1', make('two'), async (c) => c), first, 'the same client');
    let release;
    const busy = pool.use('c1', 'fp1', make('three'), (c) => new Promise((r) => { release = () => r(c); }));
    await settle();
    const second = await pool.use('c1', 'fp2', make('four'), async (c) => c);
    assert.notEqual(second, first);
    assert.equal(first.destroyed, 0, 'still in use by a request');
    release();
    await busy;
    await settle();
    assert.equal(first.destroyed, 1, 'destroyed once its request is done');
    assert.deepEqual(made.map((c) => c.name), ['one', 'four']);
  });

  it('renews the client when asked (a refresh), destroying the old one', async function () {
    const pool = new ClientPool({ idleMs: 1000, maxClients: 4, now: () => now });
    const first = await pool.use('c1', 'fp1', make('one'), async (c) => c);
    const renewed = await pool.use('c1', 'fp1', make('two'), async (c) => c, true);
    await settle();
    assert.deepEqual([renewed.name, first.destroyed, pool.size], ['two', 1, 1]);
    assert.equal(await pool.use('c1', 'fp1', make('three'), async (c) => c), renewed, 'kept after the renewal');
  });

  it('destroys idle clients at a sweep, and keeps at most maxClients (least recently used idle first)', async function () {
    const pool = new ClientPool({ idleMs: 1000, maxClients: 2, now: () => now });
    const a = await pool.use('a', 'f', make('a'), async (c) => c);
    now = 10;
    const b = await pool.use('b', 'f', make('b'), async (c) => c);
    now = 20;
    const c = await pool.use('c', 'f', make('c'), async (x) => x);
    await settle();
    assert.deepEqual([a.destroyed, b.destroyed, c.destroyed, pool.size], [1, 0, 0, 2]);
    now = 1015;
    pool.sweep();
    await settle();
    assert.deepEqual([b.destroyed, c.destroyed, pool.size], [1, 0, 1], 'b idle for 1005 ms, c for 995 ms');
    pool.close();
    await settle();
    assert.deepEqual([c.destroyed, pool.size], [1, 0]);
  });

  it('forgets a client that could not be made, so the next request tries again', async function () {
    const pool = new ClientPool({ idleMs: 1000, maxClients: 2, now: () => now });
    await assert.rejects(pool.use('a', 'f', async () => { throw new Error('no'); }, async (c) => c), /no/);
    await settle();
    assert.equal(pool.size, 0);
    assert.equal((await pool.use('a', 'f', make('ok'), async (c) => c)).name, 'ok');
  });
});
