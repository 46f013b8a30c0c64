/**
 * The control plane's answers in the API's shapes (member names as the SageMaker model spells them; timestamps in
 * epoch seconds, as awsJson1_1 carries them), made from an endpoint's facts.
 */

import { componentTimeOf } from './catalog';
import { endpointArn, endpointConfigArn, inferenceComponentArn, type ArnScope } from './arn';
import { isServerless, type AsyncFacts, type EndpointFacts, type InferenceComponentFacts, type VariantFacts } from './control-types';

type Json = Record<string, unknown>;

/** awsJson1_1's timestamps: seconds since the epoch. */
const seconds = (ms: number): number => ms / 1000;
/** Every variant of a local endpoint serves the same weight of its traffic. */
const WEIGHT = 1;

export function endpointSummary(scope: ArnScope, e: EndpointFacts): Json {
  return {
    EndpointName: e.name,
    EndpointArn: endpointArn(scope, e.name),
    CreationTime: seconds(e.creationTime),
    LastModifiedTime: seconds(e.lastModifiedTime),
    EndpointStatus: e.status,
  };
}

const serverlessConfig = (v: { serverless: { memorySizeInMB: number; maxConcurrency: number } }): Json => ({
  MemorySizeInMB: v.serverless.memorySizeInMB,
  MaxConcurrency: v.serverless.maxConcurrency,
});

/** A ProductionVariantSummary of DescribeEndpoint. */
function variantSummary(v: VariantFacts): Json {
  const weights = { VariantName: v.name, CurrentWeight: WEIGHT, DesiredWeight: WEIGHT };
  if (isServerless(v)) return { ...weights, CurrentServerlessConfig: serverlessConfig(v), DesiredServerlessConfig: serverlessConfig(v) };
  return { ...weights, CurrentInstanceCount: v.instanceCount, DesiredInstanceCount: v.instanceCount };
}

function asyncInferenceConfig(a: AsyncFacts): Json {
  return {
    ...(a.maxConcurrentInvocations === undefined ? {} : { ClientConfig: { MaxConcurrentInvocationsPerInstance: a.maxConcurrentInvocations } }),
    OutputConfig: { S3OutputPath: a.outputPath, ...(a.failurePath === undefined ? {} : { S3FailurePath: a.failurePath }) },
  };
}

/** DescribeEndpoint's answer. The endpoint config a local endpoint runs is named after the endpoint. */
export function describeEndpoint(scope: ArnScope, e: EndpointFacts): Json {
  return {
    EndpointName: e.name,
    EndpointArn: endpointArn(scope, e.name),
    EndpointConfigName: e.name,
    ProductionVariants: e.variants.map(variantSummary),
    EndpointStatus: e.status,
    ...(e.failureReason === undefined ? {} : { FailureReason: e.failureReason }),
    CreationTime: seconds(e.creationTime),
    LastModifiedTime: seconds(e.lastModifiedTime),
    ...(e.async === undefined ? {} : { AsyncInferenceConfig: asyncInferenceConfig(e.async) }),
  };
}

/** A ProductionVariant of DescribeEndpointConfig: every variant runs the endpoint's one model, named after it. */
function variantConfig(endpointName: string, v: VariantFacts): Json {
  const common = { VariantName: v.name, ModelName: endpointName, InitialVariantWeight: WEIGHT };
  if (isServerless(v)) return { ...common, ServerlessConfig: serverlessConfig(v) };
  return { ...common, InitialInstanceCount: v.instanceCount, InstanceType: v.instanceType };
}

export function describeEndpointConfig(scope: ArnScope, e: EndpointFacts): Json {
  return {
    EndpointConfigName: e.name,
    EndpointConfigArn: endpointConfigArn(scope, e.name),
    ProductionVariants: e.variants.map((v) => variantConfig(e.name, v)),
    ...(e.async === undefined ? {} : { AsyncInferenceConfig: asyncInferenceConfig(e.async) }),
    CreationTime: seconds(e.creationTime),
  };
}

/** An inference component with its endpoint and times, as the List operation filters and sorts it. */
export interface ListedComponent {
  name: string;
  status: string;
  creationTime: number;
  lastModifiedTime: number;
  endpoint: EndpointFacts;
  component: InferenceComponentFacts;
}

export function componentsOf(endpoints: readonly EndpointFacts[]): ListedComponent[] {
  return endpoints.flatMap((endpoint) =>
    endpoint.inferenceComponents.map((component, j) => {
      const time = componentTimeOf(endpoint, j);
      return { name: component.name, status: component.status, creationTime: time, lastModifiedTime: time, endpoint, component };
    }),
  );
}

export function componentSummary(scope: ArnScope, c: ListedComponent): Json {
  return {
    InferenceComponentName: c.name,
    InferenceComponentArn: inferenceComponentArn(scope, c.name),
    EndpointName: c.endpoint.name,
    EndpointArn: endpointArn(scope, c.endpoint.name),
    VariantName: c.component.variant,
    InferenceComponentStatus: c.status,
    CreationTime: seconds(c.creationTime),
    LastModifiedTime: seconds(c.lastModifiedTime),
  };
}
