'use strict';
// AWS IoT's credentials provider, the pure parts: the URL of a role alias, the answer read as credentials or as the
// failure in words, and what a failed connection means (untrusted server, refused device certificate, unreachable).
const assert = require('node:assert/strict');
const { iotCredentialsUrl, parseIotAnswer, iotRequestError, THING_NAME_HEADER } = require('../../dist/config/iot-credentials');

const NAMED = { endpoint: 'c2x.credentials.iot.eu-west-1.amazonaws.com', roleAlias: 'sm-alias', thingName: 'gw-1' };

describe('iot credentials: the URL, the answer and the failures', function () {
  it('builds the credentials URL from a host (as describe-endpoint prints it) or an https:// URL', function () {
    assert.equal(iotCredentialsUrl(NAMED.endpoint, 'sm-alias').href, `https://${NAMED.endpoint}/role-aliases/sm-alias/credentials`);
    assert.equal(iotCredentialsUrl('https://127.0.0.1:8443/base/', 'a=b@c').href, 'https://127.0.0.1:8443/base/role-aliases/a%3Db%40c/credentials');
    assert.equal(THING_NAME_HEADER, 'x-amzn-iot-thingname');
  });

  it('reads the credentials and their expiration', function () {
    const body = JSON.stringify({ credentials: { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: '2030-01-02T03:04:05Z' } });
    assert.deepEqual(parseIotAnswer(200, body, NAMED), { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date('2030-01-02T03:04:05Z') });
  });

  it('words a 403 with the endpoint, alias, thing and causes; other answers by status; a broken answer as such', function () {
    assert.throws(() => parseIotAnswer(403, '{"message":"Access Denied"}', NAMED), (e) => {
      assert.equal(e.key, 'iotForbidden');
      assert.deepEqual(e.params, { endpoint: NAMED.endpoint, roleAlias: 'sm-alias', thing: 'thing name gw-1', message: 'Access Denied' });
      return true;
    });
    assert.throws(() => parseIotAnswer(403, '', { ...NAMED, thingName: '' }), (e) => /no thing name/.test(e.params.thing));
    assert.throws(() => parseIotAnswer(500, 'oops', NAMED), (e) => e.key === 'iotFailed' && e.params.status === 500 && e.params.message === 'oops');
    assert.throws(() => parseIotAnswer(200, '{"credentials":{"accessKeyId":"A"}}', NAMED), (e) => e.key === 'iotBadAnswer');
    assert.throws(() => parseIotAnswer(200, 'not json', NAMED), (e) => e.key === 'iotBadAnswer');
  });

  it('tells an untrusted server, a refused device certificate and an unreachable endpoint apart', function () {
    const err = (code, message = code) => Object.assign(new Error(message), { code });
    assert.equal(iotRequestError(err('SELF_SIGNED_CERT_IN_CHAIN'), NAMED, { connected: true }, '').key, 'iotUntrusted');
    assert.equal(iotRequestError(err('ERR_TLS_CERT_ALTNAME_INVALID'), NAMED, { connected: true }, '').key, 'iotUntrusted');
    assert.equal(iotRequestError(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), NAMED, { connected: true, sinceHandshakeMs: 5 }, '').key, 'iotCertRefused');
    assert.equal(iotRequestError(err('ECONNRESET'), NAMED, { connected: true }, '').key, 'iotCertRefused', 'reset in the handshake');
    assert.equal(iotRequestError(err('ECONNRESET'), NAMED, { connected: true, sinceHandshakeMs: 10 }, '').key, 'iotCertRefused', 'right after it');
    assert.equal(iotRequestError(err('ECONNRESET'), NAMED, { connected: true, sinceHandshakeMs: 60_000 }, '').key, 'iotUnreachable', 'long after it');
    const refused = iotRequestError(err('ECONNREFUSED'), NAMED, { connected: false }, '');
    assert.deepEqual([refused.key, refused.params.code, refused.params.endpoint], ['iotUnreachable', 'ECONNREFUSED', NAMED.endpoint]);
  });
});
