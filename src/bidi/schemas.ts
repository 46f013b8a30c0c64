/**
 * The Smithy schemas of SageMaker Runtime HTTP2's one operation, InvokeEndpointWithBidirectionalStream (API version
 * 2025-10-01, namespace com.amazonaws.sagemakerruntimehttp2), written in the SDK's static schema form (plain arrays,
 * the form @aws-sdk/client-sagemaker-runtime ships its own operations in), and its modeled errors registered with the
 * SDK's type registry so that the restJson1 protocol and the event-stream serde deserialize them as their own classes.
 *
 * The official client (@aws-sdk/client-sagemaker-runtime-http2) is not installable here; names, traits and status
 * codes below follow the service model. No Node-RED import.
 */
import { SageMakerRuntimeServiceException, errorTypeRegistries } from '@aws-sdk/client-sagemaker-runtime';
import type { TypeRegistry } from '@smithy/core/schema';
import type {
  StaticErrorSchema,
  StaticOperationSchema,
  StaticSimpleSchema,
  StaticStructureSchema,
  StaticUnionSchema,
} from '@smithy/types';

export const HTTP2_NAMESPACE = 'com.amazonaws.sagemakerruntimehttp2';
export const HTTP2_API_VERSION = '2025-10-01';
/** The namespace whose "...ServiceException" the protocol uses for an error it has no schema for. */
const SYNTHETIC_NAMESPACE = `smithy.ts.sdk.synthetic.${HTTP2_NAMESPACE}`;

// Schema codes, as in the SDK's generated schemas: 0 string, 1 number; trait bits 1 httpLabel, 16 httpPayload;
// a simple schema [0, ns, name, traits, type] with traits 8 sensitive and type 21 blob.
const STRING = 0;
const NUMBER = 1;
const HTTP_LABEL = 1;
const HTTP_PAYLOAD = 16;
const header = (name: string) => ({ httpHeader: name });
const EVENT_HEADER = { eventHeader: 1 } as const;

const SensitiveBlob: StaticSimpleSchema = [0, HTTP2_NAMESPACE, 'SensitiveBlob', 8, 21];

/** A PayloadPart: the bytes as the event's payload, the rest as string event headers (left out when unset). */
function payloadPart(name: string): StaticStructureSchema {
  return [
    3,
    HTTP2_NAMESPACE,
    name,
    0,
    ['Bytes', 'DataType', 'CompletionState', 'P'],
    [[() => SensitiveBlob, { eventPayload: 1 } as const], [STRING, EVENT_HEADER], [STRING, EVENT_HEADER], [STRING, EVENT_HEADER]],
  ];
}
const RequestPayloadPart = payloadPart('RequestPayloadPart');
const ResponsePayloadPart = payloadPart('ResponsePayloadPart');

type ErrorFields = { Message?: string; ErrorCode?: string };

/** The base class of this service's errors; the protocol uses it for an error type it does not know. */
export class SageMakerRuntimeHttp2ServiceException extends SageMakerRuntimeServiceException {}

/** Makes one modeled error: its class (name and fault as the model says) and its schema. */
function modeledError<F extends ErrorFields>(name: string, fault: 'client' | 'server', status: number | undefined, members: [string, number][]) {
  const schema: StaticErrorSchema = [
    -3,
    HTTP2_NAMESPACE,
    name,
    status === undefined ? { error: fault } : { error: fault, httpError: status },
    members.map(([m]) => m),
    members.map(([, type]) => type),
  ];
  const ErrorClass = class extends SageMakerRuntimeHttp2ServiceException {
    constructor(opts: Partial<F> & { message?: string; $metadata?: object } = {}) {
      super({ name, $fault: fault, $metadata: {}, ...opts });
      Object.setPrototypeOf(this, new.target.prototype);
      this.name = name;
    }
  };
  Object.defineProperty(ErrorClass, 'name', { value: name });
  return { ErrorClass, schema };
}

const messageAndCode: [string, number][] = [
  ['Message', STRING],
  ['ErrorCode', STRING],
];

const inputValidation = modeledError('InputValidationError', 'client', 400, messageAndCode);
const modelErr = modeledError('ModelError', 'client', 424, [
  ['Message', STRING],
  ['OriginalStatusCode', NUMBER],
  ['OriginalMessage', STRING],
  ['LogStreamArn', STRING],
  ['ErrorCode', STRING],
]);
const internalServer = modeledError('InternalServerError', 'server', 500, messageAndCode);
const serviceUnavailable = modeledError('ServiceUnavailableError', 'server', 503, messageAndCode);
const modelStream = modeledError('ModelStreamError', 'client', undefined, messageAndCode);
const internalStream = modeledError('InternalStreamFailure', 'server', undefined, [['Message', STRING]]);

/** Before the stream: the request failed validation (400). */
export const InputValidationError = inputValidation.ErrorClass;
/** Before the stream: the model container answered with an error (424; OriginalStatusCode, OriginalMessage). */
export const ModelError = modelErr.ErrorClass;
/** Before the stream: 500. */
export const InternalServerError = internalServer.ErrorClass;
/** Before the stream: 503. */
export const ServiceUnavailableError = serviceUnavailable.ErrorClass;
/** In the answer stream: the model failed. */
export const ModelStreamError = modelStream.ErrorClass;
/** In the answer stream: the service failed. */
export const InternalStreamFailure = internalStream.ErrorClass;

/** The names of the modeled errors, as `err.name` carries them. */
export const BIDI_ERROR_NAMES = [
  'InputValidationError',
  'ModelError',
  'InternalServerError',
  'ServiceUnavailableError',
  'ModelStreamError',
  'InternalStreamFailure',
] as const;

// The SDK's TypeRegistry class, reached through a registry the client exports (this package may not import
// @smithy/core at run time). Registries are global per namespace: registering here once is what lets the protocol
// find these errors by the name in x-amzn-errortype / the body, and the serde find the stream's exceptions.
const Registry = (errorTypeRegistries[0] as TypeRegistry).constructor as typeof TypeRegistry;
const registry = Registry.for(HTTP2_NAMESPACE);
const syntheticRegistry = Registry.for(SYNTHETIC_NAMESPACE);
const baseSchema: StaticErrorSchema = [-3, SYNTHETIC_NAMESPACE, 'SageMakerRuntimeHttp2ServiceException', 0, [], []];
syntheticRegistry.registerError(baseSchema, SageMakerRuntimeHttp2ServiceException);
for (const e of [inputValidation, modelErr, internalServer, serviceUnavailable, modelStream, internalStream]) {
  registry.registerError(e.schema, e.ErrorClass);
}
/** For the client's protocolSettings: where its protocol looks errors up. */
export const BIDI_ERROR_REGISTRIES = [syntheticRegistry, registry];

const RequestStreamEvent: StaticUnionSchema = [
  4,
  HTTP2_NAMESPACE,
  'RequestStreamEvent',
  { streaming: 1 },
  ['PayloadPart'],
  [[() => RequestPayloadPart, 0]],
];

const ResponseStreamEvent: StaticUnionSchema = [
  4,
  HTTP2_NAMESPACE,
  'ResponseStreamEvent',
  { streaming: 1 },
  ['PayloadPart', 'ModelStreamError', 'InternalStreamFailure'],
  [
    [() => ResponsePayloadPart, 0],
    [() => modelStream.schema, 0],
    [() => internalStream.schema, 0],
  ],
];

const InvokeEndpointWithBidirectionalStreamInput: StaticStructureSchema = [
  3,
  HTTP2_NAMESPACE,
  'InvokeEndpointWithBidirectionalStreamInput',
  0,
  ['EndpointName', 'Body', 'TargetVariant', 'ModelInvocationPath', 'ModelQueryString'],
  [
    [STRING, HTTP_LABEL],
    [() => RequestStreamEvent, HTTP_PAYLOAD],
    [STRING, header('X-Amzn-SageMaker-Target-Variant')],
    [STRING, header('X-Amzn-SageMaker-Model-Invocation-Path')],
    [STRING, header('X-Amzn-SageMaker-Model-Query-String')],
  ],
  2,
];

const InvokeEndpointWithBidirectionalStreamOutput: StaticStructureSchema = [
  3,
  HTTP2_NAMESPACE,
  'InvokeEndpointWithBidirectionalStreamOutput',
  0,
  ['Body', 'InvokedProductionVariant'],
  [
    [() => ResponseStreamEvent, HTTP_PAYLOAD],
    [STRING, header('X-Amzn-Invoked-Production-Variant')],
  ],
  1,
];

export const InvokeEndpointWithBidirectionalStream: StaticOperationSchema = [
  9,
  HTTP2_NAMESPACE,
  'InvokeEndpointWithBidirectionalStream',
  { http: ['POST', '/endpoints/{EndpointName}/invocations-bidirectional-stream', 200] },
  () => InvokeEndpointWithBidirectionalStreamInput,
  () => InvokeEndpointWithBidirectionalStreamOutput,
];
