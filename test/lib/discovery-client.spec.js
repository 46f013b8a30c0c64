'use strict';
// The control-plane client names the URL it calls before any call: the Control-plane URL, or the region's as the
// SDK resolves it (FIPS and dual-stack from the SDK's own configuration, as for the runtime client).
const assert = require('node:assert/strict');
const { createControlPlane, settingsUrl, urlOf } = require('../../dist/discovery/client');
const { resolveClientSettings } = require('../../dist/config/client-config');

const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' };

describe('discovery client: the URL it calls', function () {
  const made = [];
  const plane = async (raw) => {
    const p = await createControlPlane(resolveClientSettings({ region: 'eu-west-1', ...raw }, keys), keys, {});
    made.push(p);
    return p;
  };
  after(() => made.forEach((p) => p.destroy()));

  it('the Control-plane URL when set, else the region\'s', async function () {
    assert.equal((await plane({ apiEndpointUrl: 'http://127.0.0.1:8777/' })).url(), 'http://127.0.0.1:8777');
    assert.equal((await plane({})).url(), 'https://api.sagemaker.eu-west-1.amazonaws.com');
    assert.equal((await plane({ region: 'cn-north-1' })).url(), 'https://api.sagemaker.cn-north-1.amazonaws.com.cn');
  });

  it('FIPS and dual-stack as the SDK reads them from the environment', async function () {
    const saved = { fips: process.env.AWS_USE_FIPS_ENDPOINT, dual: process.env.AWS_USE_DUALSTACK_ENDPOINT };
    try {
      process.env.AWS_USE_FIPS_ENDPOINT = 'true';
      assert.equal((await plane({ region: 'us-east-1' })).url(), 'https://api-fips.sagemaker.us-east-1.amazonaws.com');
      delete process.env.AWS_USE_FIPS_ENDPOINT;
      process.env.AWS_USE_DUALSTACK_ENDPOINT = 'true';
      assert.match((await plane({ region: 'us-east-1' })).url(), /^https:\/\/api\.sagemaker\.us-east-1\.api\.aws$/);
    } finally {
      for (const [name, value] of [['AWS_USE_FIPS_ENDPOINT', saved.fips], ['AWS_USE_DUALSTACK_ENDPOINT', saved.dual]]) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('before a client is made, the settings\' URL: the Control-plane URL (as the client names it), or the region\'s default', async function () {
    const set = { region: 'eu-west-1', apiEndpointUrl: 'http://127.0.0.1:8777/' };
    assert.equal(settingsUrl(set), (await plane(set)).url());
    assert.equal(settingsUrl({ region: 'eu-west-1' }), (await plane({})).url());
  });

  it('reads a request\'s URL as the handler sends it', function () {
    assert.equal(urlOf({ protocol: 'https:', hostname: 'api.sagemaker.eu-west-1.amazonaws.com', path: '/' }), 'https://api.sagemaker.eu-west-1.amazonaws.com');
    assert.equal(urlOf({ protocol: 'http', hostname: '127.0.0.1', port: 8777, path: '/prefix' }), 'http://127.0.0.1:8777/prefix');
    assert.equal(urlOf({}), undefined);
  });
});
