'use strict';
// A discovery route's body read as the dialog sends it: the config node's properties, its credentials with the
// saved ones for blank or placeholder values, ${ENV} values as Node-RED replaces them.
const assert = require('node:assert/strict');
const { readRequest, mergeCredentials, substituteEnv } = require('../../dist/discovery/request');
const { SECRET_PLACEHOLDER } = require('../../dist/shared/discovery');

describe('discovery request', function () {
  it('takes the config node\'s properties only, the endpoint name and refresh', function () {
    const r = readRequest({ config: { id: 'c1', region: 'eu-west-1', apiEndpointUrl: 'http://x', type: 'sagemaker-config', x: 1, users: [] }, credentials: { accessKeyId: 'A' }, endpointName: ' ep ', refresh: true }, true);
    assert.deepEqual(r, { id: 'c1', config: { region: 'eu-west-1', apiEndpointUrl: 'http://x' }, credentials: { accessKeyId: 'A' }, endpointName: 'ep', refresh: true });
    assert.equal(readRequest({ config: { id: 'c1' }, endpointName: 'ep' }, false).endpointName, undefined, 'the list route describes nothing');
  });

  it('names what is missing: the config, its id, the endpoint name', function () {
    const field = (body, needs) => readRequest(body, needs).phrases[0].params.field;
    assert.equal(field(undefined, false), 'config');
    assert.equal(field({ config: [] }, false), 'config');
    assert.equal(field({ config: { region: 'eu-west-1' } }, false), 'config.id');
    assert.equal(field({ config: { id: ' ' } }, false), 'config.id');
    assert.equal(field({ config: { id: 'c1' } }, true), 'endpointName');
    assert.equal(field({ config: { id: 'c1' }, credentials: 'x' }, false), 'credentials');
    assert.equal(readRequest({ config: { id: 'c1' } }, false).kind, undefined);
  });

  it('credentials: blank or the placeholder take the saved one; typed ones win; ${ENV} replaced', function () {
    const saved = { accessKeyId: 'AKIDSAVED', secretAccessKey: 'saved-secret', sessionToken: 'saved-token' };
    assert.deepEqual(mergeCredentials({ accessKeyId: 'AKIDNEW', secretAccessKey: SECRET_PLACEHOLDER, sessionToken: '' }, saved),
      { accessKeyId: 'AKIDNEW', secretAccessKey: 'saved-secret', sessionToken: 'saved-token' });
    assert.deepEqual(mergeCredentials({ accessKeyId: 'AKIDNEW', secretAccessKey: 'typed' }, undefined), { accessKeyId: 'AKIDNEW', secretAccessKey: 'typed' });
    assert.deepEqual(mergeCredentials({ secretAccessKey: SECRET_PLACEHOLDER }, undefined), {}, 'a placeholder with nothing saved is no secret');
    const env = { KEY_ID: 'AKIDENV', SECRET: 'env-secret' };
    assert.deepEqual(mergeCredentials({ accessKeyId: '${KEY_ID}', secretAccessKey: '${SECRET}' }, undefined, (n) => env[n]), { accessKeyId: 'AKIDENV', secretAccessKey: 'env-secret' });
  });

  it('replaces whole ${NAME} and $(NAME) values as Node-RED does, leaving unset ones and embedded ones as they are', function () {
    const env = { AWS_REGION: 'eu-west-3', URL: 'http://127.0.0.1:8080' };
    assert.deepEqual(substituteEnv({ region: '${AWS_REGION}', apiEndpointUrl: '$(URL)', profile: '${UNSET}', name: 'a ${AWS_REGION}', timeout: 5000 }, (n) => env[n]),
      { region: 'eu-west-3', apiEndpointUrl: 'http://127.0.0.1:8080', profile: '${UNSET}', name: 'a ${AWS_REGION}', timeout: 5000 });
  });
});
