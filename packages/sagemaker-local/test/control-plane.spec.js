'use strict';
// The SageMaker control plane of sagemaker-local (run `npm run build` first): ListEndpoints, DescribeEndpoint,
// DescribeEndpointConfig and ListInferenceComponents over awsJson1_1 on the server's own port, driven by the real
// @aws-sdk/client-sagemaker, with its signature checks, its errors as the SDK names them, and a key pair's `deny`.
const assert = require('node:assert/strict');
const http = require('node:http');
const {
  SageMakerClient,
  ListEndpointsCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListInferenceComponentsCommand,
  paginateListEndpoints,
  paginateListInferenceComponents,
} = require('@aws-sdk/client-sagemaker');
const { SageMakerRuntimeClient, InvokeEndpointCommand, InvokeEndpointWithResponseStreamCommand, InvokeEndpointAsyncCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { SignatureV4 } = require('@smithy/signature-v4');
const { HttpRequest } = require('@smithy/core/protocols');
const { failure, startLocal } = require('./local');
const { openBidi, Sha256 } = require('./bidi-client');

const KEY = { accessKeyId: 'AKIACONTROLTEST01', secretAccessKey: 'control-plane-secret/not+real' };
const DENIED = { accessKeyId: 'AKIACONTROLDENY02', secretAccessKey: 'denied-key-secret/not+real', deny: ['sagemaker:ListEndpoints', 'sagemaker:InvokeEndpoint'] };
const SECRETS = [KEY.secretAccessKey, DENIED.secretAccessKey];
const ACCOUNT = '123456789012';

function control(url, key = KEY, extra = {}) {
  return new SageMakerClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, maxAttempts: 1, ...extra });
}

async function all(paginator) {
  const pages = [];
  for await (const page of paginator) pages.push(page);
  return pages;
}

const names = (out) => out.Endpoints.map((e) => e.EndpointName);

describe('sagemaker-local control plane: ListEndpoints over many pages', function () {
  let ctx;
  let sm;
  // 25 endpoints e00..e24 in configuration order; e07 and e13 Failed, e20 Creating.
  const endpoints = {};
  for (let i = 0; i < 25; i++) {
    const name = `e${String(i).padStart(2, '0')}`;
    endpoints[name] = { model: 'demo', ...(i === 7 || i === 13 ? { status: 'Failed', failureReason: 'no capacity' } : i === 20 ? { status: 'Creating' } : {}) };
  }
  before(async () => {
    ctx = await startLocal({ port: 0, credentials: [KEY], endpoints });
    sm = control(ctx.local.url);
  });
  after(async () => {
    sm.destroy();
    await ctx.local.close();
  });

  it('pages through every endpoint 10 at a time (the default), newest first: the configuration order', async function () {
    const pages = await all(paginateListEndpoints({ client: sm }, {}));
    assert.deepEqual(pages.map((p) => p.Endpoints.length), [10, 10, 5]);
    assert.equal(pages[2].NextToken, undefined);
    assert.deepEqual(pages.flatMap(names), Object.keys(endpoints));
    const first = pages[0].Endpoints[0];
    assert.equal(first.EndpointArn, `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/e00`);
    assert.equal(first.EndpointStatus, 'InService');
    assert.ok(first.CreationTime instanceof Date && first.LastModifiedTime > first.CreationTime);
  });

  it('takes a page size, and sorts by name, creation time or status either way', async function () {
    const pages = await all(paginateListEndpoints({ client: sm, pageSize: 7 }, { SortBy: 'Name', SortOrder: 'Descending' }));
    assert.deepEqual(pages.map((p) => p.Endpoints.length), [7, 7, 7, 4]);
    assert.deepEqual(pages.flatMap(names), Object.keys(endpoints).reverse());
    const oldest = await sm.send(new ListEndpointsCommand({ SortBy: 'CreationTime', SortOrder: 'Ascending', MaxResults: 3 }));
    assert.deepEqual(names(oldest), ['e24', 'e23', 'e22']);
    const byStatus = await sm.send(new ListEndpointsCommand({ SortBy: 'Status', SortOrder: 'Ascending', MaxResults: 100 }));
    assert.deepEqual(names(byStatus).slice(0, 3), ['e20', 'e07', 'e13']); // Creating < Failed < InService, then by name
  });

  it('filters by NameContains (case-insensitive), StatusEquals and the four times', async function () {
    assert.deepEqual(names(await sm.send(new ListEndpointsCommand({ NameContains: 'E1', SortBy: 'Name', SortOrder: 'Ascending' }))), [
      'e10', 'e11', 'e12', 'e13', 'e14', 'e15', 'e16', 'e17', 'e18', 'e19',
    ]);
    assert.deepEqual(names(await sm.send(new ListEndpointsCommand({ StatusEquals: 'Failed' }))), ['e07', 'e13']);
    const all25 = (await sm.send(new ListEndpointsCommand({ MaxResults: 100 }))).Endpoints;
    const e05 = all25.find((e) => e.EndpointName === 'e05');
    const before = await sm.send(new ListEndpointsCommand({ CreationTimeBefore: e05.CreationTime, MaxResults: 100 }));
    assert.deepEqual(names(before), all25.slice(6).map((e) => e.EndpointName)); // strictly older than e05
    const after = await sm.send(new ListEndpointsCommand({ CreationTimeAfter: e05.CreationTime, MaxResults: 100 }));
    assert.deepEqual(names(after), ['e00', 'e01', 'e02', 'e03', 'e04', 'e05']); // e05 itself included
    const modifiedBefore = await sm.send(new ListEndpointsCommand({ LastModifiedTimeBefore: e05.LastModifiedTime, SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 3 }));
    assert.deepEqual(names(modifiedBefore), ['e06', 'e07', 'e08']);
    const modifiedAfter = await sm.send(new ListEndpointsCommand({ LastModifiedTimeAfter: e05.LastModifiedTime }));
    assert.deepEqual(names(modifiedAfter), ['e00', 'e01', 'e02', 'e03', 'e04', 'e05']);
    const filteredPages = await all(paginateListEndpoints({ client: sm, pageSize: 1 }, { StatusEquals: 'Failed' }));
    assert.deepEqual(filteredPages.flatMap(names), ['e07', 'e13']);
  });

  it('refuses a NextToken it did not make, or made for other filters, as ValidationException naming NextToken', async function () {
    let err = await failure(sm.send(new ListEndpointsCommand({ NextToken: 'not-a-token' })));
    assert.equal(err.name, 'ValidationException');
    assert.match(err.message, /NextToken is not valid/);
    assert.equal(err.$metadata.httpStatusCode, 400);
    const first = await sm.send(new ListEndpointsCommand({ MaxResults: 2 }));
    err = await failure(sm.send(new ListEndpointsCommand({ NextToken: first.NextToken, StatusEquals: 'Failed' })));
    assert.equal(err.name, 'ValidationException');
    // The same query with another page size goes on where it left off.
    const next = await sm.send(new ListEndpointsCommand({ NextToken: first.NextToken, MaxResults: 3 }));
    assert.deepEqual(names(next), ['e02', 'e03', 'e04']);
  });

  it('checks its input as the service does, every problem at once, naming each member and its rule', async function () {
    const err = await failure(sm.send(new ListEndpointsCommand({ MaxResults: 101, NameContains: 'a b', SortBy: 'Size', StatusEquals: 'Broken' })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(
      err.message,
      '4 validation errors detected: ' +
        "Value 'Size' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [Name, CreationTime, Status]; " +
        "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100; " +
        "Value 'a b' at 'nameContains' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-]+; " +
        "Value 'Broken' at 'statusEquals' failed to satisfy constraint: Member must satisfy enum value set: [InService, Creating, Updating, SystemUpdating, RollingBack, Deleting, Failed, UpdateRollbackFailed, OutOfService]",
    );
    const zero = await failure(sm.send(new ListEndpointsCommand({ MaxResults: 0 })));
    assert.match(zero.message, /^1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1$/);
  });

  it('logs one line per control-plane request with its operation, never a secret', async function () {
    ctx.lines.length = 0;
    await sm.send(new ListEndpointsCommand({ MaxResults: 1 }));
    await failure(sm.send(new ListEndpointsCommand({ NextToken: 'x' })));
    assert.equal(ctx.lines.length, 2);
    assert.match(ctx.lines[0], /^POST \/ SageMaker\.ListEndpoints 200 - \d+ms$/);
    assert.match(ctx.lines[1], /^POST \/ SageMaker\.ListEndpoints 400 ValidationException \d+ms$/);
  });
});

describe('sagemaker-local control plane: describing endpoints, configs and inference components', function () {
  let ctx;
  let sm;
  before(async () => {
    ctx = await startLocal({
      port: 0,
      region: 'eu-west-1',
      credentials: [KEY, DENIED],
      s3: { buckets: ['results'] },
      endpoints: {
        sync: { model: 'demo' },
        multi: {
          model: 'demo',
          variants: [
            { name: 'blue', instanceType: 'ml.g5.xlarge', instanceCount: 2 },
            { name: 'green', instanceType: 'ml.m5.large' },
          ],
          inferenceComponents: [
            { name: 'llm-a' },
            { name: 'llm-b', variant: 'green', status: 'Creating' },
          ],
        },
        queued: { model: 'demo', async: { outputPath: 's3://results/out/', failurePath: 's3://results/failures/', maxConcurrentInvocations: 2 } },
        lean: { model: 'demo', variants: [{ name: 'AllTraffic', serverless: { memorySizeInMB: 2048, maxConcurrency: 5 } }] },
        broken: { model: 'demo', status: 'Failed', failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' },
        other: { model: 'demo', inferenceComponents: [{ name: 'small-one', status: 'Failed' }] },
      },
    });
    sm = control(ctx.local.url, KEY, { region: 'eu-west-1' });
  });
  after(async () => {
    sm.destroy();
    await ctx.local.close();
  });

  it('describes a synchronous endpoint: InService, one AllTraffic variant on one instance, no async config', async function () {
    const out = await sm.send(new DescribeEndpointCommand({ EndpointName: 'sync' }));
    assert.equal(out.EndpointArn, `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/sync`);
    assert.equal(out.EndpointConfigName, 'sync');
    assert.equal(out.EndpointStatus, 'InService');
    assert.deepEqual(out.ProductionVariants, [{ VariantName: 'AllTraffic', CurrentWeight: 1, DesiredWeight: 1, CurrentInstanceCount: 1, DesiredInstanceCount: 1 }]);
    assert.equal(out.AsyncInferenceConfig, undefined);
    assert.equal(out.FailureReason, undefined);
    assert.ok(out.CreationTime instanceof Date);
  });

  it('describes an asynchronous endpoint with its output and failure paths', async function () {
    const out = await sm.send(new DescribeEndpointCommand({ EndpointName: 'queued' }));
    assert.deepEqual(out.AsyncInferenceConfig, {
      ClientConfig: { MaxConcurrentInvocationsPerInstance: 2 },
      OutputConfig: { S3OutputPath: 's3://results/out', S3FailurePath: 's3://results/failures' },
    });
    const config = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'queued' }));
    assert.deepEqual(config.AsyncInferenceConfig, out.AsyncInferenceConfig);
  });

  it('describes a serverless endpoint and its config', async function () {
    const out = await sm.send(new DescribeEndpointCommand({ EndpointName: 'lean' }));
    assert.deepEqual(out.ProductionVariants, [
      {
        VariantName: 'AllTraffic',
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
        DesiredServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
      },
    ]);
    const config = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'lean' }));
    assert.deepEqual(config.ProductionVariants, [{ VariantName: 'AllTraffic', ModelName: 'lean', InitialVariantWeight: 1, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }]);
  });

  it('describes a failed endpoint with its FailureReason', async function () {
    const out = await sm.send(new DescribeEndpointCommand({ EndpointName: 'broken' }));
    assert.equal(out.EndpointStatus, 'Failed');
    assert.match(out.FailureReason, /did not pass the ping health check/);
  });

  it('describes the endpoint config of an endpoint with two variants: instance types and counts', async function () {
    const out = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'multi' }));
    assert.equal(out.EndpointConfigArn, `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint-config/multi`);
    assert.deepEqual(out.ProductionVariants, [
      { VariantName: 'blue', ModelName: 'multi', InitialVariantWeight: 1, InitialInstanceCount: 2, InstanceType: 'ml.g5.xlarge' },
      { VariantName: 'green', ModelName: 'multi', InitialVariantWeight: 1, InitialInstanceCount: 1, InstanceType: 'ml.m5.large' },
    ]);
    assert.ok(out.CreationTime instanceof Date);
  });

  it('answers an unknown endpoint or config with the service\'s ValidationException', async function () {
    let err = await failure(sm.send(new DescribeEndpointCommand({ EndpointName: 'Nowhere' })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, `Could not find endpoint "arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/nowhere".`);
    err = await failure(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'nowhere' })));
    assert.equal(err.name, 'ValidationException');
    assert.equal(err.message, `Could not find endpoint configuration "arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint-config/nowhere".`);
    err = await failure(sm.send(new DescribeEndpointCommand({ EndpointName: 'bad_name' })));
    assert.match(err.message, /^1 validation error detected: Value 'bad_name' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  });

  it("lists an endpoint's inference components with EndpointNameEquals, and filters them", async function () {
    const out = await sm.send(new ListInferenceComponentsCommand({ EndpointNameEquals: 'multi', SortBy: 'Name', SortOrder: 'Ascending' }));
    assert.deepEqual(
      out.InferenceComponents.map((c) => [c.InferenceComponentName, c.VariantName, c.InferenceComponentStatus, c.EndpointName]),
      [
        ['llm-a', 'blue', 'InService', 'multi'],
        ['llm-b', 'green', 'Creating', 'multi'],
      ],
    );
    const c = out.InferenceComponents[0];
    assert.equal(c.InferenceComponentArn, `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:inference-component/llm-a`);
    assert.equal(c.EndpointArn, `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/multi`);
    assert.ok(c.CreationTime instanceof Date && c.LastModifiedTime instanceof Date);
    const none = await sm.send(new ListInferenceComponentsCommand({ EndpointNameEquals: 'sync' }));
    assert.deepEqual(none.InferenceComponents, []);
    const failed = await sm.send(new ListInferenceComponentsCommand({ StatusEquals: 'Failed' }));
    assert.deepEqual(failed.InferenceComponents.map((x) => x.InferenceComponentName), ['small-one']);
    const green = await sm.send(new ListInferenceComponentsCommand({ VariantNameEquals: 'green', NameContains: 'LLM' }));
    assert.deepEqual(green.InferenceComponents.map((x) => x.InferenceComponentName), ['llm-b']);
    const pages = await all(paginateListInferenceComponents({ client: sm, pageSize: 1 }, {}));
    assert.deepEqual(pages.flatMap((p) => p.InferenceComponents.map((x) => x.InferenceComponentName)), ['llm-b', 'llm-a', 'small-one']);
  });

  it('answers an operation it does not serve with UnknownOperationException (a raw signed awsJson1_1 request)', async function () {
    const target = new URL(ctx.local.url);
    const signer = new SignatureV4({ service: 'sagemaker', region: 'eu-west-1', sha256: Sha256, credentials: KEY });
    const body = JSON.stringify({ EndpointName: 'x', EndpointConfigName: 'y' });
    const signed = await signer.sign(
      new HttpRequest({
        protocol: 'http:',
        hostname: target.hostname,
        port: Number(target.port),
        method: 'POST',
        path: '/',
        headers: { host: target.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.CreateEndpoint', 'content-length': String(Buffer.byteLength(body)) },
        body,
      }),
    );
    const res = await new Promise((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, method: 'POST', path: '/', headers: signed.headers }, (r) => {
        const chunks = [];
        r.on('data', (d) => chunks.push(d));
        r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'UnknownOperationException');
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
    assert.equal(res.body.__type, 'UnknownOperationException');
    assert.equal(typeof res.body.message, 'string');
    const record = ctx.local.server.requests.at(-1);
    assert.deepEqual([record.verified, record.target], [true, 'SageMaker.CreateEndpoint']);
  });

  it('refuses a request signed with the wrong secret, or for another region', async function () {
    const wrong = control(ctx.local.url, { accessKeyId: KEY.accessKeyId, secretAccessKey: 'not-the-secret' }, { region: 'eu-west-1' });
    let err = await failure(wrong.send(new ListEndpointsCommand({})));
    wrong.destroy();
    assert.equal(err.name, 'InvalidSignatureException');
    const unknown = control(ctx.local.url, { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' }, { region: 'eu-west-1' });
    err = await failure(unknown.send(new ListEndpointsCommand({})));
    unknown.destroy();
    assert.equal(err.name, 'UnrecognizedClientException');
    const elsewhere = control(ctx.local.url, KEY, { region: 'us-east-1' });
    err = await failure(elsewhere.send(new DescribeEndpointCommand({ EndpointName: 'sync' })));
    elsewhere.destroy();
    assert.equal(err.name, 'InvalidSignatureException');
    for (const line of ctx.lines) for (const secret of SECRETS) assert.ok(!line.includes(secret));
  });

  it("refuses a key pair exactly the actions its deny lists, in the service's words, and lets the rest through", async function () {
    const denied = control(ctx.local.url, DENIED, { region: 'eu-west-1' });
    try {
      const err = await failure(denied.send(new ListEndpointsCommand({})));
      assert.equal(err.name, 'AccessDeniedException');
      assert.equal(
        err.message,
        `User: arn:aws:iam::${ACCOUNT}:user/sagemaker-local is not authorized to perform: sagemaker:ListEndpoints on resource: arn:aws:sagemaker:eu-west-1:${ACCOUNT}:* because no identity-based policy allows the sagemaker:ListEndpoints action`,
      );
      assert.equal(err.$metadata.httpStatusCode, 400);
      const described = await denied.send(new DescribeEndpointCommand({ EndpointName: 'sync' }));
      assert.equal(described.EndpointStatus, 'InService');
      await denied.send(new ListInferenceComponentsCommand({ EndpointNameEquals: 'multi' }));
      for (const secret of SECRETS) assert.ok(!err.message.includes(secret));
    } finally {
      denied.destroy();
    }
  });

  it('applies deny to the runtime operations too: InvokeEndpoint refused, the response stream allowed', async function () {
    const rt = new SageMakerRuntimeClient({ region: 'eu-west-1', endpoint: ctx.local.url, credentials: { accessKeyId: DENIED.accessKeyId, secretAccessKey: DENIED.secretAccessKey }, maxAttempts: 1 });
    try {
      const err = await failure(rt.send(new InvokeEndpointCommand({ EndpointName: 'sync', Body: '[1]', ContentType: 'application/json' })));
      assert.equal(err.name, 'AccessDeniedException');
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.match(err.message, new RegExp(`perform: sagemaker:InvokeEndpoint on resource: arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/sync because`));
      const streamed = await rt.send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: 'sync', Body: '[1]', ContentType: 'application/json' }));
      for await (const _ of streamed.Body) void _;
    } finally {
      rt.destroy();
    }
  });
});

describe('sagemaker-local: deny on the async and bidirectional operations', function () {
  let ctx;
  const ASYNC_DENIED = { accessKeyId: 'AKIAASYNCDENY003', secretAccessKey: 'async-deny-secret', deny: ['sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithBidirectionalStream'] };
  before(async () => {
    ctx = await startLocal({ port: 0, credentials: [KEY, ASYNC_DENIED], endpoints: { ep: { model: 'demo' } } });
  });
  after(async () => ctx.local.close());

  it('refuses InvokeEndpointAsync and a bidirectional stream to the key that denies them, as AccessDeniedException', async function () {
    const rt = new SageMakerRuntimeClient({ region: 'us-east-1', endpoint: ctx.local.url, credentials: ASYNC_DENIED, maxAttempts: 1 });
    try {
      const err = await failure(rt.send(new InvokeEndpointAsyncCommand({ EndpointName: 'ep', InputLocation: 's3://b/in.json' })));
      assert.equal(err.name, 'AccessDeniedException');
      assert.match(err.message, /sagemaker:InvokeEndpointAsync on resource: arn:aws:sagemaker:us-east-1:123456789012:endpoint\/ep/);
      await rt.send(new InvokeEndpointCommand({ EndpointName: 'ep', Body: '[1]', ContentType: 'application/json' }));
    } finally {
      rt.destroy();
    }
    const c = await openBidi(ctx.local.bidiUrl, 'ep', { credentials: { accessKeyId: ASYNC_DENIED.accessKeyId, secretAccessKey: ASYNC_DENIED.secretAccessKey } });
    const { status, headers, body } = await c.response;
    c.close();
    assert.deepEqual([status, headers['x-amzn-errortype']], [403, 'AccessDeniedException']);
    assert.match(body.message, /sagemaker:InvokeEndpointWithBidirectionalStream on resource: arn:aws:sagemaker:us-east-1:123456789012:endpoint\/ep/);
  });
});
