'use strict';
// The local server's pure S3 and SigV4 modules, each on its own: the signature arithmetic against AWS's published
// examples, the checksums against their standard check values, aws-chunked decoding, the in-memory store's limits,
// S3 locations, and the object operations without HTTP.
const assert = require('node:assert/strict');
const { canonicalPath, canonicalQuery, canonicalRequest, credentialScope, sha256Hex, signature, signingKey, stringToSign } = require('../../dist/signing/sigv4-canonical');
const { checksumOf } = require('../../dist/s3/checksums');
const { decodeAwsChunked } = require('../../dist/s3/aws-chunked');
const { ObjectStore, parseS3Uri } = require('../../dist/s3/s3-store');
const { putObject, getObject } = require('../../dist/s3/s3-objects');
const { errorXml, parseS3Path, s3Error, scopeServiceOf } = require('../../dist/s3/s3-wire');

describe('SigV4 arithmetic (sigv4-canonical)', function () {
  it("derives AWS's published example signing key", function () {
    // AWS's SigV4 documentation, "Deriving the signing key".
    const key = signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
    assert.equal(key.toString('hex'), 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  const sign = (secret, amzDate, region, service, request) => {
    const date = amzDate.slice(0, 8);
    const toSign = stringToSign(amzDate, credentialScope(date, region, service), canonicalRequest(request));
    return signature(signingKey(secret, date, region, service), toSign);
  };

  it("signs AWS's test-suite request get-vanilla as AWS does", function () {
    const sig = sign('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830T123600Z', 'us-east-1', 'service', {
      method: 'GET',
      rawPath: '/',
      rawQuery: '',
      headers: [['host', ['example.amazonaws.com']], ['x-amz-date', ['20150830T123600Z']]],
      payloadHash: sha256Hex(''),
      s3: false,
    });
    assert.equal(sig, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it("signs S3's documented GetObject example (S3 rules, a Range header) as AWS does", function () {
    const empty = sha256Hex('');
    const sig = sign('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524T000000Z', 'us-east-1', 's3', {
      method: 'GET',
      rawPath: '/test.txt',
      rawQuery: '',
      headers: [['host', ['examplebucket.s3.amazonaws.com']], ['range', ['bytes=0-9']], ['x-amz-content-sha256', [empty]], ['x-amz-date', ['20130524T000000Z']]],
      payloadHash: empty,
      s3: true,
    });
    assert.equal(sig, 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  it('escapes and normalizes the path again for other services, never for S3, and sorts the query', function () {
    assert.equal(canonicalPath('/endpoints/my%20ep/./x/../invocations', false), '/endpoints/my%2520ep/invocations');
    assert.equal(canonicalPath('//a//b/', false), '/a/b/');
    assert.equal(canonicalPath('/bucket/a%20b/../c', true), '/bucket/a%20b/../c');
    assert.equal(canonicalQuery('x-id=GetObject&a=2&a=1&b'), 'a=1&a=2&b=&x-id=GetObject');
    assert.equal(canonicalQuery('k=a%20b+c&X-Amz-Signature=abc'), 'k=a%20b%2Bc');
    assert.equal(canonicalQuery("q=it's*(ok)!"), 'q=it%27s%2A%28ok%29%21');
  });

  it('collapses runs of spaces in header values and joins repeated headers with commas', function () {
    const text = canonicalRequest({ method: 'GET', rawPath: '/', rawQuery: '', headers: [['x-a', ['  a   b  ', 'c']]], payloadHash: 'UNSIGNED-PAYLOAD', s3: true });
    assert.equal(text, 'GET\n/\n\nx-a:a b,c\n\nx-a\nUNSIGNED-PAYLOAD');
  });
});

describe('S3 checksums and aws-chunked bodies', function () {
  it('computes CRC32, CRC32C, SHA-1 and SHA-256 as S3 writes them (base64 of the big-endian digest)', function () {
    const data = Buffer.from('123456789');
    assert.equal(checksumOf('crc32', data), Buffer.from('cbf43926', 'hex').toString('base64'));
    assert.equal(checksumOf('crc32c', data), Buffer.from('e3069283', 'hex').toString('base64'));
    assert.equal(checksumOf('sha1', data), require('node:crypto').createHash('sha1').update(data).digest('base64'));
    assert.equal(checksumOf('crc32', Buffer.alloc(0)), 'AAAAAA==');
  });

  it('decodes chunks with extensions and trailers, and refuses what is malformed', function () {
    const ok = decodeAwsChunked(Buffer.from('3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n'));
    assert.equal(ok.data.toString(), 'abcde');
    assert.equal(ok.trailers.get('x-amz-checksum-crc32'), 'AAAA');
    assert.equal(decodeAwsChunked(Buffer.from('0\r\n\r\n')).data.length, 0);
    assert.match(decodeAwsChunked(Buffer.from('5\r\nabc\r\n0\r\n\r\n')), /shorter|longer/);
    assert.match(decodeAwsChunked(Buffer.from('2\r\nabc\r\n0\r\n\r\n')), /longer than its size/);
    assert.match(decodeAwsChunked(Buffer.from('zz\r\nabc\r\n')), /not hexadecimal/);
    assert.match(decodeAwsChunked(Buffer.from('3\r\nabc')), /shorter/);
    assert.match(decodeAwsChunked(Buffer.from('0\r\nnot a trailer\r\n\r\n')), /not name:value/);
    assert.match(decodeAwsChunked(Buffer.from('0\r\n\r\nextra')), /bytes after the trailers/);
  });
});

describe('the local object store and its operations', function () {
  it('keeps its limits: per object, in all, and a replaced object frees its bytes', function () {
    const store = new ObjectStore({ buckets: ['b-1'], maxObjectBytes: 10, maxTotalBytes: 15 });
    const put = (key, n) => store.put('b-1', key, { body: Buffer.alloc(n), contentType: 'x/y', metadata: {} }).kind;
    assert.equal(put('a', 11), 'tooLarge');
    assert.equal(put('a', 10), 'ok');
    assert.equal(put('b', 6), 'full');
    assert.equal(put('a', 4), 'ok');
    assert.equal(put('b', 6), 'ok');
    assert.equal(store.usedBytes, 10);
    assert.equal(store.put('nope', 'k', { body: Buffer.alloc(1), contentType: 'x/y', metadata: {} }).kind, 'noSuchBucket');
    assert.equal(store.delete('b-1', 'a'), true);
    assert.equal(store.delete('b-1', 'a'), false);
    assert.equal(store.usedBytes, 6);
  });

  it('reads s3:// locations literally and path-style https URLs decoded', function () {
    assert.deepEqual(parseS3Uri('s3://b-1/in/a b%20.json'), { bucket: 'b-1', key: 'in/a b%20.json' });
    assert.deepEqual(parseS3Uri('https://s3.us-east-1.amazonaws.com/b-1/in/a%20b.json'), { bucket: 'b-1', key: 'in/a b.json' });
    assert.equal(parseS3Uri('s3://b-1'), undefined);
    assert.equal(parseS3Uri('ftp://b-1/k'), undefined);
  });

  it("stores S3's default type without a Content-Type, verifies header checksums and Content-MD5", function () {
    const store = new ObjectStore({ buckets: ['b-1'] });
    const body = Buffer.from('hello');
    const put = (headers) => putObject(store, { bucket: 'b-1', key: 'k', headers, body });
    assert.equal(put({}).status, 200);
    assert.equal(store.get('b-1', 'k').contentType, 'binary/octet-stream');
    assert.equal(put({ 'x-amz-checksum-crc32': checksumOf('crc32', body) }).headers['x-amz-checksum-crc32'], checksumOf('crc32', body));
    assert.equal(put({ 'x-amz-checksum-sha256': checksumOf('sha1', body) }).code, 'BadDigest');
    assert.equal(put({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' }).code, 'InvalidRequest');
    assert.equal(put({ 'content-md5': require('node:crypto').createHash('md5').update(body).digest('base64') }).status, 200);
    assert.equal(put({ 'content-md5': 'AAAA' }).code, 'InvalidDigest');
    assert.equal(put({ 'content-md5': Buffer.alloc(16).toString('base64') }).code, 'BadDigest');
    assert.equal(putObject(store, { bucket: 'b-1', key: 'x'.repeat(1025), headers: {}, body }).code, 'KeyTooLongError');
  });

  it('answers GetObject with its headers, response overrides, and the missing key named', function () {
    const store = new ObjectStore({ buckets: ['b-1'] });
    putObject(store, { bucket: 'b-1', key: 'k', headers: { 'content-type': 'application/json', 'x-amz-meta-a': '1' }, body: Buffer.from('{}') });
    const got = getObject(store, { bucket: 'b-1', key: 'k', headers: {}, body: Buffer.alloc(0), query: new URLSearchParams('response-content-type=text/plain') }, false);
    assert.equal(got.headers['Content-Type'], 'text/plain');
    assert.equal(got.headers['x-amz-meta-a'], '1');
    assert.equal(got.headers['Content-Length'], 2);
    const missing = getObject(store, { bucket: 'b-1', key: 'nope', headers: {}, body: Buffer.alloc(0) }, true);
    assert.deepEqual([missing.code, missing.status, missing.fields.Key], ['NoSuchKey', 404, 'nope']);
  });

  it("parses path-style paths and credential scopes, and writes S3's XML error", function () {
    assert.deepEqual(parseS3Path('/b-1/a%20b/c'), { bucket: 'b-1', key: 'a b/c' });
    assert.deepEqual(parseS3Path('/b-1/'), { bucket: 'b-1' });
    assert.equal(parseS3Path('/'), undefined);
    assert.equal(scopeServiceOf('AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x'), 's3');
    assert.equal(scopeServiceOf(undefined), undefined);
    assert.equal(
      errorXml(s3Error('NoSuchKey', 'The specified key does not exist.', { Key: 'a<b>&' }), 'RID', '/b-1/k'),
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a&lt;b&gt;&amp;</Key><Resource>/b-1/k</Resource><RequestId>RID</RequestId></Error>',
    );
  });
});
