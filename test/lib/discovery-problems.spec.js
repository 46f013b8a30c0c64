'use strict';
// A failed discovery call as the problem the dialog shows: its kind, the IAM action or URL, the words of the locale
// files, and no secret. The failures are the shapes the SDK, the service and Node's network give (as
// test/lib/errors.spec.js reads them); the routes' own tests meet them over real HTTP.
const assert = require('node:assert/strict');
const { callProblem, settingsProblem, requestProblem, problemJson } = require('../../dist/discovery/problems');
const { FlowError } = require('../../dist/shared/flow-error');
const { FlowErrors } = require('../../dist/shared/problems');
const { Secrets } = require('../../dist/config/secrets');
const { localesReady, phraseWords: words } = require('../locales');

const ctx = { operation: 'ListEndpoints', url: 'http://127.0.0.1:9', timeoutMs: 5000, maxAttempts: 3 };
const sdkError = (name, message, status, extra = {}) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status }, ...extra });
const netError = (code, message, name = 'Error') => Object.assign(new Error(message), { code, name });

describe('discovery problems: what a failed call means', function () {
  before(async function () {
    await localesReady;
  });
  const json = (problem, secrets = new Secrets()) => problemJson(problem, words, (t) => secrets.redact(t));

  it('a refusal of the account names the IAM action of the operation', function () {
    const denied = json(callProblem(sdkError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sagemaker:ListEndpoints', 400), ctx));
    assert.equal(denied.kind, 'denied');
    assert.equal(denied.action, 'sagemaker:ListEndpoints');
    assert.match(denied.message, /may not call ListEndpoints \(AccessDeniedException\): their policy lacks the IAM action sagemaker:ListEndpoints/);
    const other = callProblem(sdkError('Forbidden', 'no', 403), { ...ctx, operation: 'ListInferenceComponents' });
    assert.deepEqual([other.kind, other.action], ['denied', 'sagemaker:ListInferenceComponents'], 'any other 403');
  });

  it('a service that cannot be reached names the URL called: refused, DNS, timeout, TLS', function () {
    for (const [err, pattern] of [
      [netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), /Could not reach the SageMaker API at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/],
      [netError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example'), /\(ENOTFOUND\)/],
      [netError('ETIMEDOUT', 'timed out', 'TimeoutError'), /did not answer within 5000 ms \(3 attempt\(s\)\)\. Check the config node's Control-plane URL/],
      [netError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), /TLS connection to the SageMaker API at http:\/\/127\.0\.0\.1:9 failed/],
    ]) {
      const p = json(callProblem(err, ctx));
      assert.equal(p.kind, 'unreachable', err.code);
      assert.equal(p.url, 'http://127.0.0.1:9');
      assert.match(p.message, pattern);
    }
    const notTls = json(callProblem(netError('EPROTO', 'SSL routines:ssl3_get_record:wrong version number'), { ...ctx, url: 'https://127.0.0.1:9' }));
    assert.match(notTls.message, /did not answer in TLS/);
  });

  it('STS refusing AssumeRole is denied, naming sts:AssumeRole, in the invoke node\'s words (trust policy, external ID)', function () {
    const role = json(callProblem(new FlowError('assumeRoleFailed', { role: 'arn:aws:iam::123456789012:role/r', name: 'AccessDenied', message: 'not authorized to perform: sts:AssumeRole', status: 403 }), ctx));
    assert.deepEqual([role.kind, role.action], ['denied', 'sts:AssumeRole']);
    assert.match(role.message, /^Could not assume role arn:aws:iam::123456789012:role\/r \(STS AccessDenied\): not authorized to perform: sts:AssumeRole \(check the role's trust policy, the external ID/);
  });

  it('credentials refused or not to be had', function () {
    for (const name of ['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredToken', 'ExpiredTokenException']) {
      const p = json(callProblem(sdkError(name, 'The security token included in the request is invalid.', name === 'InvalidSignatureException' ? 403 : 400), ctx));
      assert.equal(p.kind, 'credentials', name);
      assert.match(p.message, new RegExp(`refused the credentials \\(${name}\\)`));
    }
    const none = json(callProblem(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), ctx));
    assert.equal(none.kind, 'credentials');
    assert.match(none.message, /^No AWS credentials could be found \(CredentialsProviderError\): Could not load credentials from any providers\. Choose keys or a profile in the config node/);
    const role = json(callProblem(new FlowError('assumeRoleFailed', { role: 'arn:aws:iam::123456789012:role/r', name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid', status: 403 }), ctx));
    assert.equal(role.kind, 'credentials');
    assert.match(role.message, /^Could not assume role arn:aws:iam::123456789012:role\/r \(STS InvalidClientTokenId\)/, 'in the invoke node\'s words');
    const proxy = json(callProblem(new FlowError('proxyRefused', { proxy: 'http://proxy:3128', target: 'api.sagemaker.eu-west-1.amazonaws.com:443', status: 403 }), { ...ctx, url: 'https://api.sagemaker.eu-west-1.amazonaws.com' }));
    assert.deepEqual([proxy.kind, proxy.url], ['unreachable', 'https://api.sagemaker.eu-west-1.amazonaws.com']);
  });

  it('no such endpoint (DescribeEndpoint only), anything else failed', function () {
    const missing = json(callProblem(sdkError('ValidationException', 'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope".', 400), { ...ctx, operation: 'DescribeEndpoint', endpointName: 'nope' }));
    assert.equal(missing.kind, 'notFound');
    assert.match(missing.message, /^There is no endpoint nope in this account and region/);
    const configMissing = callProblem(sdkError('ValidationException', 'Could not find endpoint configuration "x".', 400), { ...ctx, operation: 'DescribeEndpointConfig' });
    assert.equal(configMissing.kind, 'failed', 'a missing endpoint config is not a missing endpoint');
    const failed = json(callProblem(sdkError('InternalFailure', 'boom', 500), ctx));
    assert.deepEqual([failed.kind, failed.message], ['failed', 'ListEndpoints failed: InternalFailure (HTTP 500): boom']);
  });

  it('settings: the config node\'s own words for every problem at once; a request without its fields', function () {
    const several = new FlowErrors([new FlowError('invalidField', { field: 'apiEndpointUrl', rule: 'must be an http:// or https:// URL without query or fragment' }), new FlowError('missingField', { field: 'secretAccessKey' })]);
    assert.deepEqual(json(settingsProblem(several)), { kind: 'settings', message: 'apiEndpointUrl must be an http:// or https:// URL without query or fragment; secretAccessKey is required' });
    const undeployed = json(settingsProblem(new FlowError('undeployedConfigNode', { field: 'proxy', type: 'http proxy' })));
    assert.match(undeployed.message, /^proxy names a config node \(http proxy\) that is not deployed: deploy it first/);
    assert.match(json(requestProblem('config.id')).message, /has no usable config\.id/);
  });

  it('no secret in the words, whatever the service quotes back', function () {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET';
    const p = json(callProblem(sdkError('InvalidSignatureException', `The request signature we calculated does not match; key ${secret}`, 403), ctx), new Secrets(secret));
    assert.doesNotMatch(JSON.stringify(p), /wJalrXUtnFEMI/);
    assert.match(p.message, /key \*\*\*\*/);
  });
});
