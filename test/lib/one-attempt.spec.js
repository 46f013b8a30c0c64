'use strict';
// A probe's single attempt: inside withOneAttempt the config node's client makes one attempt however many its
// maxAttempts allows, without per-call options (which would cost the middleware cache); outside, its retries stay.
// The real SDK client against a port that refuses connections.
const assert = require('node:assert/strict');
const net = require('node:net');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { allowOneAttempt } = require('../../dist/config/one-attempt');
const { withOneAttempt } = require('../../dist/config/abort-context');

describe('one attempt: a call without the SDK\'s retries', function () {
  this.timeout(10000);
  it('makes one attempt inside withOneAttempt and maxAttempts outside it, with the cache kept', async function () {
    const server = net.createServer();
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const port = server.address().port;
    await new Promise((r) => server.close(r)); // nothing listens: ECONNREFUSED
    const client = new SageMakerRuntimeClient({
      region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 3, cacheMiddleware: true,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    });
    allowOneAttempt(client);
    const call = () => client.send(new InvokeEndpointCommand({ EndpointName: 'ep', Body: '{}', ContentType: 'application/json' }));
    const once = await withOneAttempt(call).catch((e) => e);
    assert.equal(once.code, 'ECONNREFUSED');
    assert.equal(once.$metadata.attempts, 1);
    const retried = await call().catch((e) => e);
    assert.equal(retried.$metadata.attempts, 3);
    const again = await withOneAttempt(call).catch((e) => e);
    assert.equal(again.$metadata.attempts, 1, 'the flag belongs to the call, not the client');
    client.destroy();
  });
});
