'use strict';
const assert = require('node:assert/strict');
const { encodeBody } = require('../../dist/invoke/body');
const { FlowError } = require('../../dist/shared/flow-error');

const refuses = (fn, key, params) => {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof FlowError, `expected FlowError, got ${err}`);
    assert.equal(err.key, key);
    for (const [k, v] of Object.entries(params || {})) assert.equal(err.params[k], v);
    return true;
  });
};

describe('body: msg input to request body', function () {
  it('sends a Buffer byte for byte as application/octet-stream', function () {
    const buf = Buffer.from([0, 1, 2, 255]);
    const out = encodeBody(buf, 'payload');
    assert.equal(out.body, buf);
    assert.equal(out.defaultContentType, 'application/octet-stream');
  });
  it('sends a Uint8Array and an ArrayBuffer as bytes', function () {
    const u8 = new Uint8Array([9, 8, 7]);
    assert.deepEqual([...encodeBody(u8, 'payload').body], [9, 8, 7]);
    assert.deepEqual([...encodeBody(u8.buffer, 'payload').body], [9, 8, 7]);
  });
  it('sends a string as UTF-8 text/plain', function () {
    const out = encodeBody('5.1,3.5,\u00e9', 'payload');
    assert.deepEqual(Buffer.from(out.body), Buffer.from('5.1,3.5,\u00e9', 'utf8'));
    assert.equal(out.defaultContentType, 'text/plain');
  });
  it('sends objects, arrays, numbers and booleans as JSON', function () {
    for (const v of [{ a: [1, 2] }, [1, 'x'], 42, false]) {
      const out = encodeBody(v, 'payload');
      assert.equal(Buffer.from(out.body).toString(), JSON.stringify(v));
      assert.equal(out.defaultContentType, 'application/json');
    }
  });
  it('refuses a missing value, naming the property', function () {
    refuses(() => encodeBody(undefined, 'data.input'), 'missingBody', { property: 'data.input' });
    refuses(() => encodeBody(null, 'payload'), 'missingBody', { property: 'payload' });
  });
  it('refuses what JSON cannot represent instead of dropping it', function () {
    const circular = { a: 1 };
    circular.self = circular;
    refuses(() => encodeBody(circular, 'payload'), 'unrepresentableBody', { what: 'a circular structure' });
    refuses(() => encodeBody({ n: 10n }, 'payload'), 'unrepresentableBody', { what: 'a BigInt', where: 'msg.payload (at "n")' });
    refuses(() => encodeBody({ f() {} }, 'payload'), 'unrepresentableBody', { what: 'a function' });
    refuses(() => encodeBody(() => 1, 'payload'), 'unrepresentableBody', { what: 'a function', where: 'msg.payload' });
    refuses(() => encodeBody([1, NaN], 'payload'), 'unrepresentableBody', { what: 'NaN' });
    refuses(() => encodeBody({ x: Infinity }, 'payload'), 'unrepresentableBody', { what: 'Infinity' });
  });
  it('refuses a body over the 6 MB limit, and takes one at the limit', function () {
    const limit = 6291456;
    assert.equal(encodeBody(Buffer.alloc(limit), 'payload').body.byteLength, limit);
    refuses(() => encodeBody(Buffer.alloc(limit + 1), 'payload'), 'bodyTooLarge', { size: limit + 1, limit });
    refuses(() => encodeBody('\u00e9'.repeat(limit / 2 + 1), 'payload'), 'bodyTooLarge', { size: limit + 2 });
  });
});
