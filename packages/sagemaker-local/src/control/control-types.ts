/**
 * What the local server's SageMaker control plane knows of each endpoint: its status, production variants,
 * inference components, asynchronous output and times, with the status values as the API names them. Types and
 * value lists only, shared by the configuration (which checks them) and the control-plane operations.
 */

/** EndpointStatus, as the API names it. */
export const ENDPOINT_STATUSES = [
  'InService',
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'Deleting',
  'Failed',
  'UpdateRollbackFailed',
  'OutOfService',
] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** The statuses whose endpoint carries a FailureReason. */
export const FAILED_STATUSES: readonly EndpointStatus[] = ['Failed', 'UpdateRollbackFailed'];

/** InferenceComponentStatus, as the API names it. */
export const INFERENCE_COMPONENT_STATUSES = ['InService', 'Creating', 'Updating', 'Failed', 'Deleting'] as const;
export type InferenceComponentStatus = (typeof INFERENCE_COMPONENT_STATUSES)[number];

/** The variant an endpoint has when its configuration names none: the service's usual single variant. */
export const DEFAULT_VARIANT_NAME = 'AllTraffic';
export const DEFAULT_INSTANCE_TYPE = 'ml.m5.large';

/** A serverless variant's settings (ProductionVariantServerlessConfig). */
export interface ServerlessSettings {
  memorySizeInMB: number;
  maxConcurrency: number;
}

/** A production variant: on instances, or serverless. */
export type VariantFacts =
  | { name: string; instanceType: string; instanceCount: number }
  | { name: string; serverless: ServerlessSettings };

export interface InferenceComponentFacts {
  name: string;
  /** the name of one of its endpoint's variants */
  variant: string;
  status: InferenceComponentStatus;
}

/** An endpoint's AsyncInferenceConfig: where results and failures go, and its invocations at once. */
export interface AsyncFacts {
  outputPath: string;
  failurePath?: string;
  maxConcurrentInvocations?: number;
}

/** What the control plane answers about one endpoint. Times are milliseconds since the epoch. */
export interface EndpointFacts {
  name: string;
  status: EndpointStatus;
  failureReason?: string;
  variants: VariantFacts[];
  inferenceComponents: InferenceComponentFacts[];
  async?: AsyncFacts;
  creationTime: number;
  lastModifiedTime: number;
}

/** The settings an endpoint's facts are made from (a configured endpoint), every one optional. */
export interface EndpointSettings {
  status?: EndpointStatus;
  failureReason?: string;
  variants?: VariantFacts[];
  inferenceComponents?: InferenceComponentFacts[];
  async?: AsyncFacts;
}

export const isServerless = (v: VariantFacts): v is { name: string; serverless: ServerlessSettings } => 'serverless' in v;
