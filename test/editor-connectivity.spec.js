'use strict';
// The editor's view of the config node's role, proxy and TLS fields: the same names and STS rules as the runtime.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const names = require('../dist/shared/names');

const sandbox = {};
sandbox.globalThis = sandbox;
vm.runInNewContext(fs.readFileSync(path.join(__dirname, '../resources/editor-shared.js'), 'utf8'), sandbox);
const S = sandbox.SageMakerRuntime;

describe('editor-shared.js: role, proxy and TLS fields', function () {
  it('names core\'s proxy and TLS config node types and the role defaults as the runtime does', function () {
    assert.equal(S.names.PROXY_NODE_TYPE, 'http proxy');
    assert.equal(S.names.TLS_NODE_TYPE, 'tls-config');
    assert.deepEqual(JSON.parse(JSON.stringify(S.names.CONFIG_DEFAULTS)), names.CONFIG_DEFAULTS);
    assert.deepEqual(JSON.parse(JSON.stringify(S.names.CONFIG_LIMITS.roleDurationSeconds)), { min: 900, max: 43200 });
  });
  it('checks the role fields with STS\'s rules and lets ${ENV_VAR} through', function () {
    const v = (field, value) => S.configValidator(field, false)(value, {});
    assert.equal(v('roleArn', ''), true);
    assert.equal(v('roleArn', 'arn:aws:iam::123456789012:role/invoker'), true);
    assert.equal(v('roleArn', '${ROLE_ARN}'), true);
    assert.match(v('roleArn', 'arn:aws:iam::123456789012:user/bob'), /IAM role ARN/);
    assert.match(v('externalId', 'a'), /at least 2/);
    assert.match(v('roleSessionName', 'has space'), /_\+=,\.@-/);
    assert.match(S.integerValidator(900, 43200)('600', {}), /900 to 43200/);
  });
});
