'use strict';
// The SageMaker API's answers as the discovery routes' JSON: pure mapping of the SDK's output shapes.
const assert = require('node:assert/strict');
const { summaryJson, variantsJson, descriptionJson } = require('../../dist/discovery/answers');

const at = new Date('2026-12-01T10:00:00Z');

describe('discovery answers: the SageMaker API\'s answers as the routes\' JSON', function () {
  it('an endpoint of ListEndpoints: name, status as the API names it, ISO times', function () {
    assert.deepEqual(summaryJson({ EndpointName: 'churn', EndpointArn: 'arn:x', EndpointStatus: 'Creating', CreationTime: at, LastModifiedTime: at }),
      { name: 'churn', status: 'Creating', creationTime: '2026-12-01T10:00:00.000Z', lastModifiedTime: '2026-12-01T10:00:00.000Z' });
    assert.deepEqual(summaryJson({ EndpointName: 'x', EndpointStatus: 'InService' }), { name: 'x', status: 'InService' });
  });

  it('variants: those DescribeEndpoint names, with the instance type of the endpoint config; a Creating endpoint\'s from the config', function () {
    const config = { ProductionVariants: [{ VariantName: 'A', InstanceType: 'ml.m5.large' }, { VariantName: 'B', InstanceType: 'ml.g5.xlarge' }] };
    assert.deepEqual(variantsJson({ ProductionVariants: [{ VariantName: 'A', CurrentInstanceCount: 2 }] }, config),
      [{ name: 'A', instanceType: 'ml.m5.large', currentInstanceCount: 2 }]);
    assert.deepEqual(variantsJson({}, config), [{ name: 'A', instanceType: 'ml.m5.large' }, { name: 'B', instanceType: 'ml.g5.xlarge' }]);
    assert.deepEqual(variantsJson({ ProductionVariants: [{ VariantName: 'A' }] }, undefined), [{ name: 'A' }], 'without the config: names only');
  });

  it('a serverless endpoint: every variant serverless, its memory and concurrency, no instance type', function () {
    const d = descriptionJson({
      endpoint: { EndpointName: 'sl', EndpointStatus: 'InService', EndpointConfigName: 'sl-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', CurrentServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }] },
      config: { ProductionVariants: [{ VariantName: 'AllTraffic', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }] },
      components: [],
      problems: [],
    }, 'https://api.sagemaker.eu-west-1.amazonaws.com', at);
    assert.deepEqual(d, {
      name: 'sl', status: 'InService', endpointConfigName: 'sl-cfg',
      variants: [{ name: 'AllTraffic', serverless: { memorySizeInMB: 2048, maxConcurrency: 5 } }],
      serverless: true, inferenceComponents: [], problems: [],
      url: 'https://api.sagemaker.eu-west-1.amazonaws.com', fetchedAt: '2026-12-01T10:00:00.000Z',
    });
    const mixed = descriptionJson({ endpoint: { EndpointName: 'm', EndpointStatus: 'InService', ProductionVariants: [{ VariantName: 'a', CurrentServerlessConfig: { MemorySizeInMB: 1024 } }, { VariantName: 'b' }] }, components: [], problems: [] }, 'u', at);
    assert.equal(mixed.serverless, false, 'not every variant');
  });

  it('a failed asynchronous endpoint: its failure reason, output paths, inference components with their status', function () {
    const problem = { kind: 'denied', message: 'm', action: 'sagemaker:DescribeEndpointConfig' };
    const d = descriptionJson({
      endpoint: {
        EndpointName: 'a', EndpointStatus: 'Failed', FailureReason: 'The image could not be pulled',
        AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://b/out/', S3FailurePath: 's3://b/fail/' } },
      },
      components: [{ InferenceComponentName: 'ic-1', InferenceComponentStatus: 'InService', VariantName: 'AllTraffic' }, { InferenceComponentName: 'ic-2', InferenceComponentStatus: 'Creating' }],
      problems: [problem],
    }, 'u', at);
    assert.equal(d.failureReason, 'The image could not be pulled');
    assert.deepEqual(d.async, { outputPath: 's3://b/out/', failurePath: 's3://b/fail/' });
    assert.deepEqual(d.inferenceComponents, [{ name: 'ic-1', status: 'InService', variantName: 'AllTraffic' }, { name: 'ic-2', status: 'Creating' }]);
    assert.deepEqual(d.problems, [problem]);
    assert.equal(d.serverless, false, 'no variants: not serverless');
    const fromConfig = descriptionJson({ endpoint: { EndpointName: 'a', EndpointStatus: 'InService' }, config: { AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://c/' } } }, components: [], problems: [] }, 'u', at);
    assert.deepEqual(fromConfig.async, { outputPath: 's3://c/' }, 'from the endpoint config when DescribeEndpoint has none');
    assert.equal(descriptionJson({ endpoint: { EndpointName: 'r', EndpointStatus: 'InService' }, components: [], problems: [] }, 'u', at).async, undefined);
  });
});
