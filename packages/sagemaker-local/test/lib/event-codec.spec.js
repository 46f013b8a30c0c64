'use strict';
// The server's own event-stream codec and event-signature chain, checked against the SDK's codec and signer.
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { encodeMessage, decodeMessage, MessageDecoder, crc32, EventStreamFormatError } = require('../../dist/io/event-codec');
const { crc32c } = require('../../dist/io/crc');
const { EventSignatureChain, EventSignatureError, eventSignature, deriveSigningKey } = require('../../dist/signing/event-signature');
const { EventStreamCodec } = require('@smithy/core/event-streams');
const { fromUtf8, toUtf8 } = require('@smithy/core/serde');
const { SignatureV4 } = require('@smithy/signature-v4');
const { createHash, createHmac } = require('node:crypto');

const sdk = new EventStreamCodec(toUtf8, fromUtf8);

const ALL_TYPES = {
  yes: { type: 'boolean', value: true },
  no: { type: 'boolean', value: false },
  b: { type: 'byte', value: -7 },
  s: { type: 'short', value: -30000 },
  i: { type: 'integer', value: 2000000000 },
  l: { type: 'long', value: 2 ** 40 + 3 },
  bin: { type: 'binary', value: Uint8Array.from([0, 1, 254, 255]) },
  str: { type: 'string', value: 'héllo ✓' },
  ts: { type: 'timestamp', value: new Date(1764505200123) },
  id: { type: 'uuid', value: '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9' },
};

describe('event-codec: the event-stream message format', function () {
  it('computes its CRC32 with zlib.crc32, the one CRC32 of the server, also over pieces; CRC32C from its table', function () {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    assert.equal(crc32(data), 0x414fa339);
    assert.equal(crc32(data.subarray(10), crc32(data.subarray(0, 10))), 0x414fa339);
    assert.equal(crc32(data), zlib.crc32(data));
    assert.equal(crc32(Buffer.alloc(0)), 0);
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283, 'the CRC-32C check value');
    assert.equal(crc32c(data), 0x22620404);
  });

  it('round-trips every header type and a payload', function () {
    const body = Buffer.from('payload bytes');
    const decoded = decodeMessage(encodeMessage({ headers: ALL_TYPES, body }));
    assert.deepEqual(Buffer.from(decoded.body), body);
    assert.equal(decoded.headers.l.value, 2 ** 40 + 3);
    assert.equal(decoded.headers.ts.value.getTime(), 1764505200123);
    assert.deepEqual(
      Object.fromEntries(Object.entries(decoded.headers).map(([k, h]) => [k, h.type])),
      Object.fromEntries(Object.entries(ALL_TYPES).map(([k, h]) => [k, h.type])),
    );
    assert.deepEqual([...decoded.headers.bin.value], [0, 1, 254, 255]);
    assert.equal(decoded.headers.str.value, 'héllo ✓');
    assert.equal(decoded.headers.id.value, ALL_TYPES.id.value);
  });

  it("writes the same bytes as the SDK's codec, and reads the SDK's", function () {
    const headers = {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: 'PayloadPart' },
      ':date': { type: 'timestamp', value: new Date(1764505200000) },
      flag: { type: 'boolean', value: true },
      sig: { type: 'binary', value: Uint8Array.from([9, 8, 7]) },
    };
    const body = Uint8Array.from([1, 2, 3]);
    const ours = encodeMessage({ headers, body });
    assert.deepEqual(Buffer.from(sdk.encode({ headers, body })), ours);
    const theirs = sdk.decode(ours);
    assert.equal(theirs.headers[':event-type'].value, 'PayloadPart');
    assert.equal(decodeMessage(Buffer.from(sdk.encode({ headers, body }))).headers.flag.value, true);
  });

  it('reassembles messages split anywhere, including one byte at a time', function () {
    const messages = [0, 1, 2].map((i) => encodeMessage({ headers: { n: { type: 'integer', value: i } }, body: Buffer.alloc(i * 10, i) }));
    const stream = Buffer.concat(messages);
    for (const size of [1, 3, 7, 16, stream.length]) {
      const decoder = new MessageDecoder();
      const out = [];
      for (let at = 0; at < stream.length; at += size) out.push(...decoder.push(stream.subarray(at, at + size)));
      assert.deepEqual(
        out.map((m) => decodeMessage(m).headers.n.value),
        [0, 1, 2],
        `chunks of ${size}`,
      );
      assert.equal(decoder.buffered, 0);
    }
  });

  it('refuses a bad prelude CRC, a bad message CRC, and an impossible length', function () {
    const good = encodeMessage({ headers: {}, body: Buffer.from('x') });
    const badPrelude = Buffer.from(good);
    badPrelude[9] ^= 1;
    assert.throws(() => new MessageDecoder().push(badPrelude), EventStreamFormatError);
    assert.throws(() => decodeMessage(badPrelude), /prelude CRC/);
    const badBody = Buffer.from(good);
    badBody[12] ^= 1;
    assert.throws(() => decodeMessage(badBody), /message CRC/);
    const tooLong = Buffer.alloc(12);
    tooLong.writeUInt32BE(64 * 1024 * 1024, 0);
    tooLong.writeUInt32BE(crc32(tooLong.subarray(0, 8)), 8);
    assert.throws(() => new MessageDecoder().push(tooLong), /out of range/);
  });

  it('refuses an unknown header type and a header running past its block', function () {
    const message = encodeMessage({ headers: { a: { type: 'string', value: 'b' } }, body: Buffer.alloc(0) });
    const unknownType = Buffer.from(message);
    unknownType[12 + 2] = 42; // the type byte after name length 1 and name 'a'
    unknownType.writeUInt32BE(crc32(unknownType.subarray(0, unknownType.length - 4)), unknownType.length - 4);
    assert.throws(() => decodeMessage(unknownType), /unknown header value type 42/);
    const overrun = Buffer.from(message);
    overrun.writeUInt16BE(200, 12 + 3); // the string's length, past the 6-byte headers block
    overrun.writeUInt32BE(crc32(overrun.subarray(0, overrun.length - 4)), overrun.length - 4);
    assert.throws(() => decodeMessage(overrun), /past the end of the headers block/);
  });
});

class Sha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(secret));
  }
  update(data) {
    this.hash.update(typeof data === 'string' ? Buffer.from(data) : data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

describe('event-signature: the chained signatures of input events', function () {
  const key = { accessKeyId: 'AKIDCHAIN', secretAccessKey: 'chain/secret' };
  const scope = { secretAccessKey: key.secretAccessKey, region: 'eu-west-1', service: 'sagemaker' };
  const signer = new SignatureV4({ service: 'sagemaker', region: 'eu-west-1', sha256: Sha256, credentials: key });

  async function sdkEnvelope(body, prior, date) {
    const dateHeader = { ':date': { type: 'timestamp', value: date } };
    const { signature } = await signer.signMessage({ message: { headers: dateHeader, body }, priorSignature: prior }, { signingDate: date });
    const envelope = decodeMessage(
      Buffer.from(sdk.encode({ headers: { ...dateHeader, ':chunk-signature': { type: 'binary', value: Buffer.from(signature, 'hex') } }, body })),
    );
    return { envelope, signature };
  }

  it("derives the SDK signer's key and event signature", async function () {
    const date = new Date();
    const body = Buffer.from('inner');
    const { signature } = await sdkEnvelope(body, 'ab'.repeat(32), date);
    assert.equal(eventSignature(scope, date, 'ab'.repeat(32), body), signature);
    assert.equal(deriveSigningKey('s', '20240101', 'us-east-1', 'sagemaker').length, 32);
  });

  it('accepts a chain from the request signature to the empty end event, and nothing after it', async function () {
    const first = 'cd'.repeat(32);
    const chain = new EventSignatureChain(scope, first);
    const a = await sdkEnvelope(Buffer.from('one'), first, new Date());
    assert.deepEqual(chain.verify(a.envelope), { payload: a.envelope.body, end: false });
    const b = await sdkEnvelope(Buffer.from('two'), a.signature, new Date());
    assert.equal(chain.verify(b.envelope).end, false);
    const end = await sdkEnvelope(new Uint8Array(0), b.signature, new Date());
    assert.equal(chain.verify(end.envelope).end, true);
    assert.throws(() => chain.verify(end.envelope), /after the signed end/);
  });

  it('refuses an event out of order, signed with another key, unsigned, or too far from the clock', async function () {
    const first = 'ef'.repeat(32);
    const a = await sdkEnvelope(Buffer.from('one'), first, new Date());
    const b = await sdkEnvelope(Buffer.from('two'), a.signature, new Date());
    assert.throws(() => new EventSignatureChain(scope, first).verify(b.envelope), EventSignatureError);
    assert.throws(() => new EventSignatureChain({ ...scope, secretAccessKey: 'other' }, first).verify(a.envelope), /does not match/);
    assert.throws(() => new EventSignatureChain(scope, first).verify({ headers: {}, body: Buffer.from('x') }), /:chunk-signature/);
    const old = await sdkEnvelope(Buffer.from('old'), first, new Date(Date.now() - 10 * 60 * 1000));
    assert.throws(() => new EventSignatureChain(scope, first).verify(old.envelope), /5 minutes/);
  });
});
