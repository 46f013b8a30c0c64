'use strict';
// The control plane's pure parts (run `npm run build` first): filtering, sorting and paging the List operations,
// their NextToken, the creation times of a configured catalog, and the input checks in the service's words.
const assert = require('node:assert/strict');
const { listPage, sorted, matches, encodeToken, decodeToken } = require('../dist/control/list-page');
const { catalogOf, componentTimeOf } = require('../dist/control/catalog');
const { InputReader, parseInput } = require('../dist/control/control-input');
const { ControlError } = require('../dist/control/control-error');

const item = (name, status, creationTime, lastModifiedTime = creationTime) => ({ name, status, creationTime, lastModifiedTime });
const ITEMS = [item('alpha', 'InService', 3000), item('Beta', 'Failed', 1000, 5000), item('gamma', 'Creating', 2000), item('delta', 'InService', 2000)];
const namesOf = (items) => items.map((i) => i.name);

function thrown(run) {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ControlError, `expected a ControlError, got ${err}`);
    return err;
  }
  throw new assert.AssertionError({ message: 'expected a ControlError' });
}

describe('control plane: list, filter, sort and page', function () {
  it('sorts by CreationTime Descending by default, ties by name (so the order is total)', function () {
    assert.deepEqual(namesOf(sorted(ITEMS)), ['alpha', 'gamma', 'delta', 'Beta']);
    assert.deepEqual(namesOf(sorted(ITEMS, 'CreationTime', 'Ascending')), ['Beta', 'delta', 'gamma', 'alpha']);
    assert.deepEqual(namesOf(sorted(ITEMS, 'Name', 'Ascending')), ['Beta', 'alpha', 'delta', 'gamma']);
    assert.deepEqual(namesOf(sorted(ITEMS, 'Status', 'Ascending')), ['gamma', 'Beta', 'alpha', 'delta']);
    assert.deepEqual(namesOf(sorted(ITEMS, 'Status', 'Descending')), ['delta', 'alpha', 'Beta', 'gamma']);
  });

  it('matches a name substring case-insensitively, a status exactly, After inclusive and Before exclusive', function () {
    const pick = (f) => namesOf(ITEMS.filter((i) => matches(i, f)));
    assert.deepEqual(pick({ nameContains: 'ET' }), ['Beta']);
    assert.deepEqual(pick({ nameContains: 'a' }), ['alpha', 'Beta', 'gamma', 'delta']);
    assert.deepEqual(pick({ statusEquals: 'InService' }), ['alpha', 'delta']);
    assert.deepEqual(pick({ creationTimeAfter: 2000 }), ['alpha', 'gamma', 'delta']);
    assert.deepEqual(pick({ creationTimeBefore: 2000 }), ['Beta']);
    assert.deepEqual(pick({ lastModifiedTimeAfter: 4000 }), ['Beta']);
    assert.deepEqual(pick({ lastModifiedTimeBefore: 3000 }), ['gamma', 'delta']);
    assert.deepEqual(pick({ statusEquals: 'InService', creationTimeBefore: 3000 }), ['delta']);
  });

  it('cuts pages of maxResults (default 10) with a token for the next, and none after the last', function () {
    const many = Array.from({ length: 23 }, (_, i) => item(`ep-${String(i).padStart(2, '0')}`, 'InService', i * 1000));
    const seen = [];
    let q = { sortBy: 'Name', sortOrder: 'Ascending' };
    const sizes = [];
    for (;;) {
      const page = listPage(many, q, 'ListEndpoints');
      sizes.push(page.items.length);
      seen.push(...namesOf(page.items));
      if (!page.nextToken) break;
      q = { ...q, nextToken: page.nextToken };
    }
    assert.deepEqual(sizes, [10, 10, 3]);
    assert.deepEqual(seen, namesOf(many));
    assert.deepEqual(listPage([], {}, 'ListEndpoints'), { items: [] });
    assert.deepEqual(listPage(many, { maxResults: 23 }, 'ListEndpoints').nextToken, undefined);
  });

  it("refuses a token that is not one, names another offset shape, or belongs to another query or operation", function () {
    const q = { statusEquals: 'InService' };
    const token = encodeToken('ListEndpoints', q, 10);
    assert.equal(decodeToken('ListEndpoints', { ...q, maxResults: 5 }, token), 10); // page size may change
    for (const [scope, query, t] of [
      ['ListEndpoints', q, 'garbage'],
      ['ListEndpoints', q, Buffer.from('{"o":-1}').toString('base64url')],
      ['ListEndpoints', { statusEquals: 'Failed' }, token],
      ['ListEndpoints', { ...q, sortBy: 'Name' }, token],
      ['ListInferenceComponents', q, token],
    ]) {
      const err = thrown(() => decodeToken(scope, query, t));
      assert.equal(err.code, 'ValidationException');
      assert.match(err.message, /NextToken is not valid/);
    }
  });
});

describe('control plane: the catalog of configured endpoints', function () {
  it('fills the defaults and dates endpoint i (i + 1) minutes before the start, to the second', function () {
    const start = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const [a, b] = catalogOf(
      [
        ['a', {}],
        ['b', { status: 'Failed', failureReason: 'x', inferenceComponents: [{ name: 'c', variant: 'AllTraffic', status: 'InService' }] }],
      ],
      start,
    );
    const whole = Date.UTC(2026, 0, 2, 3, 4, 5);
    assert.deepEqual(a, {
      name: 'a',
      status: 'InService',
      variants: [{ name: 'AllTraffic', instanceType: 'ml.m5.large', instanceCount: 1 }],
      inferenceComponents: [],
      creationTime: whole - 60_000,
      lastModifiedTime: whole - 30_000,
    });
    assert.equal(b.creationTime, whole - 120_000);
    assert.equal(b.failureReason, 'x');
    assert.equal(componentTimeOf(b, 0), b.creationTime + 1000);
  });
});

describe('control plane: input checks', function () {
  it('collects every constraint a value breaks into one ValidationException, in the service\'s words', function () {
    const r = new InputReader({ EndpointName: '-x', MaxResults: 500, SortOrder: 'Up' });
    r.text('EndpointName', { required: true, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}', maxLength: 63 });
    r.integer('MaxResults', 1, 100);
    r.oneOf('SortOrder', ['Ascending', 'Descending']);
    r.text('NextToken', { required: true });
    const err = thrown(() => r.done());
    assert.equal(err.code, 'ValidationException');
    assert.equal(
      err.message,
      "4 validation errors detected: Value '-x' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}; " +
        "Value '500' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100; " +
        "Value 'Up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]; " +
        "Value null at 'nextToken' failed to satisfy constraint: Member must not be null",
    );
  });

  it('answers a member of the wrong JSON type, or a body that is not a JSON object, as SerializationException', function () {
    assert.equal(thrown(() => new InputReader({ MaxResults: '10' }).integer('MaxResults', 1, 100)).code, 'SerializationException');
    assert.match(thrown(() => new InputReader({ NameContains: 5 }).text('NameContains')).message, /NameContains must be a string, not a number/);
    assert.equal(thrown(() => new InputReader({ CreationTimeBefore: 'yesterday' }).time('CreationTimeBefore')).code, 'SerializationException');
    assert.equal(thrown(() => parseInput(Buffer.from('{'))).code, 'SerializationException');
    assert.equal(thrown(() => parseInput(Buffer.from('[1]'))).code, 'SerializationException');
    assert.deepEqual(parseInput(Buffer.alloc(0)), {});
    assert.equal(new InputReader({ CreationTimeBefore: 1.5 }).time('CreationTimeBefore'), 1500);
  });
});
