'use strict';
// sagemaker-local's configuration of the control plane (run `npm run build` first): an endpoint's status,
// failureReason, variants and inferenceComponents, and a credential's deny: defaults, and every problem at once.
const assert = require('node:assert/strict');
const { validateConfig, ConfigError, endpointSettingsOf } = require('../dist');

const KEY = { accessKeyId: 'AKIACONFIGTEST01', secretAccessKey: 'config-test-secret' };

function problems(raw) {
  try {
    validateConfig(raw, 'cfg.json');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.problems;
  }
  throw new assert.AssertionError({ message: 'expected a ConfigError' });
}

describe('sagemaker-local configuration: the control plane', function () {
  it('keeps an endpoint without control settings as it was (the control plane fills InService and AllTraffic)', function () {
    const c = validateConfig({ credentials: [KEY], endpoints: { ep: { model: 'demo' } } });
    assert.deepEqual(c.endpoints.ep, { kind: 'demo' });
    assert.deepEqual(endpointSettingsOf(c.endpoints.ep), {});
  });

  it("reads status, failureReason, variants and inferenceComponents, filling a variant's and a component's defaults", function () {
    const c = validateConfig({
      credentials: [{ ...KEY, deny: ['sagemaker:ListEndpoints', 'sagemaker:InvokeEndpointAsync'] }],
      endpoints: {
        ep: {
          container: 'http://127.0.0.1:8080',
          status: 'UpdateRollbackFailed',
          failureReason: 'Rolled back.',
          variants: [{ name: 'a' }, { name: 'b', instanceType: 'ml.g5.xlarge', instanceCount: 3 }, { name: 'c', serverless: { memorySizeInMB: 3072, maxConcurrency: 20 } }],
          inferenceComponents: [{ name: 'one' }, { name: 'two', variant: 'b', status: 'Deleting' }],
        },
      },
    });
    assert.deepEqual(c.credentials[0].deny, ['sagemaker:ListEndpoints', 'sagemaker:InvokeEndpointAsync']);
    const ep = c.endpoints.ep;
    assert.equal(ep.status, 'UpdateRollbackFailed');
    assert.equal(ep.failureReason, 'Rolled back.');
    assert.deepEqual(ep.variants, [
      { name: 'a', instanceType: 'ml.m5.large', instanceCount: 1 },
      { name: 'b', instanceType: 'ml.g5.xlarge', instanceCount: 3 },
      { name: 'c', serverless: { memorySizeInMB: 3072, maxConcurrency: 20 } },
    ]);
    assert.deepEqual(ep.inferenceComponents, [
      { name: 'one', variant: 'a', status: 'InService' },
      { name: 'two', variant: 'b', status: 'Deleting' },
    ]);
    const components = validateConfig({ credentials: [KEY], endpoints: { ep: { model: 'demo', inferenceComponents: [{ name: 'x' }] } } }).endpoints.ep.inferenceComponents;
    assert.deepEqual(components, [{ name: 'x', variant: 'AllTraffic', status: 'InService' }]);
  });

  it('reports every mistake in the new keys at once, each naming the field and its rule', function () {
    const found = problems({
      credentials: [{ ...KEY, deny: ['sagemaker:ListEndpoint', 'sagemaker:DescribeEndpoint'] }, { accessKeyId: 'AKIAOTHER', secretAccessKey: 's', deny: 'sagemaker:ListEndpoints' }],
      endpoints: {
        a: { model: 'demo', status: 'Broken', failureReason: 'why' },
        b: { model: 'demo', failureReason: 'not failed' },
        c: {
          model: 'demo',
          variants: [
            { name: 'v1', instanceType: 'm5.large', instanceCount: 0 },
            { name: 'v1', serverless: { memorySizeInMB: 1500, maxConcurrency: 500 } },
            { name: 'v_3', instanceType: 'ml.m5.large', serverless: { memorySizeInMB: 1024, maxConcurrency: 1 } },
          ],
        },
        d: { model: 'demo', variants: [], inferenceComponents: [{ name: 'ic', variant: 'nope', status: 'Paused', extra: 1 }] },
        e: { model: 'demo', inferenceComponents: [{ name: 'shared' }, { variant: 'Other' }] },
        f: { container: 'http://127.0.0.1:9000', inferenceComponents: [{ name: 'shared' }] },
      },
    });
    const expected = [
      /^cfg\.json: credentials\[0\]\.deny\[0\] must be one of the actions this server answers: sagemaker:ListEndpoints, .*sagemaker:InvokeEndpointWithBidirectionalStream \(got "sagemaker:ListEndpoint"\)$/,
      /^cfg\.json: credentials\[1\]\.deny must be a list of IAM actions, like \["sagemaker:ListEndpoints"\] \(got "sagemaker:ListEndpoints"\)$/,
      /^cfg\.json: endpoints\.a\.status must be one of InService, Creating, Updating, SystemUpdating, RollingBack, Deleting, Failed, UpdateRollbackFailed, OutOfService \(got "Broken"\)$/,
      /^cfg\.json: endpoints\.b\.failureReason is only for an endpoint whose status is Failed or UpdateRollbackFailed \(status is InService\)$/,
      /^cfg\.json: endpoints\.c\.variants\[0\]\.instanceType must be a SageMaker instance type like ml\.m5\.large or ml\.g5\.xlarge \(got "m5\.large"\)$/,
      /^cfg\.json: endpoints\.c\.variants\[0\]\.instanceCount must be a whole number from 1 to 1000 \(got 0\)$/,
      /^cfg\.json: endpoints\.c\.variants\[1\]\.serverless\.memorySizeInMB must be 1024, 2048, 3072, 4096, 5120 or 6144 \(got 1500\)$/,
      /^cfg\.json: endpoints\.c\.variants\[1\]\.serverless\.maxConcurrency must be a whole number from 1 to 200 \(got 500\)$/,
      /^cfg\.json: endpoints\.c\.variants\[2\]\.name must be 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit \(got "v_3"\)$/,
      /^cfg\.json: endpoints\.c\.variants\[2\] must give either "serverless" or "instanceType" and "instanceCount", not both$/,
      /^cfg\.json: endpoints\.d\.variants must list at least one variant/,
      /^cfg\.json: endpoints\.d\.inferenceComponents\[0\]\.extra is not a known setting \(known: name, variant, status\)$/,
      /^cfg\.json: endpoints\.d\.inferenceComponents\[0\]\.status must be one of InService, Creating, Updating, Failed, Deleting \(got "Paused"\)$/,
      /^cfg\.json: endpoints\.e\.inferenceComponents\[1\]\.name must be a non-empty text$/,
      /^cfg\.json: endpoints\.e\.inferenceComponents\[1\]\.variant must name one of the endpoint's variants \(AllTraffic\) \(got "Other"\)$/,
    ];
    // Checks across entries (c's two v1 variants, the component name e and f share) wait until the entries
    // themselves are sound, so one mistake is reported once.
    assert.equal(found.length, expected.length, found.join('\n'));
    expected.forEach((re, i) => assert.match(found[i], re));
  });

  it('names a duplicate variant, a component naming a variant the endpoint does not have, and a component name used twice in the account', function () {
    const found = problems({
      credentials: [KEY],
      endpoints: {
        ep: { model: 'demo', variants: [{ name: 'x' }, { name: 'x' }] },
        ep2: { model: 'demo', variants: [{ name: 'blue' }], inferenceComponents: [{ name: 'c', variant: 'green' }] },
        ep3: { model: 'demo', inferenceComponents: [{ name: 'shared' }, { name: 'shared' }] },
        ep4: { model: 'demo', inferenceComponents: [{ name: 'shared' }] },
      },
    });
    assert.deepEqual(found, [
      'cfg.json: endpoints.ep.variants[1].name is the name of another variant of this endpoint (got "x")',
      'cfg.json: endpoints.ep2.inferenceComponents[0].variant must name one of the endpoint\'s variants (blue) (got "green")',
      'cfg.json: endpoints.ep3.inferenceComponents[1].name is already the name of an inference component of this endpoint (names are unique in the account) (got "shared")',
      'cfg.json: endpoints.ep4.inferenceComponents[0].name is already the name of an inference component of endpoint ep3 (names are unique in the account) (got "shared")',
    ]);
  });
});

describe('sagemaker-local start-up lines: the control-plane settings of a route', function () {
  const { describeRoute } = require('../dist');
  it('adds status, variants and inference components when configured, and nothing otherwise', function () {
    const c = validateConfig({
      credentials: [KEY],
      endpoints: { plain: { model: 'demo' }, set: { model: 'demo', status: 'Creating', variants: [{ name: 'a' }, { name: 'b' }], inferenceComponents: [{ name: 'ic1' }] } },
    });
    assert.equal(describeRoute('plain', c.endpoints.plain), 'plain -> the built-in demo model (anomaly score per series)');
    assert.equal(describeRoute('set', c.endpoints.set), 'set -> the built-in demo model (anomaly score per series); status Creating; variants a, b; inference components ic1');
  });
});
