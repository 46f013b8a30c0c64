'use strict';
// The local server's S3-compatible object API, driven by the real @aws-sdk/client-s3 (path style, the config's
// keys) over HTTP: objects of each kind with their content types, aws-chunked uploads with a checksum trailer, S3's
// errors (missing key or bucket, bad or unknown signatures, checksums that do not match), injected faults and the
// in-memory limits. The pure parts (SigV4 arithmetic, checksums, aws-chunked, the store) are in test/lib/server-s3.spec.js.
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
const { failure, startLocal } = require('./local');
const { checksumOf } = require('../dist/s3/checksums');

const KEY = { accessKeyId: 'AKIAS3LOCALTEST01', secretAccessKey: 's3-test-secret/not+real' };
const BUCKET = 'test-bucket';

function s3Client(url, extra = {}) {
  return new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials: { ...KEY }, maxAttempts: 1, ...extra });
}

async function start(s3 = {}) {
  const { local, lines } = await startLocal({ port: 0, credentials: [KEY], endpoints: { ep: { model: 'demo' } }, s3: { buckets: [BUCKET, 'other-bucket'], ...s3 } });
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

  it('checks signatures over escaped query values, repeated spaces in headers and response overrides', async function () {
    await put('sig/odd.json', '{}', { ContentType: 'application/json', Metadata: { note: 'a   b \t c' } });
    const got = await get('sig/odd.json', {
      ResponseContentType: 'text/plain; charset="utf-8"',
      ResponseContentDisposition: 'attachment; filename="a b+c (1).json"',
      ResponseCacheControl: 'no-cache',
    });
    assert.equal(got.ContentType, 'text/plain; charset="utf-8"');
    assert.equal(got.ContentDisposition, 'attachment; filename="a b+c (1).json"');
    assert.equal(got.CacheControl, 'no-cache');
    assert.match(got.Metadata.note, /^a\s+b\s+c$/);
  });

  it('answers conditional reads: 304 for If-None-Match of the ETag, 412 PreconditionFailed for another If-Match', async function () {
    const { ETag } = await put('cond/x.json', '{"v":1}', { ContentType: 'application/json' });
    const notModified = await failure(get('cond/x.json', { IfNoneMatch: ETag }));
    assert.equal(notModified.$metadata.httpStatusCode, 304);
    const failed = await failure(get('cond/x.json', { IfMatch: '"0123"' }));
    assert.equal(failed.name, 'PreconditionFailed');
    assert.equal(failed.$metadata.httpStatusCode, 412);
    assert.equal((await get('cond/x.json', { IfMatch: ETag })).ETag, ETag);
  });

  it("keeps S3's default type for an object sent without a Content-Type", async function () {
    const { ObjectStore } = require('../dist');
    const store = new ObjectStore({ buckets: ['b-1'] });
    const { putObject } = require('../dist/s3/s3-objects');
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
    const counts = ctx.local.server.s3.counts;
    assert.ok(counts.PUT > 5 && counts.GET > 5 && counts.HEAD > 1, JSON.stringify(counts));
  });
});

describe('local S3 API: injected faults for client tests', function () {
  it('answers what intercept says instead of the operation: an S3 error, a hang, a reset', async function () {
    const ctx = await start();
    try {
      const s3 = ctx.local.server.s3;
      await ctx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'v' }));
      s3.intercept = (r) => (r.method === 'HEAD' ? { code: 'SlowDown', message: 'Please reduce your request rate.' } : undefined);
      const slow = await failure(ctx.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k' })));
      assert.equal(slow.$metadata.httpStatusCode, 503);
      const get = await failure(ctx.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })).then(() => { throw new Error('fine'); }));
      assert.equal(get.message, 'fine', 'other requests are served');
      s3.intercept = () => ({ code: 'AccessDenied', message: 'Access Denied' });
      assert.equal((await failure(ctx.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })))).name, 'AccessDenied');
      s3.intercept = () => 'reset';
      assert.match((await failure(ctx.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })))).message, /socket hang up|ECONNRESET/);
      s3.intercept = () => 'hang';
      const hanging = s3Client(ctx.local.url, { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
      assert.equal((await failure(hanging.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })))).name, 'TimeoutError');
      hanging.destroy();
    } finally {
      ctx.s3.destroy();
      await ctx.local.close();
    }
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
