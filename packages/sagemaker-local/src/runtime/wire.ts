/**
 * SageMaker Runtime's wire facts, written once for the whole local server: the path of each operation, the header
 * that carries each request member (Content-Type and Accept move between operations), the response headers, the
 * HTTP status of each error type, the payload limits and the single variant's name. The server, its input
 * constraints and the route kinds (demo model, model container) all read them from here.
 */

import type { AuthProblem } from '../signing/sigv4';
import type { Operation } from './types';

/** The SigV4 signing name of SageMaker Runtime. */
export const SIGNING_SERVICE = 'sagemaker';

/** The service's InvokeEndpoint payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** InvokeEndpointAsync's limit for an inline body. */
export const MAX_ASYNC_INLINE_BYTES = 128000;

/** The production variant a single-variant endpoint reports in `x-Amzn-Invoked-Production-Variant`. */
export const PRODUCTION_VARIANT = 'AllTraffic';

/** The last path segment of each operation: `POST /endpoints/{EndpointName}/{segment}`. */
const OPERATION_PATHS: Readonly<Record<Operation, string>> = {
  invoke: 'invocations',
  stream: 'invocations-response-stream',
  async: 'async-invocations',
};

const OPERATION_PATH = /^\/endpoints\/([^/]+)\/([^/]+)$/;

/** The operation a request calls and its endpoint name still URL-encoded, or undefined when it names none. */
export function operationOfRequest(method: string, rawPath: string): { operation: Operation; encodedName: string } | undefined {
  const match = method === 'POST' ? OPERATION_PATH.exec(rawPath) : null;
  if (!match) return undefined;
  const operation = (Object.keys(OPERATION_PATHS) as Operation[]).find((op) => OPERATION_PATHS[op] === match[2]);
  return operation === undefined ? undefined : { operation, encodedName: match[1] };
}

/** Lower-cased request headers of the members every operation carries the same way. */
export const REQUEST_HEADERS = {
  customAttributes: 'x-amzn-sagemaker-custom-attributes',
  targetModel: 'x-amzn-sagemaker-target-model',
  targetVariant: 'x-amzn-sagemaker-target-variant',
  targetContainerHostname: 'x-amzn-sagemaker-target-container-hostname',
  inferenceId: 'x-amzn-sagemaker-inference-id',
  enableExplanations: 'x-amzn-sagemaker-enable-explanations',
  inferenceComponentName: 'x-amzn-sagemaker-inference-component',
  sessionId: 'x-amzn-sagemaker-session-id',
  prefixAwareId: 'x-amzn-sagemaker-prefix-aware-id',
  inputLocation: 'x-amzn-sagemaker-inputlocation',
  s3OutputPathExtension: 'x-amzn-sagemaker-s3outputpathextension',
  filename: 'x-amzn-sagemaker-filename',
  requestTTLSeconds: 'x-amzn-sagemaker-requestttlseconds',
  invocationTimeoutSeconds: 'x-amzn-sagemaker-invocationtimeoutseconds',
} as const;

/**
 * Which lower-cased request header carries ContentType and Accept, per operation: InvokeEndpoint uses the HTTP
 * headers themselves; the response stream's own Content-Type is the event stream, so its Accept moves to an
 * `X-Amzn-SageMaker-` header; the async call moves both.
 */
export const TYPE_HEADERS: Readonly<Record<Operation, { contentType: string; accept: string }>> = {
  invoke: { contentType: 'content-type', accept: 'accept' },
  stream: { contentType: 'content-type', accept: 'x-amzn-sagemaker-accept' },
  async: { contentType: 'x-amzn-sagemaker-content-type', accept: 'x-amzn-sagemaker-accept' },
};

/** The ContentType and Accept of a call, read from the headers its operation carries them in. */
export function requestTypes(operation: Operation, headers: Readonly<Record<string, string>>): { contentType?: string; accept?: string } {
  const names = TYPE_HEADERS[operation];
  return { contentType: headers[names.contentType], accept: headers[names.accept] };
}

/** Response headers, spelt as the service sends them. */
export const RESPONSE_HEADERS = {
  errorType: 'x-amzn-ErrorType',
  invokedVariant: 'x-Amzn-Invoked-Production-Variant',
  /** the model's content type on a response stream, whose own Content-Type is the event stream */
  modelContentType: 'X-Amzn-SageMaker-Content-Type',
  customAttributes: 'X-Amzn-SageMaker-Custom-Attributes',
  newSessionId: 'X-Amzn-SageMaker-New-Session-Id',
  closedSessionId: 'X-Amzn-SageMaker-Closed-Session-Id',
  outputLocation: 'X-Amzn-SageMaker-OutputLocation',
  failureLocation: 'X-Amzn-SageMaker-FailureLocation',
} as const;

/** The Content-Type of a response stream. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationError: 400,
  ModelError: 424,
  ModelNotReadyException: 429,
  ThrottlingException: 400,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  InternalDependencyException: 530,
  // authentication and protocol errors of AWS's front end
  IncompleteSignatureException: 400,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  MissingAuthenticationTokenException: 403,
  ExpiredTokenException: 403,
  AccessDeniedException: 403,
  UnknownOperationException: 404,
};

/** The error type SageMaker's front end answers each authentication failure with. */
export const AUTH_ERROR_TYPES: Readonly<Record<AuthProblem, string>> = {
  missing: 'MissingAuthenticationTokenException',
  incomplete: 'IncompleteSignatureException',
  unknownKey: 'UnrecognizedClientException',
  expired: 'ExpiredTokenException',
  mismatch: 'InvalidSignatureException',
};

/** The service's HTTP status for an error type; 400 for types it does not know. */
export function errorStatus(type: string): number {
  return ERROR_STATUS[type] ?? 400;
}
