'use strict';
// S3 locations, upload names, what an S3 error means for a waiting message, a message's async settings, and the S3
// client's configuration (the SageMaker client's credentials, path-style for a set endpoint).
const assert = require('node:assert/strict');
const { parseS3Location, uploadLocation, extensionFor, formatS3Uri } = require('../../dist/invoke/async/s3-location');
const { classifyS3Error } = require('../../dist/invoke/async/s3-objects');
const { resolveInputS3Uri, resolveWaitTime } = require('../../dist/invoke/async/wait-settings');
const { resolveInvokeSettings } = require('../../dist/shared/invoke-settings');
const { s3ClientConfig } = require('../../dist/config/s3-client');
const { resolveClientSettings } = require('../../dist/config/client-config');

const LOC = { bucket: 'b', key: 'out/1.out' };
const s3Error = (name, status, extra = {}) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('async: S3 locations', function () {
  it('reads s3:// URIs and https URLs in both addressing styles', function () {
    assert.deepEqual(parseS3Location('s3://bucket/a/b.out'), { bucket: 'bucket', key: 'a/b.out' });
    assert.deepEqual(parseS3Location('https://bucket.s3.eu-west-1.amazonaws.com/a/b%20c.out'), { bucket: 'bucket', key: 'a/b c.out' });
    assert.deepEqual(parseS3Location('https://s3.eu-west-1.amazonaws.com/bucket/a.out'), { bucket: 'bucket', key: 'a.out' });
    assert.equal(parseS3Location('s3://bucket'), undefined);
    assert.equal(parseS3Location('not a uri'), undefined);
    assert.equal(formatS3Uri(LOC), 's3://b/out/1.out');
  });

  it('names an upload from the prefix, the inference id and the content type', function () {
    assert.deepEqual(uploadLocation('s3://in/node-red/', 'id-1', 'application/json; charset=utf-8'), { bucket: 'in', key: 'node-red/id-1.json' });
    assert.deepEqual(uploadLocation('s3://in', 'a b/c', 'text/csv'), { bucket: 'in', key: 'a_b_c.csv' });
    assert.deepEqual(['image/jpeg', 'application/vnd.x+json', 'application/jsonlines', 'weird/type', undefined].map(extensionFor), ['.jpg', '.json', '.jsonl', '.bin', '.bin']);
  });
});

describe('async: what an S3 error means', function () {
  it('404 and NoSuchKey: not there yet', function () {
    assert.deepEqual(classifyS3Error(s3Error('NoSuchKey', 404), LOC), { kind: 'missing' });
    assert.deepEqual(classifyS3Error(s3Error('NotFound', 404), LOC), { kind: 'missing' });
  });
  it('throttling, 5xx, a network failure or a timeout: retried at the next check', function () {
    for (const e of [s3Error('SlowDown', 503), s3Error('InternalError', 500), s3Error('TooManyRequests', 429), Object.assign(new Error('x'), { code: 'ECONNRESET' }), s3Error('TimeoutError')]) {
      assert.equal(classifyS3Error(e, LOC).kind, 'retry', e.name);
    }
  });
  it('access denied (403), a missing bucket, another 4xx, an abort: fatal, named', function () {
    const denied = classifyS3Error(s3Error('AccessDenied', 403), LOC);
    assert.equal(denied.kind, 'fatal');
    assert.deepEqual([denied.problem.name, denied.problem.key, denied.problem.location], ['AccessDeniedException', 's3AccessDenied', 's3://b/out/1.out']);
    assert.equal(classifyS3Error(s3Error('InvalidAccessKeyId', 403), LOC).problem.name, 'AccessDeniedException');
    assert.equal(classifyS3Error(s3Error('NoSuchBucket', 404), LOC).problem.name, 'NoSuchBucket');
    assert.equal(classifyS3Error(s3Error('PermanentRedirect', 301), LOC).problem.name, 'S3Error');
    assert.equal(classifyS3Error(s3Error('InvalidRequest', 400), LOC).problem.name, 'S3Error');
    assert.equal(classifyS3Error(s3Error('AbortError'), LOC).problem.name, 'AbortError');
  });
});

describe('async: a message\'s upload prefix and wait', function () {
  const settings = (def = {}) => resolveInvokeSettings({ mode: 'async', asyncResult: 'wait', ...def });
  it('the node\'s value wins over the msg\'s (reported), a blank one is filled from the msg (checked)', function () {
    const over = [];
    assert.equal(resolveInputS3Uri(settings({ inputS3Uri: 's3://aaa/p/' }), { inputS3Uri: 's3://bbb/' }, over), 's3://aaa/p/');
    assert.deepEqual(over, ['inputS3Uri']);
    assert.equal(resolveInputS3Uri(settings(), { inputS3Uri: 's3://bbb/x/' }, []), 's3://bbb/x/');
    assert.equal(resolveInputS3Uri(settings(), {}, []), undefined);
    assert.throws(() => resolveInputS3Uri(settings(), { inputS3Uri: 's3://bbb/no-slash' }, []), (e) => e.params.field === 'msg.inputS3Uri');
    assert.throws(() => resolveInputS3Uri(settings(), { inputS3Uri: 42 }, []), (e) => e.params.field === 'msg.inputS3Uri');
  });
  it('asyncTimeout (node, else msg) in seconds; blank: the request\'s TTL + job timeout, the service\'s defaults when unset', function () {
    assert.deepEqual(resolveWaitTime(settings({ asyncTimeout: '30' }), { asyncTimeout: 5 }, {}, []), { waitMs: 30000, waitFrom: 'asyncTimeout' });
    assert.deepEqual(resolveWaitTime(settings(), { asyncTimeout: '5' }, {}, []), { waitMs: 5000, waitFrom: 'msg.asyncTimeout' });
    assert.equal(resolveWaitTime(settings(), {}, {}, []).waitMs, (21600 + 900) * 1000);
    assert.equal(resolveWaitTime(settings(), {}, { RequestTTLSeconds: 60, InvocationTimeoutSeconds: 10 }, []).waitMs, 70000);
    assert.throws(() => resolveWaitTime(settings(), { asyncTimeout: 0 }, {}, []), /./);
  });
  it('the node\'s own async settings are checked when the flow starts', function () {
    const key = (def) => {
      const r = resolveInvokeSettings({ mode: 'async', ...def });
      return r.key ? `${r.key}:${r.params.field}` : 'ok';
    };
    assert.equal(key({ asyncResult: 'poll' }), 'invalidField:asyncResult');
    assert.equal(key({ asyncTimeout: '1.5' }), 'invalidField:asyncTimeout');
    assert.equal(key({ inputS3Uri: 'https://b/p/' }), 'invalidField:inputS3Uri');
    assert.equal(key({ maxWaiting: '0' }), 'invalidField:maxWaiting');
    assert.equal(key({ asyncResult: 'wait', asyncTimeout: '600', inputS3Uri: 's3://my-bucket/in/', maxWaiting: '5' }), 'ok');
    assert.equal(resolveInvokeSettings({}).asyncResult, 'location', 'a node saved before asyncResult existed keeps its behaviour');
  });
});

describe('async: the S3 client configuration', function () {
  const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  const credentials = async () => keys;
  it('uses the SageMaker client\'s credentials provider, region, retries; a set endpoint path-style', function () {
    const settings = resolveClientSettings({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:1', s3EndpointUrl: 'http://127.0.0.1:2', maxAttempts: '5' }, keys);
    const config = s3ClientConfig(settings, keys, {}, { config: { credentials } });
    assert.equal(config.credentials, credentials);
    assert.equal(config.region, 'eu-west-1');
    assert.equal(config.maxAttempts, 5);
    assert.equal(config.endpoint, 'http://127.0.0.1:2');
    assert.equal(config.forcePathStyle, true);
    assert.ok(config.requestHandler);
  });
  it('without an S3 endpoint: the regional one, never the SageMaker endpoint URL', function () {
    const settings = resolveClientSettings({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:1' }, keys);
    const config = s3ClientConfig(settings, keys, {}, { config: { credentials } });
    assert.equal(config.endpoint, undefined);
    assert.equal(config.forcePathStyle, undefined);
  });
});
