/**
 * The bidirectional stream's types (InvokeEndpointWithBidirectionalStream, SageMaker Runtime HTTP2): the parts a
 * client sends, what a bidirectional endpoint handler gets and answers, and the record the HTTP/2 server keeps.
 * Types only.
 */

import type { ServerOptions as HttpsServerOptions } from 'https';
import type { EndpointError, ServerCredentials } from '../runtime/types';

export type DataType = 'UTF8' | 'BINARY';
export type CompletionState = 'PARTIAL' | 'COMPLETE';

/** One `PayloadPart` input event. DataType and CompletionState are absent when the client left them out. */
export interface InputPart {
  bytes: Buffer;
  dataType?: DataType;
  completionState?: CompletionState;
  /** the padding member `P`, when sent */
  p?: string;
}

/** One output event: a payload part, or one of the two exceptions that end the stream. */
export type BidiOutputEvent =
  | { part: string | Uint8Array; dataType?: DataType; completionState?: CompletionState }
  | { error: 'ModelStreamError'; message: string; errorCode?: string }
  | { error: 'InternalStreamFailure'; message: string }
  /** not an event: reset the HTTP/2 stream (RST_STREAM INTERNAL_ERROR), as a failing front end would */
  | { reset: true };

/** An authenticated, valid bidirectional call, as handed to its endpoint's handler. */
export interface BidiCall {
  endpointName: string;
  /** lower-cased request headers (HTTP/2 pseudo-headers left out) */
  headers: Record<string, string>;
  targetVariant?: string;
  modelInvocationPath?: string;
  modelQueryString?: string;
  /** the input parts in order, each yielded once its envelope's signature checked out; ends with the client's input */
  input: AsyncIterable<InputPart>;
  /** aborted when the stream goes away (client reset, server close, bad event signature) */
  signal: AbortSignal;
  accessKeyId: string;
}

/** A handler's answer once the stream is accepted: the output events, written as they are yielded. */
export interface BidiAnswer {
  output: AsyncIterable<BidiOutputEvent>;
  /** sent as `X-Amzn-Invoked-Production-Variant`; default the target variant or 'AllTraffic' */
  invokedProductionVariant?: string;
}

/** A bidirectional endpoint: an answer, or an error before the stream (e.g. ModelError 424). */
export type BidiHandler = (call: BidiCall) => BidiAnswer | EndpointError | Promise<BidiAnswer | EndpointError>;

/** One bidirectional stream as the server saw it. */
export interface RecordedBidiStream {
  path: string;
  endpointName?: string;
  /** lower-cased headers as received, pseudo-headers and Authorization included: do not log them */
  headers: Record<string, string>;
  verified: boolean;
  status: number;
  errorType?: string;
  /** input parts whose signatures checked out */
  partsReceived: number;
  partsSent: number;
  /** why the stream failed after it started (a refused event signature, a malformed event, a model error) */
  failure?: string;
  /** true once the output side ended normally */
  ended: boolean;
}

export interface BidiServerOptions {
  credentials: ServerCredentials[];
  /** default 'us-east-1' */
  region?: string;
  /** default '123456789012' */
  accountId?: string;
  endpoints?: Record<string, BidiHandler>;
  /** one line per stream: path, status, error type, parts in and out, duration; never a secret */
  log?: (line: string) => void;
  /** serve HTTP/2 over TLS (ALPN h2) with this key and certificate; otherwise cleartext HTTP/2 (h2c, prior knowledge) */
  tls?: Pick<HttpsServerOptions, 'key' | 'cert' | 'ca' | 'requestCert' | 'rejectUnauthorized'>;
  /** keep at most this many entries in `streams`; default unlimited */
  maxRecordedStreams?: number;
  onHandlerError?: (error: unknown, endpointName: string) => void;
}
