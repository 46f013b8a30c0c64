'use strict';
// The local endpoint server (`sagemaker-local`) as users run it: startLocalServer() from a configuration, driven by
// the real AWS SDK client over HTTP. Each route kind: the built-in demo model, a model container process started by
// the test (src/test-servers/model-container.ts), a container that is not ready or down, and throttling.
const assert = require('node:assert/strict');
const {
  SageMakerRuntimeClient,
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  InvokeEndpointAsyncCommand,
} = require('@aws-sdk/client-sagemaker-runtime');
const { failure, startLocal, startContainer, stopContainer } = require('./local');
const { RunningStats, AnomalyScorer, TokenBucket, parseReadings } = require('../dist');

const { parseCsv } = require('../dist/models/csv');
const KEY = { accessKeyId: 'AKIALOCALTEST0001', secretAccessKey: 'local-test-secret/not+real' };
const text = (bytes) => Buffer.from(bytes).toString('utf8');

function client(url, extra = {}) {
  return new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: url, credentials: { ...KEY }, maxAttempts: 1, ...extra });
}

async function start(endpoints, extra = {}) {
  const { local, lines } = await startLocal({ port: 0, credentials: [KEY], endpoints }, extra);
  return { local, lines, sm: client(local.url) };
}

describe('local endpoint server: the built-in demo model', function () {
  let ctx;
  beforeEach(async () => {
    ctx = await start({ sensors: { model: 'demo' } });
  });
  afterEach(async () => {
    ctx.sm.destroy();
    await ctx.local.close();
  });

  const invoke = (body, input = {}) =>
    ctx.sm.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: Buffer.from(body), ContentType: 'application/json', ...input }));

  it('scores each reading against the running mean and deviation of its series, and flags a spike', async function () {
    const values = [20, 21, 22, 21, 20, 22];
    for (const value of values) await invoke(JSON.stringify({ series: 'pump-1', value }));
    const other = JSON.parse(text((await invoke(JSON.stringify({ series: 'pump-2', value: 99 }))).Body));
    assert.deepEqual(other, { series: 'pump-2', value: 99, count: 0, mean: null, stdDev: null, zScore: null, anomaly: false });

    const normal = await invoke(JSON.stringify({ series: 'pump-1', value: 21.5 }));
    assert.equal(normal.ContentType, 'application/json');
    assert.equal(normal.InvokedProductionVariant, 'AllTraffic');
    const n = JSON.parse(text(normal.Body));
    const mean = values.reduce((a, b) => a + b) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    assert.equal(n.count, 6);
    assert.ok(Math.abs(n.mean - mean) < 1e-6 && Math.abs(n.stdDev - sd) < 1e-6);
    assert.ok(Math.abs(n.zScore - (21.5 - mean) / sd) < 1e-5);
    assert.equal(n.anomaly, false);

    const spike = JSON.parse(text((await invoke(JSON.stringify({ series: 'pump-1', value: 35 }))).Body));
    assert.equal(spike.count, 7);
    assert.ok(spike.zScore > 3);
    assert.equal(spike.anomaly, true);
  });

  it('answers a list with a list, CSV with CSV, and honours Accept', async function () {
    const list = JSON.parse(text((await invoke(JSON.stringify([1, { series: 's', value: 2 }]))).Body));
    assert.deepEqual(list.map((s) => [s.series, s.value]), [['default', 1], ['s', 2]]);

    const csv = await invoke('series,value\na,1\na,3\n5\n', { ContentType: 'text/csv' });
    assert.equal(csv.ContentType, 'text/csv');
    assert.equal(text(csv.Body), 'a,1,0,,,,false\na,3,1,1,,,false\ndefault,5,1,1,,,false\n');

    const lines = await invoke('a,5', { ContentType: 'text/csv', Accept: 'application/jsonlines' });
    assert.equal(lines.ContentType, 'application/jsonlines');
    assert.deepEqual(JSON.parse(text(lines.Body)), { series: 'a', value: 5, count: 2, mean: 2, stdDev: 1.414214, zScore: 2.12132, anomaly: false });

    const asCsv = await invoke('{"value": 1}', { Accept: 'text/csv, application/json' });
    assert.equal(text(asCsv.Body), 'default,1,2,3,2.828427,-0.707107,false\n');
  });

  it('reads the Quick start\'s {"temperature": 21.5}: one numeric property is a reading of the series of that name', async function () {
    const first = JSON.parse(text((await invoke('{"temperature": 21.5}')).Body));
    assert.deepEqual(first, { series: 'temperature', value: 21.5, count: 0, mean: null, stdDev: null, zScore: null, anomaly: false });
    const second = JSON.parse(text((await invoke('[{"temperature": 22.5}, {"humidity": 40}]')).Body));
    assert.deepEqual(second.map((s) => [s.series, s.value, s.count]), [['temperature', 22.5, 1], ['humidity', 40, 0]]);
    // Not a reading: two properties, or one that is not a number.
    assert.match((await failure(invoke('{"temperature": 21.5, "humidity": 40}'))).OriginalMessage, /reading\.value must be a finite number/);
    assert.match((await failure(invoke('{"temperature": "warm"}'))).OriginalMessage, /reading\.value must be a finite number/);
  });

  it("reports a reading it cannot take as the container's 400 inside a ModelError, naming the field", async function () {
    const err = await failure(invoke(JSON.stringify({ series: 'pump-1', value: 'hot' })));
    assert.equal(err.name, 'ModelError');
    assert.equal(err.$metadata.httpStatusCode, 424);
    assert.equal(err.OriginalStatusCode, 400);
    assert.match(err.OriginalMessage, /reading\.value must be a finite number \(got "hot"\)/);
    assert.match(err.message, /^Received client error \(400\) from primary with message "reading\.value/);

    const notCsv = await failure(invoke('a,b,c,1', { ContentType: 'text/csv' }));
    assert.match(notCsv.OriginalMessage, /row 1 has 4 columns/);
    const accept = await failure(invoke('1', { Accept: 'image/png' }));
    assert.equal(accept.OriginalStatusCode, 406);
    const type = await failure(invoke('1', { ContentType: 'application/x-protobuf' }));
    assert.equal(type.OriginalStatusCode, 415);
  });

  it('streams its answer one part per reading, the same bytes InvokeEndpoint answers', async function () {
    const res = await ctx.sm.send(
      new InvokeEndpointWithResponseStreamCommand({
        EndpointName: 'sensors',
        Body: Buffer.from(JSON.stringify([{ value: 1 }, { value: 2 }, { value: 3 }])),
        ContentType: 'application/json',
      }),
    );
    assert.equal(res.ContentType, 'application/json');
    const parts = [];
    for await (const event of res.Body) parts.push(text(event.PayloadPart.Bytes));
    assert.equal(parts.length, 3);
    assert.deepEqual(JSON.parse(parts.join('')).map((s) => s.count), [0, 1, 2]);
  });

  it('accepts an async invocation and scores its inline input (its output has no S3 to go to)', async function () {
    const res = await ctx.sm.send(
      new InvokeEndpointAsyncCommand({ EndpointName: 'sensors', Body: Buffer.from('{"series": "a", "value": 4}'), ContentType: 'application/json', InferenceId: 'inf-1' }),
    );
    assert.equal(res.InferenceId, 'inf-1');
    assert.match(res.OutputLocation, /^s3:\/\/.+\/inf-1\.out$/);
    const after = JSON.parse(text((await invoke('{"series": "a", "value": 6}')).Body));
    assert.equal(after.count, 1, 'the async reading joined its series');
    assert.equal(after.mean, 4);
    const fromS3 = await ctx.sm.send(new InvokeEndpointAsyncCommand({ EndpointName: 'sensors', InputLocation: 's3://bucket/in.json' }));
    assert.match(fromS3.FailureLocation, /^s3:\/\//);
  });

  it('logs one line per request, without a secret', async function () {
    await invoke('1');
    await failure(ctx.sm.send(new InvokeEndpointCommand({ EndpointName: 'nope', Body: Buffer.from('1') })));
    const lines = ctx.lines.filter((l) => l.startsWith('POST '));
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^POST \/endpoints\/sensors\/invocations 200 - \d+ms$/);
    assert.match(lines[1], /^POST \/endpoints\/nope\/invocations 400 ValidationError \d+ms$/);
    assert.ok(!ctx.lines.join('\n').includes(KEY.secretAccessKey));
  });

  it('checks signatures against its keys', async function () {
    const wrong = client(ctx.local.url, { credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: 'not-the-secret' } });
    const err = await failure(wrong.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: Buffer.from('1') })));
    assert.equal(err.name, 'InvalidSignatureException');
    wrong.destroy();
  });
});

describe("local endpoint server: a demo endpoint's delayMs slows every call", function () {
  this.timeout(20000);
  const DELAY = 250;
  let ctx;
  before(async function () {
    ctx = await start({ slow: { model: 'demo', delayMs: DELAY }, slower: { model: 'demo', delayMs: 8 * DELAY }, quick: { model: 'demo' } });
  });
  after(async function () {
    ctx.sm.destroy();
    await ctx.local.close();
  });

  it('answers InvokeEndpoint no sooner than delayMs after the call', async function () {
    const started = Date.now();
    const res = await ctx.sm.send(new InvokeEndpointCommand({ EndpointName: 'slow', Body: Buffer.from('21.5'), ContentType: 'application/json' }));
    assert.ok(Date.now() - started >= DELAY, `answered after ${Date.now() - started} ms`);
    assert.equal(JSON.parse(text(res.Body)).value, 21.5);
  });

  it('sends each response stream part delayMs after the one before', async function () {
    const started = Date.now();
    const res = await ctx.sm.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'slow', Body: Buffer.from('[1, 2, 3]'), ContentType: 'application/json' }));
    const times = [];
    for await (const event of res.Body) if (event.PayloadPart) times.push(Date.now() - started);
    assert.equal(times.length, 3);
    assert.ok(times[0] >= DELAY && times[2] - times[0] >= 2 * DELAY - 20, `parts at ${times.join(', ')} ms`);
  });

  it('accepts InvokeEndpointAsync, and leaves other endpoints unslowed: a slow call does not hold up a quick one', async function () {
    const slow = ctx.sm.send(new InvokeEndpointCommand({ EndpointName: 'slower', Body: Buffer.from('1'), ContentType: 'application/json' }));
    let slowDone = false;
    slow.then(() => (slowDone = true), () => (slowDone = true));
    await ctx.sm.send(new InvokeEndpointCommand({ EndpointName: 'quick', Body: Buffer.from('1'), ContentType: 'application/json' }));
    const accepted = await ctx.sm.send(new InvokeEndpointAsyncCommand({ EndpointName: 'slower', Body: Buffer.from('1'), ContentType: 'application/json' }));
    assert.match(accepted.OutputLocation, /^s3:\/\//);
    assert.equal(slowDone, false, 'the quick endpoint and the async acceptance answered while the slow call still waited');
    await slow;
  });
});

describe('demo model statistics', function () {
  it("RunningStats matches the two-pass mean and sample deviation (Welford's algorithm)", function () {
    const values = [3.2, -1, 7.5, 7.5, 0.001, 12, 4];
    const stats = new RunningStats();
    values.forEach((v) => stats.add(v));
    const mean = values.reduce((a, b) => a + b) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    assert.ok(Math.abs(stats.mean - mean) < 1e-12);
    assert.ok(Math.abs(stats.stdDev - sd) < 1e-12);
  });

  it('keeps at most maxSeries series, forgetting the least recently used', function () {
    const scorer = new AnomalyScorer({ maxSeries: 2 });
    scorer.score({ series: 'a', value: 1 });
    scorer.score({ series: 'b', value: 1 });
    scorer.score({ series: 'a', value: 2 });
    scorer.score({ series: 'c', value: 1 }); // forgets b
    assert.equal(scorer.seriesCount, 2);
    assert.equal(scorer.score({ series: 'b', value: 1 }).count, 0);
    assert.equal(scorer.score({ series: 'c', value: 1 }).count, 1);
  });

  it('needs minHistory readings before it calls anything an anomaly', function () {
    const scorer = new AnomalyScorer({ minHistory: 5 });
    [1, 2, 1].forEach((value) => scorer.score({ series: 's', value }));
    const early = scorer.score({ series: 's', value: 100 });
    assert.ok(early.zScore > 3);
    assert.equal(early.anomaly, false);
  });

  it('names the reading and field it cannot parse', function () {
    assert.throws(() => parseReadings(Buffer.from('[{"value": 1}, {"series": "", "value": 2}]'), 'json'), /reading\[1\]\.series must be a text/);
    assert.throws(() => parseReadings(Buffer.from('{"value": 1}\nnope'), 'jsonlines'), /line 2 is not valid JSON/);
    assert.throws(() => parseReadings(Buffer.from(''), 'csv'), /no readings/);
  });
});

describe('local endpoint server: the demo model takes any body up to the 6 MB limit', function () {
  this.timeout(120000);
  const LIMIT = 6 * 1024 * 1024;
  /** A body of `unit` repeated to just under the limit, between `head` and `tail`. */
  const fill = (unit, head = '', tail = '') => {
    const n = Math.floor((LIMIT - head.length - tail.length) / unit.length);
    return { body: Buffer.from(head + unit.repeat(n) + tail), n };
  };

  it('reads every reading of a 6 MB body in each format: JSON list, JSON Lines, CSV (3 million readings)', function () {
    const json = fill('1,', '[', '1]');
    const jsonlines = fill('1\n');
    const csv = fill('1\n');
    for (const [format, { body, n }, count] of [['json', json, json.n + 1], ['jsonlines', jsonlines, jsonlines.n], ['csv', csv, csv.n]]) {
      assert.ok(body.length <= LIMIT && body.length > LIMIT - 8, `${format} body of ${body.length} bytes`);
      const { readings } = parseReadings(body, format);
      assert.equal(readings.length, count, format);
      assert.deepEqual(readings[readings.length - 1], { series: 'default', value: 1 });
      void n;
    }
  });

  it('answers a CSV body of 200,000 rows over the wire (more than the 125,000 a spread into one call could take)', async function () {
    const { local, sm } = await start({ sensors: { model: 'demo' } });
    try {
      const rows = 200000;
      const body = Buffer.from(Array.from({ length: rows }, (_, i) => `s${i % 7},${(i % 13) + 0.5}\n`).join(''));
      const res = await sm.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: body, ContentType: 'text/csv' }));
      const lines = text(res.Body).split('\n');
      assert.equal(lines.length, rows + 1, 'one answer row per reading, each ended by a line break');
      assert.match(lines[rows - 1], /^s2,7\.5,28571,/);
      // The server is free for the next call.
      const next = await sm.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: '1', ContentType: 'application/json' }));
      assert.equal(JSON.parse(text(next.Body)).value, 1);
    } finally {
      sm.destroy();
      await local.close();
    }
  });
});

describe('local endpoint server: the demo model reads CSV as RFC 4180 writes it', function () {
  const rows = (text) => parseCsv(text).map((r) => r.fields);

  it('splits plain fields and records, by LF, CRLF or CR, and skips blank lines', function () {
    assert.deepEqual(rows('a,1\nb,2\r\nc,3\rd,4\n\n\r\n'), [['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']]);
    assert.deepEqual(rows(''), []);
    assert.deepEqual(rows('a,,\n'), [['a', '', '']], 'empty fields are fields');
  });

  it('reads quoted fields: commas, doubled quotes, line breaks (LF and CRLF) and empty quotes', function () {
    assert.deepEqual(rows('"c,1",5'), [['c,1', '5']]);
    assert.deepEqual(rows('"say ""hi""",6\n'), [['say "hi"', '6']]);
    assert.deepEqual(rows('"two\nlines",7\r\n"three\r\nlines",8'), [['two\nlines', '7'], ['three\r\nlines', '8']]);
    assert.deepEqual(rows('"",9'), [['', '9']]);
    assert.deepEqual(rows('"",9\n\n'), [['', '9']]);
    assert.deepEqual(parseCsv('a,1\n"x\ny",2\nb,3').map((r) => r.line), [1, 2, 4], 'each record knows the line it starts on');
  });

  it('refuses a quote never closed, text after a closing quote and a quote inside an unquoted field, naming the line', function () {
    assert.throws(() => parseCsv('a,1\n"open,2\n'), /the quoted field of the row that starts on line 2 is never closed/);
    assert.throws(() => parseCsv('a,1\n"two\nlines",2\n"open,3'), /the row that starts on line 4 is never closed/);
    assert.throws(() => parseCsv('a,1\n"x"y,2'), /line 2: text after the closing quote/);
    assert.throws(() => parseCsv('a,1\nb"c,2'), /line 2: a quote inside a field that does not start with one/);
  });

  it('answers a quoted series over the wire, and quotes it back the same way', async function () {
    const { local, sm } = await start({ sensors: { model: 'demo' } });
    try {
      const body = Buffer.from('"c,1",5\n"c,1",7\n');
      const res = await sm.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: body, ContentType: 'text/csv' }));
      assert.equal(text(res.Body), '"c,1",5,0,,,,false\n"c,1",7,1,5,,,false\n');
      assert.deepEqual(parseCsv(text(res.Body)).map((r) => r.fields[0]), ['c,1', 'c,1']);
      const bad = await failure(sm.send(new InvokeEndpointCommand({ EndpointName: 'sensors', Body: Buffer.from('"c,1,5'), ContentType: 'text/csv' })));
      assert.equal(bad.name, 'ModelError');
      assert.match(bad.OriginalMessage, /the body is not CSV: the quoted field of the row that starts on line 1 is never closed/);
    } finally {
      sm.destroy();
      await local.close();
    }
  });
});

describe('local endpoint server: throttling', function () {
  it('a token bucket lets a burst through, then the rate', function () {
    let now = 0;
    const bucket = new TokenBucket({ rate: 2, burst: 3, now: () => now });
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
    now += 500; // one token at 2 per second
    assert.deepEqual([bucket.take(), bucket.take()], [true, false]);
    now += 10_000; // never more than the burst
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  });

  it('answers ThrottlingException (400) past the rate, per endpoint, and the SDK retries it', async function () {
    const { local, sm } = await start({ slow: { model: 'demo', throttle: { rate: 0.001, burst: 2 } }, other: { model: 'demo' } });
    try {
      const call = (name, c = sm) => c.send(new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('1'), ContentType: 'application/json' }));
      await call('slow');
      await call('slow');
      const err = await failure(call('slow'));
      assert.equal(err.name, 'ThrottlingException');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.match(err.message, /Rate exceeded for endpoint slow/);
      await call('other'); // its own bucket

      const retrying = client(local.url, { maxAttempts: 2 });
      const again = await failure(call('slow', retrying));
      assert.equal(again.name, 'ThrottlingException');
      assert.equal(again.$metadata.attempts, 2, 'the SDK retried the throttled call');
      retrying.destroy();
    } finally {
      sm.destroy();
      await local.close();
    }
  });
});

describe('local endpoint server: a model container (SageMaker container contract)', function () {
  this.timeout(30000);
  let container;
  let ctx;
  afterEach(async () => {
    if (ctx) {
      ctx.sm.destroy();
      await ctx.local.close();
    }
    if (container) await stopContainer(container.child);
    ctx = undefined;
    container = undefined;
  });

  const call = (input) => ctx.sm.send(new InvokeEndpointCommand({ EndpointName: 'box', Body: Buffer.from('{"x":1}'), ContentType: 'application/json', ...input }));

  it('forwards the body and the headers SageMaker forwards, and nothing else', async function () {
    container = await startContainer();
    ctx = await start({ box: { container: container.url } });
    const res = await call({
      Accept: 'application/json',
      CustomAttributes: 'trace=1',
      TargetModel: 'model-a.tar.gz',
      TargetVariant: 'blue',
      InferenceId: 'inf-7',
      EnableExplanations: '`true`',
    });
    assert.equal(res.ContentType, 'application/json');
    assert.equal(res.CustomAttributes, 'answered=yes');
    assert.equal(res.InvokedProductionVariant, 'AllTraffic');
    const seen = JSON.parse(text(res.Body));
    assert.equal(seen.body, '{"x":1}');
    const forwarded = Object.keys(seen.headers).filter((h) => !['host', 'connection', 'content-length'].includes(h)).sort();
    assert.deepEqual(forwarded, [
      'accept', 'content-type', 'x-amzn-sagemaker-custom-attributes', 'x-amzn-sagemaker-inference-id',
      'x-amzn-sagemaker-target-model', 'x-amzn-sagemaker-target-variant',
    ]);
    assert.equal(seen.headers['x-amzn-sagemaker-target-model'], 'model-a.tar.gz');
    assert.equal(seen.headers['x-amzn-sagemaker-custom-attributes'], 'trace=1');
  });

  it("reports the container's error status as ModelError with OriginalStatusCode and OriginalMessage", async function () {
    container = await startContainer();
    ctx = await start({ box: { container: container.url } });
    for (const status of [400, 503]) {
      const err = await failure(call({ Accept: `application/x-status-${status}` }));
      assert.equal(err.name, 'ModelError');
      assert.equal(err.$metadata.httpStatusCode, 424);
      assert.equal(err.OriginalStatusCode, status);
      assert.equal(err.OriginalMessage, `container says ${status}`);
      assert.equal(err.message, `Received ${status < 500 ? 'client' : 'server'} error (${status}) from primary with message "container says ${status}".`);
    }
  });

  it('sends the container\'s chunked answer on as payload parts as they arrive', async function () {
    container = await startContainer();
    ctx = await start({ box: { container: container.url } });
    const res = await ctx.sm.send(
      new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'box', Body: Buffer.from('{}'), ContentType: 'application/json', Accept: 'application/x-chunks' }),
    );
    assert.equal(res.ContentType, 'text/plain');
    const events = res.Body[Symbol.asyncIterator]();
    const first = await events.next();
    // The container holds the rest back until told: the first part came through on its own.
    assert.equal(text(first.value.PayloadPart.Bytes), 'part-1\n');
    await fetch(`${container.url}/control/release`, { method: 'POST' });
    let rest = '';
    for (let e = await events.next(); !e.done; e = await events.next()) rest += text(e.value.PayloadPart.Bytes);
    assert.equal(rest, 'part-2\npart-3\n');
  });

  it('ends a stream the container breaks with ModelStreamError StreamBroken', async function () {
    container = await startContainer();
    ctx = await start({ box: { container: container.url } });
    const res = await ctx.sm.send(
      new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'box', Body: Buffer.from('{}'), ContentType: 'application/json', Accept: 'application/x-break' }),
    );
    const parts = [];
    const err = await failure((async () => {
      for await (const e of res.Body) parts.push(text(e.PayloadPart.Bytes));
    })());
    assert.deepEqual(parts, ['part-1\n']);
    assert.equal(err.name, 'ModelStreamError');
    assert.equal(err.ErrorCode, 'StreamBroken');
  });

  it('waits for GET /ping: ModelNotReadyException until the container is ready, then routes', async function () {
    container = await startContainer(['--not-ready']);
    ctx = await start({ box: { container: container.url } }, { pingIntervalMs: 0 });
    const err = await failure(call({}));
    assert.equal(err.name, 'ModelNotReadyException');
    assert.equal(err.$metadata.httpStatusCode, 429);
    assert.match(err.message, /has not answered GET \/ping with 200 yet/);
    assert.equal(ctx.local.containers.get('box').health, 'down');

    await fetch(`${container.url}/control/ready`, { method: 'POST' });
    const res = await call({});
    assert.equal(JSON.parse(text(res.Body)).body, '{"x":1}');
    assert.ok(ctx.lines.some((l) => /^box: container http:\/\/127\.0\.0\.1:\d+ is ready/.test(l)));
  });

  it('answers a container that went down as the service does: ModelError from the container with status 0', async function () {
    container = await startContainer();
    ctx = await start({ box: { container: container.url } }, { pingIntervalMs: 0 });
    await call({});
    await stopContainer(container.child);
    const err = await failure(call({}));
    assert.equal(err.name, 'ModelError');
    assert.equal(err.$metadata.httpStatusCode, 424);
    assert.equal(err.OriginalStatusCode, 0);
    assert.match(err.message, /^Received server error \(0\) from primary with message "Amazon SageMaker could not get a response from the box endpoint/);
  });

  it('times out a container that does not answer, as ModelError', async function () {
    container = await startContainer();
    ctx = await start({ box: { container: container.url, timeoutSeconds: 1 } });
    const err = await failure(call({ Accept: 'application/x-hang' }));
    assert.equal(err.name, 'ModelError');
    assert.equal(err.OriginalStatusCode, 0);
    assert.match(err.message, /Your invocation timed out while waiting for a response from container primary/);
  });
});
