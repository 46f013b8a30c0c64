'use strict';
// shared/problems: the checks report every problem at once while a collection runs, the first one otherwise.
const assert = require('node:assert/strict');
const { collectProblems, problem, inWords, FlowErrors } = require('../../dist/shared/problems');
const { FlowError } = require('../../dist/shared/flow-error');
const { wholeNumber, enforceRule, CONFIG_FIELD_RULES } = require('../../dist/shared/rules');

describe('shared/problems: every problem at once', function () {
  const bad = (field) => new FlowError('invalidField', { field, rule: 'is bad' });

  it('outside a collection a problem throws at once, as before', function () {
    assert.throws(() => problem(bad('a'), 0), (e) => e.params.field === 'a');
    assert.throws(() => wholeNumber('maxAttempts', '0', { min: 1, max: 10 }, 3), /invalidField/);
  });

  it('inside one it records each problem, goes on with the stand-in, and throws them all at the end', function () {
    const seen = [];
    assert.throws(() => collectProblems(() => {
      seen.push(wholeNumber('maxAttempts', '0', { min: 1, max: 10 }, 3));
      enforceRule(CONFIG_FIELD_RULES.region, 'Ireland', 'region');
      seen.push('went on');
      throw bad('last');
    }), (e) => {
      assert.ok(e instanceof FlowErrors);
      assert.deepEqual(e.errors.map((x) => x.params.field), ['maxAttempts', 'region', 'last']);
      return true;
    });
    assert.deepEqual(seen, [3, 'went on']);
  });

  it('throws a single problem as itself, returns the result when there is none, and lets a bug through', function () {
    assert.throws(() => collectProblems(() => problem(bad('only'), 1)), (e) => !(e instanceof FlowErrors) && e.params.field === 'only');
    assert.equal(collectProblems(() => 42), 42);
    assert.throws(() => collectProblems(() => { throw new TypeError('bug'); }), TypeError);
    // After a collection, problems throw again.
    assert.throws(() => problem(bad('after'), 0), (e) => e.params.field === 'after');
  });

  it('puts several problems into words one after another', function () {
    const words = (key, params) => `${params.field} ${params.rule}`;
    assert.equal(inWords(new FlowErrors([bad('a'), bad('b')]), words), 'a is bad; b is bad');
    assert.equal(inWords(bad('c'), words), 'c is bad');
  });
});
