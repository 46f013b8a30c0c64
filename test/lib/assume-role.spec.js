'use strict';
const assert = require('node:assert/strict');
const { defaultRoleSessionName, assumeRoleError } = require('../../dist/config/assume-role');
const { FlowError } = require('../../dist/shared/flow-error');
const { checkRule, CONFIG_FIELD_RULES } = require('../../dist/shared/rules');

describe('assume-role: session names and STS errors', function () {
  it('derives the session name from the node\'s name, else its id, within STS\'s rules', function () {
    assert.equal(defaultRoleSessionName('Gateway 7', 'a1b2'), 'node-red-Gateway-7');
    assert.equal(defaultRoleSessionName('', 'f3e2d1c0b9a8'), 'node-red-f3e2d1c0b9a8');
    assert.equal(defaultRoleSessionName('  Halle (Süd) / Linie#2 ', 'x'), 'node-red-Halle-S-d-Linie-2');
    const long = defaultRoleSessionName('x'.repeat(100), 'id');
    assert.equal(long.length, 64);
    for (const n of [long, defaultRoleSessionName('a:b;c', 'id'), defaultRoleSessionName('', '')]) {
      assert.equal(checkRule(CONFIG_FIELD_RULES.roleSessionName, n), undefined, n);
    }
  });
  it('puts STS\'s error in words naming the role; passes errors already in words through', function () {
    const sts = Object.assign(new Error('User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const e = assumeRoleError(sts, 'arn:aws:iam::123456789012:role/r');
    assert.equal(e.key, 'assumeRoleFailed');
    assert.deepEqual(e.params, { role: 'arn:aws:iam::123456789012:role/r', name: 'AccessDenied', message: sts.message, status: 403 });
    const proxy = new FlowError('proxyAuthFailed', { proxy: 'http://p:1', status: 407, target: 'sts:443' });
    assert.equal(assumeRoleError(proxy, 'arn'), proxy);
    assert.equal(assumeRoleError('weird', 'arn').params.message, 'weird');
  });
});
