'use strict';
// The failure codes the invoke node's and discovery's error mappings share (src/config/failure-codes): one list of
// codes for a connection that got no answer, which the network codes extend by answers that are not HTTP.
const assert = require('node:assert/strict');
const { NETWORK_CODE, UNREACHABLE_CODE, TLS_CODE, NO_CREDENTIALS_NAMES } = require('../../dist/config/failure-codes');

describe('failure codes', function () {
  it('a connection with no answer is both unreachable and a network failure; an answer that is not HTTP only the latter', function () {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']) {
      assert.ok(UNREACHABLE_CODE.test(code) && NETWORK_CODE.test(code), code);
    }
    for (const code of ['HPE_INVALID_CONSTANT', 'UND_ERR_SOCKET']) assert.ok(NETWORK_CODE.test(code) && !UNREACHABLE_CODE.test(code), code);
    for (const code of ['ECONNREFUSEDX', 'XECONNRESET', 'EPROTO']) assert.ok(!NETWORK_CODE.test(code), code);
    assert.ok(TLS_CODE.test('EPROTO') && TLS_CODE.test('DEPTH_ZERO_SELF_SIGNED_CERT'));
  });

  it('the SDK\'s names for credentials it could not get', function () {
    assert.deepEqual([...NO_CREDENTIALS_NAMES].sort(), ['CredentialsProviderError', 'ProviderError', 'TokenProviderError']);
  });
});
