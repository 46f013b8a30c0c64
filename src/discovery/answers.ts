/**
 * The SageMaker API's answers (ListEndpoints, DescribeEndpoint, DescribeEndpointConfig, ListInferenceComponents) as
 * the discovery routes' JSON (src/shared/discovery.ts): times in ISO 8601, the variants of DescribeEndpoint with the
 * instance type or serverless settings of the endpoint config, async output paths, the inference components. Pure:
 * no SDK client, no Node-RED.
 */
import type {
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  EndpointSummary,
  InferenceComponentSummary,
  ProductionVariant,
  ProductionVariantServerlessConfig,
} from '@aws-sdk/client-sagemaker';
import type {
  DiscoveryProblemJson,
  EndpointDescriptionJson,
  EndpointSummaryJson,
  InferenceComponentJson,
  VariantJson,
} from '../shared/discovery';

const iso = (d: Date | undefined): string | undefined => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);

export function summaryJson(e: EndpointSummary): EndpointSummaryJson {
  const creationTime = iso(e.CreationTime);
  const lastModifiedTime = iso(e.LastModifiedTime);
  return {
    name: e.EndpointName ?? '',
    status: e.EndpointStatus ?? '',
    ...(creationTime ? { creationTime } : {}),
    ...(lastModifiedTime ? { lastModifiedTime } : {}),
  };
}

function serverlessJson(c: ProductionVariantServerlessConfig | undefined): VariantJson['serverless'] {
  if (!c) return undefined;
  return {
    ...(c.MemorySizeInMB !== undefined ? { memorySizeInMB: c.MemorySizeInMB } : {}),
    ...(c.MaxConcurrency !== undefined ? { maxConcurrency: c.MaxConcurrency } : {}),
  };
}

/**
 * The endpoint's production variants: those DescribeEndpoint names (an endpoint still Creating may name none yet:
 * then the endpoint config's), each with its instance type from the endpoint config and its serverless settings.
 */
export function variantsJson(endpoint: DescribeEndpointOutput, config: DescribeEndpointConfigOutput | undefined): VariantJson[] {
  const configured = new Map<string, ProductionVariant>((config?.ProductionVariants ?? []).map((v) => [v.VariantName ?? '', v]));
  const live = endpoint.ProductionVariants ?? [];
  const names = live.length ? live.map((v) => v.VariantName ?? '') : [...configured.keys()];
  return names.map((name) => {
    const summary = live.find((v) => v.VariantName === name);
    const conf = configured.get(name);
    const serverless = serverlessJson(summary?.CurrentServerlessConfig ?? summary?.DesiredServerlessConfig ?? conf?.ServerlessConfig);
    const instanceType = serverless ? undefined : conf?.InstanceType;
    const count = summary?.CurrentInstanceCount;
    return {
      name,
      ...(instanceType ? { instanceType } : {}),
      ...(count !== undefined && !serverless ? { currentInstanceCount: count } : {}),
      ...(serverless ? { serverless } : {}),
    };
  });
}

export function componentJson(c: InferenceComponentSummary): InferenceComponentJson {
  return {
    name: c.InferenceComponentName ?? '',
    status: c.InferenceComponentStatus ?? '',
    ...(c.VariantName ? { variantName: c.VariantName } : {}),
  };
}

export interface EndpointFacts {
  endpoint: DescribeEndpointOutput;
  /** absent when DescribeEndpointConfig failed (its problem is in `problems`) */
  config?: DescribeEndpointConfigOutput;
  components: InferenceComponentSummary[];
  problems: DiscoveryProblemJson[];
}

export function descriptionJson(facts: EndpointFacts, url: string, fetchedAt: Date): EndpointDescriptionJson {
  const { endpoint, config, components, problems } = facts;
  const variants = variantsJson(endpoint, config);
  const asyncConfig = endpoint.AsyncInferenceConfig ?? config?.AsyncInferenceConfig;
  const output = asyncConfig?.OutputConfig;
  return {
    name: endpoint.EndpointName ?? '',
    status: endpoint.EndpointStatus ?? '',
    ...(endpoint.FailureReason ? { failureReason: endpoint.FailureReason } : {}),
    ...(endpoint.EndpointConfigName ? { endpointConfigName: endpoint.EndpointConfigName } : {}),
    variants,
    ...(asyncConfig
      ? {
          async: {
            ...(output?.S3OutputPath ? { outputPath: output.S3OutputPath } : {}),
            ...(output?.S3FailurePath ? { failurePath: output.S3FailurePath } : {}),
          },
        }
      : {}),
    serverless: variants.length > 0 && variants.every((v) => v.serverless !== undefined),
    inferenceComponents: components.map(componentJson),
    problems,
    url,
    fetchedAt: fetchedAt.toISOString(),
  };
}
