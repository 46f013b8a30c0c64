'use strict';
// The local server's S3-compatible object API, driven by the real @aws-sdk/client-s3 (path style, the config's
// keys) over HTTP: objects of each kind with their content types, aws-chunked uploads with a checksum trailer, S3's
// errors (missing key or bucket, bad or unknown signatures, checksums that do not match), the in-memory limits, and
// the SigV4 arithmetic the server checks with (its own, not the SDK's).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Transform } = require('node:stream');
const { createHash } = require('node:crypto');
const {
  S3Client,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  HeadBucketCommand,
} = require('@aws-sdk/client-s3');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { startLocalServer, validateConfig } = require('../dist/server');
const { canonicalPath, canonicalQuery, signingKey } = require('../dist/server/sigv4-canonical');
const { checksumOf } = require('../dist/server/checksums');
const { decodeAwsChunked } = require('../dist/server/aws-chunked');

const KEY = { accessKeyId: 'AKIAS3LOCALTEST01', secretAccessKey: 's3-test-secret/not+real' };
const BUCKET = 'test-bucket';

function s3Client(url, extra = {}) {
  return new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials: { ...KEY }, maxAttempts: 1, ...extra });
}

async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new assert.AssertionError({ message: 'expected the call to fail' });
}

async function start(s3 = {}) {
  const lines = [];
  const config = validateConfig({ port: 0, credentials: [KEY], endpoints: { ep: { model: 'demo' } }, s3: { buckets: [BUCKET, 'other-bucket'], ...s3 } });
  const local = await startLocalServer(config, { log: (l) => lines.push(l) });
  return { local, lines, s3: s3Client(local.url) };
}

describe('local S3 API: objects through @aws-sdk/client-s3', function () {
  this.timeout(20000);
  let ctx;
  before(async () => {
    ctx = await start();
  });
  after(async () => {
    ctx.s3.destroy();
    await ctx.local.close();
  });

  const put = (Key, Body, extra = {}) => ctx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ...extra }));
  const get = (Key, extra = {}) => ctx.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key, ...extra }));

  it('stores JSON, CSV and binary objects and answers them with their content type, length, ETag and date', async function () {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff));
    const objects = [
      ['in/reading.json', '{"series":"pump-1","value":21.5}', 'application/json'],
      ['in/readings.csv', 'series,value\npump-1,21.5\n"a,b",3\n', 'text/csv'],
      ['in/frame.bin', binary, 'application/octet-stream'],
    ];
    for (const [key, body, type] of objects) {
      const before = Date.now();
      const res = await put(key, body, { ContentType: type, Metadata: { origin: 'test' } });
      const md5 = createHash('md5').update(body).digest('hex');
      assert.equal(res.ETag, `"${md5}"`);
      const got = await get(key);
      assert.equal(got.ContentType, type);
      assert.equal(got.ContentLength, Buffer.byteLength(body));
      assert.equal(got.ETag, `"${md5}"`);
      assert.deepEqual(got.Metadata, { origin: 'test' });
      assert.ok(got.LastModified instanceof Date && got.LastModified.getTime() >= Math.floor(before / 1000) * 1000 - 1000);
      assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), Buffer.from(body));
      const head = await ctx.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.equal(head.ContentType, type);
      assert.equal(head.ContentLength, Buffer.byteLength(body));
    }
  });

  it('takes keys with spaces, plus signs, quotes and non-ASCII (signed as sent, not escaped twice)', async function () {
    for (const key of ['a b/c+d.json', 'ünï/çødé €.txt', 'deep/er/and/deeper/x', "it's (1)!*.csv", 'a//double/./dot/../x']) {
      await put(key, key, { ContentType: 'text/plain' });
      const got = await get(key);
      assert.equal(got.ContentType, 'text/plain', key);
      assert.equal(await got.Body.transformToString(), key);
      assert.ok(ctx.local.store.get(BUCKET, key), `stored under its own key ${key}`);
    }
  });

  it("keeps S3's default type for an object sent without a Content-Type", async function () {
    const { ObjectStore } = require('../dist/server');
    const store = new ObjectStore({ buckets: ['b-1'] });
    const { putObject } = require('../dist/server/s3-objects');
    putObject(store, { bucket: 'b-1', key: 'k', headers: {}, body: Buffer.from('x') });
    assert.equal(store.get('b-1', 'k').contentType, 'binary/octet-stream');
  });

  it('takes an aws-chunked stream upload and verifies its CRC32 trailer, then answers the checksum when asked', async function () {
    const file = path.join(os.tmpdir(), `s3-local-${process.pid}.bin`);
    const data = Buffer.alloc(300000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    fs.writeFileSync(file, data);
    try {
      const res = await put('big/stream.bin', fs.createReadStream(file), { ContentLength: data.length, ContentType: 'application/x-test' });
      const seen = ctx.local.server.s3.requests.at(-1).headers;
      assert.equal(seen['content-encoding'], 'aws-chunked');
      assert.equal(seen['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      assert.equal(seen['x-amz-trailer'], 'x-amz-checksum-crc32');
      assert.equal(res.ChecksumCRC32, checksumOf('crc32', data));
      const got = await get('big/stream.bin', { ChecksumMode: 'ENABLED' });
      assert.equal(got.ChecksumCRC32, checksumOf('crc32', data));
      assert.equal(got.ContentType, 'application/x-test');
      assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), data);
    } finally {
      fs.unlinkSync(file);
    }
  });

  it('refuses an aws-chunked upload whose trailer checksum does not match, and a wrong checksum header', async function () {
    const tampering = s3Client(ctx.local.url);
    // After the SDK has built the aws-chunked body: replace the trailer's checksum with a wrong one.
    tampering.middlewareStack.add(
      (next) => async (args) => {
        const body = args.request.body;
        if (body && typeof body.pipe === 'function') {
          const chunks = [];
          args.request.body = body.pipe(
            new Transform({
              transform(chunk, _enc, cb) {
                chunks.push(Buffer.from(chunk));
                cb();
              },
              flush(cb) {
                cb(null, Buffer.from(Buffer.concat(chunks).toString('latin1').replace(/x-amz-checksum-crc32:[^\r]*/, 'x-amz-checksum-crc32:AAAAAA=='), 'latin1'));
              },
            }),
          );
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'tamperTrailer' },
    );
    const file = path.join(os.tmpdir(), `s3-local-bad-${process.pid}.bin`);
    fs.writeFileSync(file, 'some bytes');
    try {
      const err = await failure(tampering.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bad/trailer', Body: fs.createReadStream(file), ContentLength: 10 })));
      assert.equal(err.name, 'BadDigest');
      assert.match(err.message, /CRC32 you specified did not match/);
    } finally {
      fs.unlinkSync(file);
      tampering.destroy();
    }
    const err = await failure(put('bad/header', 'abc', { ChecksumCRC32: 'AAAAAA==' }));
    assert.equal(err.name, 'BadDigest');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(ctx.local.store.get(BUCKET, 'bad/header'), undefined, 'nothing stored');
  });

  it('answers a missing object NoSuchKey (HEAD: 404 without a body) and a bucket it does not serve NoSuchBucket', async function () {
    const missing = await failure(get('no/such.json'));
    assert.equal(missing.name, 'NoSuchKey');
    assert.equal(missing.$metadata.httpStatusCode, 404);
    assert.equal(missing.Key, 'no/such.json');
    const head = await failure(ctx.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'no/such.json' })));
    assert.equal(head.name, 'NotFound');
    assert.equal(head.$metadata.httpStatusCode, 404);
    const bucket = await failure(ctx.s3.send(new GetObjectCommand({ Bucket: 'not-configured', Key: 'x' })));
    assert.equal(bucket.name, 'NoSuchBucket');
    assert.equal(bucket.BucketName, 'not-configured');
    await ctx.s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
  });

  it('refuses a wrong secret (SignatureDoesNotMatch), an unknown key (InvalidAccessKeyId) and an unsigned request (AccessDenied)', async function () {
    const wrong = s3Client(ctx.local.url, { credentials: { ...KEY, secretAccessKey: 'not-the-secret' } });
    const err = await failure(wrong.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'in/reading.json' })));
    assert.equal(err.name, 'SignatureDoesNotMatch');
    assert.equal(err.$metadata.httpStatusCode, 403);
    const unknown = s3Client(ctx.local.url, { credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } });
    const err2 = await failure(unknown.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x', Body: 'x' })));
    assert.equal(err2.name, 'InvalidAccessKeyId');
    assert.equal(err2.$metadata.httpStatusCode, 403);
    wrong.destroy();
    unknown.destroy();
    const res = await fetch(`${ctx.local.url}/${BUCKET}/in/reading.json`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    assert.match(await res.text(), /<Code>AccessDenied<\/Code>/);
    const put = await fetch(`${ctx.local.url}/${BUCKET}/x`, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 403);
    assert.equal(ctx.local.store.get(BUCKET, 'x'), undefined);
  });

  it('deletes objects and lists a prefix (ListObjectsV2)', async function () {
    await put('list/a', '1');
    await put('list/b', '22');
    await put('other/c', '333');
    const listed = await ctx.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/' }));
    assert.deepEqual(listed.Contents.map((o) => [o.Key, o.Size]), [['list/a', 1], ['list/b', 2]]);
    await ctx.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'list/a' }));
    await ctx.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'list/never' }));
    assert.equal((await failure(get('list/a'))).name, 'NoSuchKey');
  });

  it('serves SageMaker on the same port: a request signed for sagemaker goes to the endpoints', async function () {
    const sm = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: ctx.local.url, credentials: { ...KEY }, maxAttempts: 1 });
    const res = await sm.send(new InvokeEndpointCommand({ EndpointName: 'ep', Body: '{"value": 1}', ContentType: 'application/json' }));
    assert.equal(res.ContentType, 'application/json');
    sm.destroy();
    assert.ok(ctx.lines.some((l) => /^PUT \/test-bucket\/in\/reading\.json 200 - \d+ms$/.test(l)), 'S3 requests are logged like the others');
    assert.ok(!ctx.lines.some((l) => l.includes(KEY.secretAccessKey)));
  });
});

describe('local S3 API: in-memory limits', function () {
  it('refuses an object over s3.maxObjectBytes (EntityTooLarge) and an upload past s3.maxTotalBytes', async function () {
    const ctx = await start({ maxObjectBytes: 1000, maxTotalBytes: 1500 });
    try {
      const put = (Key, size) => ctx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Buffer.alloc(size, 1) }));
      const big = await failure(put('big', 1001));
      assert.equal(big.name, 'EntityTooLarge');
      await put('a', 1000);
      const full = await failure(put('b', 600));
      assert.equal(full.$metadata.httpStatusCode, 503);
      assert.match(full.message, /at most 1500 bytes in all \(s3\.maxTotalBytes\)/);
      await put('a', 400); // replacing an object frees its bytes
      await put('b', 600);
      assert.equal(ctx.local.store.usedBytes, 1000);
    } finally {
      ctx.s3.destroy();
      await ctx.local.close();
    }
  });
});

describe('SigV4 and S3 encodings, computed by the server itself', function () {
  it("derives AWS's published example signing key", function () {
    // From AWS's SigV4 documentation ("Deriving the signing key"): secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
    const key = signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
    assert.equal(key.toString('hex'), 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  it('escapes and normalizes the path twice for SageMaker, never for S3, and sorts the query', function () {
    assert.equal(canonicalPath('/endpoints/my%20ep/./x/../invocations', false), '/endpoints/my%2520ep/invocations');
    assert.equal(canonicalPath('/bucket/a%20b/../c', true), '/bucket/a%20b/../c');
    assert.equal(canonicalQuery('x-id=GetObject&a=2&a=1&b'), 'a=1&a=2&b=&x-id=GetObject');
    assert.equal(canonicalQuery('k=a%20b+c&X-Amz-Signature=abc'), 'k=a%20b%2Bc');
  });

  it('computes CRC32 and CRC32C as S3 writes them, and decodes aws-chunked bodies strictly', function () {
    assert.equal(checksumOf('crc32', Buffer.from('123456789')), Buffer.from('cbf43926', 'hex').toString('base64'));
    assert.equal(checksumOf('crc32c', Buffer.from('123456789')), Buffer.from('e3069283', 'hex').toString('base64'));
    const ok = decodeAwsChunked(Buffer.from('3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n'));
    assert.equal(ok.data.toString(), 'abcde');
    assert.equal(ok.trailers.get('x-amz-checksum-crc32'), 'AAAA');
    assert.match(decodeAwsChunked(Buffer.from('5\r\nabc\r\n0\r\n\r\n')), /shorter|longer/);
    assert.match(decodeAwsChunked(Buffer.from('zz\r\nabc\r\n')), /not hexadecimal/);
  });
});
