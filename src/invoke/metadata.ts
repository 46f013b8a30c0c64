/**
 * The response metadata a msg carries in `msg.sagemaker`, built from each operation's SDK output.
 */
import type {
  InvokeEndpointAsyncCommandOutput,
  InvokeEndpointCommandOutput,
  InvokeEndpointWithResponseStreamCommandOutput,
} from '@aws-sdk/client-sagemaker-runtime';
import type { ErrorDetails } from './errors';
import { parseNewSession } from './response';

export interface Metadata {
  endpointName?: string;
  contentType?: string;
  invokedProductionVariant?: string;
  customAttributes?: string;
  newSessionId?: string;
  sessionExpires?: string;
  closedSessionId?: string;
  inferenceId?: string;
  /** async: where the answer will be written */
  outputLocation?: string;
  /** async: where a failure will be written */
  failureLocation?: string;
  /** async, asyncResult wait: where the node uploaded the input */
  inputLocation?: string;
  /** async, asyncResult wait: milliseconds from the call's answer to the result, and the S3 checks it took */
  waitedMs?: number;
  polls?: number;
  requestId?: string;
  attempts?: number;
  durationMs?: number;
  /** stream: parts the service sent */
  partsReceived?: number;
  /** stream: milliseconds from the request to the first part */
  firstPartMs?: number;
  /** stream, a server-sent event: its name (`event:`) and its id (`id:`), when it has them */
  event?: string;
  eventId?: string;
  rawBody?: Buffer;
  error?: ErrorDetails;
  /** batching: how many messages shared the request, this message's place among them, and the request's id */
  batch?: { size: number; index: number; requestId?: string };
}

/** Sets a field only when it has a value, so `msg.sagemaker` holds only what is known. */
function put<K extends keyof Metadata>(meta: Metadata, key: K, value: Metadata[K] | undefined): void {
  if (value !== undefined && value !== '') meta[key] = value;
}

type AnyOutput = InvokeEndpointCommandOutput | InvokeEndpointWithResponseStreamCommandOutput | InvokeEndpointAsyncCommandOutput;

function common(endpointName: string, inferenceId: string | undefined, out: AnyOutput, durationMs: number): Metadata {
  const meta: Metadata = { endpointName };
  put(meta, 'inferenceId', inferenceId);
  put(meta, 'requestId', out.$metadata.requestId);
  put(meta, 'attempts', out.$metadata.attempts);
  meta.durationMs = Math.round(durationMs);
  return meta;
}

/** What an answer from the model says of itself: its content type, the variant that answered, its attributes. */
function answered(
  endpointName: string,
  inferenceId: string | undefined,
  out: InvokeEndpointCommandOutput | InvokeEndpointWithResponseStreamCommandOutput,
  durationMs: number,
): Metadata {
  const meta = common(endpointName, inferenceId, out, durationMs);
  put(meta, 'contentType', out.ContentType);
  put(meta, 'invokedProductionVariant', out.InvokedProductionVariant);
  put(meta, 'customAttributes', out.CustomAttributes);
  return meta;
}

/** InvokeEndpoint: content type, variant, custom attributes and the session headers. */
export function invokeMetadata(
  endpointName: string,
  inferenceId: string | undefined,
  out: InvokeEndpointCommandOutput,
  durationMs: number,
): Metadata {
  const meta = answered(endpointName, inferenceId, out, durationMs);
  if (out.NewSessionId) {
    const session = parseNewSession(out.NewSessionId);
    put(meta, 'newSessionId', session.id);
    put(meta, 'sessionExpires', session.expires);
  }
  put(meta, 'closedSessionId', out.ClosedSessionId);
  return meta;
}

/** InvokeEndpointWithResponseStream, once the stream has ended. */
export function streamMetadata(
  endpointName: string,
  inferenceId: string | undefined,
  out: InvokeEndpointWithResponseStreamCommandOutput,
  durationMs: number,
  partsReceived: number,
  firstPartMs: number | undefined,
): Metadata {
  const meta = answered(endpointName, inferenceId, out, durationMs);
  meta.partsReceived = partsReceived;
  if (firstPartMs !== undefined) meta.firstPartMs = Math.round(firstPartMs);
  return meta;
}

/** InvokeEndpointAsync: the inference id the service assigned (or kept) and the two S3 locations. */
export function asyncMetadata(endpointName: string, out: InvokeEndpointAsyncCommandOutput, durationMs: number): Metadata {
  const meta = common(endpointName, out.InferenceId, out, durationMs);
  put(meta, 'outputLocation', out.OutputLocation);
  put(meta, 'failureLocation', out.FailureLocation);
  return meta;
}

/** What is known of a call that failed: the request's id and attempts come from the error. */
export function failureMetadata(
  endpointName: string,
  inferenceId: string | undefined,
  details: ErrorDetails,
  durationMs: number,
  partsReceived?: number,
): Metadata {
  const meta: Metadata = { endpointName };
  put(meta, 'inferenceId', inferenceId);
  put(meta, 'requestId', details.requestId);
  put(meta, 'attempts', details.attempts || undefined);
  if (partsReceived !== undefined) meta.partsReceived = partsReceived;
  meta.durationMs = Math.round(durationMs);
  return meta;
}
