'use strict';
// What a failure says about itself (src/config/error-facts): read from an SDK error, a network error, a plain value.
const assert = require('node:assert/strict');
const { errorFacts } = require('../../dist/config/error-facts');

describe('error facts', function () {
  it('reads name, message, code and HTTP status only when each has its type', function () {
    const sdk = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    assert.deepEqual(errorFacts(sdk), { name: 'AccessDeniedException', message: 'not authorized', status: 400 });
    const net = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.deepEqual(errorFacts(net), { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9', code: 'ECONNREFUSED' });
    assert.deepEqual(errorFacts('boom'), { name: 'Error', message: 'boom' });
    assert.deepEqual(errorFacts({ name: 'Odd', message: '', code: 7, $metadata: { httpStatusCode: '500' } }), { name: 'Odd', message: 'Odd' });
  });
});
