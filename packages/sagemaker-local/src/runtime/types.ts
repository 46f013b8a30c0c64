/**
 * The local SageMaker Runtime server's public types: the keys it accepts, the call an endpoint handler gets, what a
 * handler may answer, and the record it keeps of each request. Types only, so every part of the server (and its
 * users) can share them without pulling in the HTTP class.
 */

import type { ServerOptions as HttpsServerOptions } from 'https';
import type { SigningKey } from '../signing/sigv4';
import type { ObjectStore } from '../s3/s3-store';
import type { Refusals } from '../control/access';
import type { EndpointSettings } from '../control/control-types';

/**
 * A key pair the server accepts: with `sessionToken`, requests signed with it must carry exactly that
 * `x-amz-security-token`; with `expiration` (temporary credentials), requests from then on get ExpiredTokenException;
 * with `deny` (IAM actions like `sagemaker:ListEndpoints`), those operations answer AccessDeniedException.
 */
export type ServerCredentials = SigningKey & Refusals;

/** The operation a request calls: InvokeEndpoint, InvokeEndpointWithResponseStream or InvokeEndpointAsync. */
export type Operation = 'invoke' | 'stream' | 'async';

/** An authenticated call, as handed to an endpoint handler. */
export interface InvocationRequest {
  operation: Operation;
  endpointName: string;
  /** lower-cased request headers */
  headers: Record<string, string>;
  body: Buffer;
  /** from the verified signature */
  accessKeyId: string;
  /** x-amz-security-token when present */
  sessionToken?: string;
  /** the most the model may take, when the call sets it (an async job's InvocationTimeoutSeconds); else the route's own */
  timeoutMs?: number;
}

/** The error types SageMaker Runtime's InvokeEndpoint answers with. */
export type SageMakerErrorType =
  | 'ValidationError'
  | 'ModelError'
  | 'ModelNotReadyException'
  | 'ThrottlingException'
  | 'ServiceUnavailable'
  | 'InternalFailure'
  | 'InternalDependencyException';

/** A successful answer. `status` defaults to 200, `contentType` to `application/octet-stream`. */
export interface EndpointSuccess {
  status?: number;
  body?: string | Uint8Array;
  contentType?: string;
  /**
   * Raw response headers, sent with the case given, e.g. `x-Amzn-Invoked-Production-Variant`,
   * `X-Amzn-SageMaker-Custom-Attributes`, `X-Amzn-SageMaker-New-Session-Id`, `X-Amzn-SageMaker-Closed-Session-Id`.
   */
  headers?: Record<string, string>;
}

/** An error answer in the service's shape: `{"message": ..., ...fields}` and `x-amzn-ErrorType: error`. */
export interface EndpointError {
  error: SageMakerErrorType | string;
  message: string;
  /** defaults to `errorStatus(error)` */
  status?: number;
  /** extra body members, e.g. ModelError's `OriginalStatusCode`, `OriginalMessage`, `LogStreamArn` */
  fields?: Record<string, unknown>;
}

/** Never answer: the socket stays open until the client gives up or the server closes. */
export interface EndpointHang {
  hang: true;
}

/** Destroy the connection (TCP reset) without an answer. */
export interface EndpointReset {
  reset: true;
}

/** One event of a response stream: a payload part, or one of the two exceptions the stream can end with. */
export type StreamEvent =
  | { part: string | Uint8Array }
  | { error: 'ModelStreamError'; message: string; errorCode?: string }
  | { error: 'InternalStreamFailure'; message: string };

/**
 * A streamed answer: each event is written as one event-stream message as soon as the iterable yields it, and an
 * exception event ends the stream. To InvokeEndpoint (no streaming), the parts are joined into one body, and an
 * exception becomes a ModelError.
 */
export interface EndpointStream {
  stream: Iterable<StreamEvent> | AsyncIterable<StreamEvent>;
  /** the model's content type, sent as `X-Amzn-SageMaker-Content-Type` (`Content-Type` to InvokeEndpoint) */
  contentType?: string;
  /** extra response headers, e.g. `x-Amzn-Invoked-Production-Variant` */
  headers?: Record<string, string>;
}

/**
 * An accepted asynchronous invocation (202). Missing locations are made up under the server's `asyncOutputPrefix`.
 * A handler that answers an async call with an EndpointSuccess or EndpointStream has it accepted the same way.
 */
export interface EndpointAccepted {
  accepted: true;
  outputLocation?: string;
  /** null: the endpoint has no failure path, so the answer carries no FailureLocation */
  failureLocation?: string | null;
  inferenceId?: string;
}

/** What an endpoint handler answers. */
export type EndpointResult = EndpointSuccess | EndpointError | EndpointHang | EndpointReset | EndpointStream | EndpointAccepted;

export type EndpointHandler = (req: InvocationRequest) => EndpointResult | Promise<EndpointResult>;

/** One request as the server saw it. `status` is 0 while unanswered, and stays 0 for `hang` and `reset`. */
export interface RecordedRequest {
  method: string;
  /** the raw path as received, without the query string */
  path: string;
  /** the operation its path names, when it names one */
  operation?: Operation;
  /** a control-plane request's `X-Amz-Target`, e.g. `SageMaker.ListEndpoints` (when it looks like one) */
  target?: string;
  /** the decoded endpoint name, for the operations' paths */
  endpointName?: string;
  /** lower-cased request headers as received, Authorization and x-amz-security-token included: do not log them */
  headers: Record<string, string>;
  /** the request body (empty when it exceeded the payload limit) */
  body: Buffer;
  /** whether the SigV4 signature checked out */
  verified: boolean;
  /** the access key of a verified signature */
  accessKeyId?: string;
  status: number;
  /** the `x-amzn-ErrorType` answered, if any */
  errorType?: string;
  /** response stream: payload parts written so far */
  partsSent?: number;
  /** response stream: true once the stream was written to its end (false while open, or when the client left) */
  streamEnded?: boolean;
  /** true when the client closed the connection before the answer was complete */
  clientClosed?: boolean;
}

export interface SageMakerServerOptions {
  /** keys it accepts; signatures are checked against the secret of the access key named in the Authorization header */
  credentials: ServerCredentials[];
  /** default 'us-east-1'; the credential scope must name it */
  region?: string;
  endpoints?: Record<string, EndpointHandler>;
  /**
   * what the control plane (ListEndpoints, DescribeEndpoint, ...) says of each endpoint, by name; an endpoint without
   * settings is InService with one variant AllTraffic on one ml.m5.large
   */
  endpointSettings?: Record<string, EndpointSettings>;
  /** one line per request: method, path, status, error type, duration; never a secret */
  log?: (line: string) => void;
  /** the account named in "Endpoint X of account Y not found." and in the control plane's ARNs; default '123456789012' */
  accountId?: string;
  /** request body limit in bytes; default 6,291,456 (6 MB, the service's limit for real-time endpoints) */
  maxBodyBytes?: number;
  /** check the InvokeEndpoint input constraints (name patterns, header lengths) like the service; default true */
  validateInput?: boolean;
  /** keep at most this many entries in `requests`, dropping the oldest; default unlimited */
  maxRecordedRequests?: number;
  /** where made-up async output and failure locations go; default 's3://sagemaker-local-async' */
  asyncOutputPrefix?: string;
  /**
   * serve an S3-compatible object API (path style) for this store's buckets, on the same port: requests signed for
   * service `s3`, and unsigned ones whose first path segment is one of its buckets, go there
   */
  objectStore?: ObjectStore;
  /** called with whatever a handler threw (the client gets a 500 InternalFailure without the details) */
  onHandlerError?: (error: unknown, endpointName: string) => void;
  /** serve HTTPS with this key and certificate (and, with `requestCert`, ask for client certificates); url is then https:// */
  tls?: Pick<HttpsServerOptions, 'key' | 'cert' | 'ca' | 'requestCert' | 'rejectUnauthorized'>;
}
