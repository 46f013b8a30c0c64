'use strict';
const assert = require('node:assert/strict');
const { CONFIG_FIELD_RULES, checkRule, describeViolation, ENV_REFERENCE } = require('../../dist/shared/rules');
const { REQUEST_FIELD_RULES } = require('../../dist/shared/fields');

const ok = (field, value) => assert.equal(checkRule(REQUEST_FIELD_RULES[field], value), undefined, `${field} should accept ${JSON.stringify(value)}`);
const bad = (field, value, kind) => {
  const v = checkRule(REQUEST_FIELD_RULES[field], value);
  assert.ok(v, `${field} should refuse ${JSON.stringify(value)}`);
  if (kind) assert.equal(v.kind, kind);
};

describe('rules: the service model field rules', function () {
  it('endpoint, variant and container names: letters, digits, inner hyphens, at most 63', function () {
    for (const field of ['endpointName', 'targetVariant', 'targetContainerHostname']) {
      ok(field, 'a');
      ok(field, 'my-endpoint-1');
      ok(field, 'a--b');
      ok(field, 'x'.repeat(63));
      bad(field, 'x'.repeat(64), 'tooLong');
      bad(field, '-start', 'pattern');
      bad(field, 'end-', 'pattern');
      bad(field, 'under_score', 'pattern');
      bad(field, 'dot.name', 'pattern');
      bad(field, 'line\nbreak', 'pattern');
    }
  });
  it('inference component names', function () {
    ok('inferenceComponentName', 'ic-1');
    ok('inferenceComponentName', 'a');
    bad('inferenceComponentName', 'ic_1', 'pattern');
    bad('inferenceComponentName', 'x'.repeat(64), 'tooLong');
  });
  it('target model, inference id and prefix-aware id: printable, not starting with a space', function () {
    ok('targetModel', 'model-a.tar.gz');
    ok('targetModel', 'path/to model.tar.gz');
    bad('targetModel', ' leading', 'pattern');
    bad('targetModel', 'tab\there', 'pattern');
    bad('targetModel', 'x'.repeat(1025), 'tooLong');
    ok('inferenceId', 'req 42');
    bad('inferenceId', 'x'.repeat(65), 'tooLong');
    bad('inferenceId', 'caf\u00e9', 'pattern');
    ok('prefixAwareId', 'user-7');
    bad('prefixAwareId', 'a\r\nX-Injected: 1', 'pattern');
  });
  it('session ids: NEW_SESSION or a name, at most 256', function () {
    ok('sessionId', 'NEW_SESSION');
    ok('sessionId', 'abc-123');
    bad('sessionId', 'NEW SESSION', 'pattern');
    bad('sessionId', 'a'.repeat(257), 'tooLong');
  });
  it('custom attributes: at most 1024 visible US-ASCII characters, no CR/LF', function () {
    ok('customAttributes', 'trace=abc,user=7');
    ok('customAttributes', 'a b');
    ok('customAttributes', 'x'.repeat(1024));
    bad('customAttributes', 'x'.repeat(1025), 'tooLong');
    bad('customAttributes', 'a\r\nb', 'pattern');
    bad('customAttributes', ' padded', 'pattern');
    bad('customAttributes', 'non-ascii \u00e9', 'pattern');
  });
  it('content type, accept and explanations: header-safe ASCII', function () {
    ok('contentType', 'text/csv; charset=utf-8');
    bad('contentType', 'text/csv\r\nX: y', 'pattern');
    bad('accept', 'x'.repeat(1025), 'tooLong');
    ok('enableExplanations', '`true`');
    bad('enableExplanations', 'x'.repeat(65), 'tooLong');
  });
  it('config: region shape and endpoint URL', function () {
    for (const r of ['us-east-1', 'eu-west-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-5', 'eu-isoe-west-1']) {
      assert.equal(checkRule(CONFIG_FIELD_RULES.region, r), undefined, r);
    }
    for (const r of ['useast1', 'EU-WEST-1', 'eu-west', 'eu west 1']) assert.ok(checkRule(CONFIG_FIELD_RULES.region, r), r);
    for (const u of ['http://127.0.0.1:8080', 'https://runtime.sagemaker.us-east-1.amazonaws.com', 'https://vpce-1.runtime.sagemaker.eu-west-1.vpce.amazonaws.com/']) {
      assert.equal(checkRule(CONFIG_FIELD_RULES.endpointUrl, u), undefined, u);
    }
    for (const u of ['ftp://x', 'localhost:8080', 'https://x?y=1', 'https://a b']) assert.ok(checkRule(CONFIG_FIELD_RULES.endpointUrl, u), u);
  });
  it('describes a violation in words and recognises ${ENV} references', function () {
    assert.match(describeViolation(checkRule(REQUEST_FIELD_RULES.endpointName, 'x'.repeat(64))), /at most 63 characters/);
    assert.match(describeViolation(checkRule(REQUEST_FIELD_RULES.endpointName, 'a_b')), /letters, digits and hyphens/);
    assert.ok(ENV_REFERENCE.test('${SAGEMAKER_ENDPOINT}'));
    assert.ok(!ENV_REFERENCE.test('prefix-${X}'));
  });
});
