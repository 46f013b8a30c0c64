/**
 * The local SageMaker Runtime endpoint server, as a module: `require('sagemaker-local')`.
 *
 * - `SageMakerServer`: the wire-true server (SigV4, the service's error shapes) with your own endpoint handlers;
 * - `startLocalServer(config)`: the `sagemaker-local` command's server from a configuration (`validateConfig`);
 * - `demoModel()`, `ContainerRoute`, `throttle()`, `slowModel()`: the route kinds and wrappers, to combine yourself;
 * - `ObjectStore` (given to SageMakerServer as `objectStore`, it serves an S3 object API on the same port) and
 *   `AsyncJobs` (real async invocations whose results land in that store).
 * - the SageMaker control plane on the same port (ListEndpoints, DescribeEndpoint, DescribeEndpointConfig,
 *   ListInferenceComponents; awsJson1_1): `EndpointSettings` say what it answers of each endpoint;
 * - `BidiServer`, `demoBidi()`, `containerBidi()`: the HTTP/2 server of InvokeEndpointWithBidirectionalStream and
 *   its route kinds (`startLocalServer` starts both servers; its `bidiUrl` is the HTTP/2 one).
 */

export { SageMakerServer } from './runtime/sagemaker-server';
export { MAX_PAYLOAD_BYTES, MAX_ASYNC_INLINE_BYTES, errorStatus } from './runtime/wire';
export type {
  ServerCredentials,
  Operation,
  InvocationRequest,
  SageMakerErrorType,
  EndpointSuccess,
  EndpointError,
  EndpointHang,
  EndpointReset,
  StreamEvent,
  EndpointStream,
  EndpointAccepted,
  EndpointResult,
  EndpointHandler,
  RecordedRequest,
  SageMakerServerOptions,
} from './runtime/types';
export {
  ConfigError,
  validateConfig,
  parseConfigText,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_REGION,
  DEFAULT_ACCOUNT_ID,
  type LocalServerConfig,
  type RouteConfig,
  type DemoRoute,
  type ContainerRouteConfig,
  type ThrottleConfig,
  type S3Config,
  type AsyncConfig,
} from './config/config';
export { ObjectStore, parseS3Uri, type StoredObject, type ObjectStoreOptions, type S3Location } from './s3/s3-store';
export { S3Api, type S3RecordedRequest, type S3ApiOptions, type S3Interception } from './s3/s3-server';
export { AsyncJobs, type AsyncJobsOptions } from './runtime/async-jobs';
export { parseCommandLine, mergeConfig } from './config/command-line';
export { startLocalServer, endpointSettingsOf, describeRoute, type LocalServer, type LocalServerOptions } from './local';
export {
  demoModel,
  AnomalyScorer,
  RunningStats,
  parseReadings,
  formatScores,
  DEMO_CSV_COLUMNS,
  type DemoModelOptions,
  type Reading,
  type ReadingScore,
} from './models/demo-model';
export { ContainerRoute, containerRequestHeaders, type ContainerRouteOptions, type ContainerHealth } from './models/container-route';
export { throttle, TokenBucket, throttlingError, type ThrottleOptions } from './runtime/throttle';
export { slowModel } from './runtime/slow-model';
export { loadConfig } from './cli';
export { BidiServer } from './bidi/bidi-server';
export { demoBidi, type DemoBidiOptions } from './models/demo-bidi';
export { containerBidi, containerSocketUrl, type ContainerBidiOptions } from './models/container-bidi';
export type {
  BidiHandler,
  BidiCall,
  BidiAnswer,
  BidiOutputEvent,
  BidiServerOptions,
  InputPart,
  RecordedBidiStream,
  DataType,
  CompletionState,
} from './bidi/bidi-types';
export { encodeMessage, decodeMessage, MessageDecoder, crc32, EventStreamFormatError, type EventMessage, type HeaderValue } from './io/event-codec';
export { EventSignatureChain, eventSignature, deriveSigningKey } from './signing/event-signature';
export {
  ENDPOINT_STATUSES,
  INFERENCE_COMPONENT_STATUSES,
  type EndpointStatus,
  type InferenceComponentStatus,
  type EndpointSettings,
  type EndpointFacts,
  type VariantFacts,
  type InferenceComponentFacts,
  type ServerlessSettings,
  type AsyncFacts,
} from './control/control-types';
export { DENIABLE_ACTIONS, CONTROL_ACTIONS, RUNTIME_ACTIONS } from './control/access';
export type { ControlSettings } from './config/endpoint-settings';
