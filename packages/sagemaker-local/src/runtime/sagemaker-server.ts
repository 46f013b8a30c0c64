/**
 * A local HTTP server that speaks SageMaker Runtime's wire protocol (restJson1, SigV4) for its three operations:
 * InvokeEndpoint (`POST /endpoints/{name}/invocations`), InvokeEndpointWithResponseStream
 * (`.../invocations-response-stream`, an `application/vnd.amazon.eventstream` body) and InvokeEndpointAsync
 * (`.../async-invocations`, 202 with the output and failure locations in headers).
 *
 * Point an AWS SDK client at it with `endpoint: server.url` and it answers like the service: it verifies each
 * request's Signature Version 4 against the credentials it was given (`sigv4`), checks the operation's input
 * constraints (`constraints`), hands the call to the handler registered for that endpoint name, and answers errors
 * in the service's shape (`x-amzn-ErrorType` header, JSON `message` body) with the service's HTTP statuses (`wire`).
 *
 * Self-contained on purpose: Node's `http` and `crypto` plus the Smithy SigV4 signer and event-stream codec, no
 * test framework, no Node-RED and nothing of the nodes' own code, so it serves tests as an independent oracle of
 * the protocol and can run as a stand-alone local endpoint.
 */

import { randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type {
  EndpointAccepted,
  EndpointHandler,
  EndpointResult,
  EndpointStream,
  InvocationRequest,
  RecordedRequest,
  SageMakerServerOptions,
  ServerCredentials,
} from './types';
import { Listener } from '../io/listener';
import { S3Api } from '../s3/s3-server';
import { asStream, contentTypeOf, isAccepted, isError, isHang, isReset, isStream, withoutContentType } from './results';
import { AuthFailure, verifySignature } from '../signing/sigv4';
import { asyncInputProblem, validateInvocation } from './constraints';
import { writeEventStream } from './event-stream';
import { flattenHeaders, readBody, splitUrl, writeHead } from '../io/http-io';
import {
  AUTH_ERROR_TYPES,
  errorStatus,
  EVENT_STREAM_CONTENT_TYPE,
  MAX_PAYLOAD_BYTES,
  operationOfRequest,
  REQUEST_HEADERS,
  RESPONSE_HEADERS,
  SIGNING_SERVICE,
} from './wire';
import { CONTROL_CONTENT_TYPE, ControlPlane, controlError, isControlRequest, loggableTarget, type ControlAnswer } from '../control/control-plane';
import { catalogOf } from '../control/catalog';
import type { EndpointSettings } from '../control/control-types';
import { accessDenied, RUNTIME_ACTIONS } from '../control/access';
import { endpointArn } from '../control/arn';

const INTERNAL_FAILURE = 'An internal failure occurred while invoking the endpoint.';

/** An error to answer before any handler runs: its type and message. */
interface Refusal {
  refuse: string;
  message: string;
}

/** An authenticated, valid call and the handler it goes to. */
interface Admitted {
  call: InvocationRequest;
  handler: EndpointHandler;
}

export class SageMakerServer extends Listener {
  private readonly credentials: Map<string, ServerCredentials>;
  private readonly region: string;
  private readonly accountId: string;
  private readonly maxBodyBytes: number;
  private readonly validateInput: boolean;
  private readonly maxRecorded: number;
  private readonly asyncOutputPrefix: string;
  private readonly log?: (line: string) => void;
  private readonly onHandlerError?: (error: unknown, endpointName: string) => void;
  private readonly endpoints = new Map<string, EndpointHandler>();
  private readonly settings = new Map<string, EndpointSettings>();
  /** when the server was made: the control plane's creation times count back from it */
  private readonly startedAt = Date.now();
  private readonly control: ControlPlane;
  private readonly recorded: RecordedRequest[] = [];
  /** the S3 object API, when the server was given an object store */
  readonly s3?: S3Api;

  constructor(options: SageMakerServerOptions) {
    if (!options || !Array.isArray(options.credentials) || options.credentials.length === 0) {
      throw new TypeError('SageMakerServer needs at least one credential');
    }
    super('SageMakerServer', options.tls);
    this.credentials = new Map<string, ServerCredentials>();
    for (const c of options.credentials) {
      if (!c.accessKeyId || !c.secretAccessKey) throw new TypeError('each credential needs accessKeyId and secretAccessKey');
      this.credentials.set(c.accessKeyId, { ...c });
    }
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_PAYLOAD_BYTES;
    this.validateInput = options.validateInput ?? true;
    this.maxRecorded = options.maxRecordedRequests ?? Infinity;
    this.asyncOutputPrefix = (options.asyncOutputPrefix ?? 's3://sagemaker-local-async').replace(/\/+$/, '');
    this.log = options.log;
    this.onHandlerError = options.onHandlerError;
    for (const [name, handler] of Object.entries(options.endpoints ?? {})) this.endpoints.set(name, handler);
    for (const [name, settings] of Object.entries(options.endpointSettings ?? {})) this.settings.set(name, settings);
    const scope = { region: this.region, accountId: this.accountId };
    this.control = new ControlPlane(scope, () =>
      catalogOf([...this.endpoints.keys()].map((name) => [name, this.settings.get(name) ?? {}] as const), this.startedAt),
    );
    if (options.objectStore) {
      this.s3 = new S3Api({ store: options.objectStore, credentials: this.credentials, region: this.region, log: options.log, maxRecorded: this.maxRecorded });
    }
  }

  /** Every request received, in order of arrival, including rejected ones. */
  get requests(): RecordedRequest[] {
    return this.recorded;
  }

  /** Accepts another key from now on, e.g. temporary credentials an STS server just issued. */
  addCredentials(credentials: ServerCredentials): void {
    if (!credentials.accessKeyId || !credentials.secretAccessKey) throw new TypeError('a credential needs accessKeyId and secretAccessKey');
    this.credentials.set(credentials.accessKeyId, { ...credentials });
  }

  /** Routes an endpoint name to a handler; `settings` are what the control plane says of it (default InService, AllTraffic). */
  setEndpoint(name: string, handler: EndpointHandler, settings?: EndpointSettings): void {
    this.endpoints.set(name, handler);
    if (settings) this.settings.set(name, settings);
  }

  removeEndpoint(name: string): void {
    this.endpoints.delete(name);
    this.settings.delete(name);
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  // -- request handling: admit (body, signature, route, input), run the handler, answer --------------------------

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.s3?.claims(req)) return this.s3.handle(req, res);
    const started = Date.now();
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: splitUrl(req).rawPath,
      headers: flattenHeaders(req),
      body: Buffer.alloc(0),
      verified: false,
      status: 0,
    };
    this.record(record);
    // One log line per request, when it is answered or its connection goes away. No query string (a presigned
    // URL carries a signature and token there), no headers.
    res.once('close', () => {
      const target = record.target === undefined ? '' : ` ${record.target}`;
      this.log?.(`${record.method} ${record.path}${target} ${record.status || '-'} ${record.errorType ?? '-'} ${Date.now() - started}ms`);
    });

    try {
      const outcome = await readBody(req, res, this.maxBodyBytes);
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'oversize') {
        // The service's HTTP front end answers this before authentication: a bare 413 without an error type.
        this.send(res, record, 413, { message: `HTTP content length exceeded ${this.maxBodyBytes} bytes.` }, undefined, {
          close: !outcome.drained,
        });
        return;
      }
      record.body = outcome.body;
      if (isControlRequest(record.method, record.path, record.headers)) {
        await this.answerControl(req, record, res);
        return;
      }
      const admitted = await this.admit(req, record);
      if ('refuse' in admitted) {
        this.sendError(res, record, admitted.refuse, admitted.message);
        return;
      }
      const result = await this.run(admitted);
      if (result === undefined) this.sendError(res, record, 'InternalFailure', INTERNAL_FAILURE);
      else await this.answer(admitted.call, req, res, record, result);
    } catch (err) {
      // Anything unexpected in the server itself: answer if still possible.
      this.onHandlerError?.(err, record.endpointName ?? '');
      if (!res.headersSent && !res.destroyed) this.sendError(res, record, 'InternalFailure', 'An internal failure occurred.');
    }
  }

  /** A control-plane request (awsJson1_1): authenticated like every other, then answered by the control plane. */
  private async answerControl(req: IncomingMessage, record: RecordedRequest, res: ServerResponse): Promise<void> {
    const target = loggableTarget(record.headers);
    if (target !== undefined) record.target = target;
    const { rawPath, rawQuery } = splitUrl(req);
    const signed = { method: record.method, rawPath, rawQuery, headers: record.headers, distinctHeaders: req.headersDistinct, body: record.body };
    const auth = await verifySignature(signed, { service: SIGNING_SERVICE, region: this.region }, this.credentials, Date.now());
    let answer: ControlAnswer;
    if (auth instanceof AuthFailure) answer = controlError(AUTH_ERROR_TYPES[auth.problem], auth.message);
    else {
      record.verified = true;
      record.accessKeyId = auth.accessKeyId;
      answer = this.control.answer(record.headers, record.body, this.credentials.get(auth.accessKeyId));
    }
    this.send(res, record, answer.status, answer.body, answer.errorType, { contentType: CONTROL_CONTENT_TYPE });
  }

  /** Authenticates and routes a request whose body was read: the call and its handler, or the error to answer. */
  private async admit(req: IncomingMessage, record: RecordedRequest): Promise<Admitted | Refusal> {
    const { rawPath, rawQuery } = splitUrl(req);
    const signed = { method: record.method, rawPath, rawQuery, headers: record.headers, distinctHeaders: req.headersDistinct, body: record.body };
    const auth = await verifySignature(signed, { service: SIGNING_SERVICE, region: this.region }, this.credentials, Date.now());
    if (auth instanceof AuthFailure) return { refuse: AUTH_ERROR_TYPES[auth.problem], message: auth.message };
    record.verified = true;
    record.accessKeyId = auth.accessKeyId;

    const route = operationOfRequest(record.method, rawPath);
    if (!route) return { refuse: 'UnknownOperationException', message: 'The requested operation is not supported.' };
    const { operation } = route;
    record.operation = operation;
    let endpointName: string;
    try {
      endpointName = decodeURIComponent(route.encodedName);
    } catch {
      return { refuse: 'ValidationError', message: 'The endpoint name in the request path is not validly URL-encoded.' };
    }
    record.endpointName = endpointName;
    const scope = { region: this.region, accountId: this.accountId };
    const denied = accessDenied(this.credentials.get(auth.accessKeyId), RUNTIME_ACTIONS[operation], endpointArn(scope, endpointName), scope);
    if (denied) return { refuse: 'AccessDeniedException', message: denied };

    if (this.validateInput) {
      const problem =
        validateInvocation(operation, endpointName, record.headers, record.body) ??
        (operation === 'async' ? asyncInputProblem(record.headers, record.body) : undefined);
      if (problem) return { refuse: 'ValidationError', message: problem };
    }
    const handler = this.endpoints.get(endpointName);
    if (!handler) return { refuse: 'ValidationError', message: `Endpoint ${endpointName} of account ${this.accountId} not found.` };
    const call: InvocationRequest = {
      operation,
      endpointName,
      headers: { ...record.headers },
      body: record.body,
      accessKeyId: auth.accessKeyId,
      ...(auth.sessionToken !== undefined ? { sessionToken: auth.sessionToken } : {}),
    };
    return { call, handler };
  }

  /** The handler's answer, or undefined when it threw or answered nothing (reported to `onHandlerError`). */
  private async run({ call, handler }: Admitted): Promise<EndpointResult | undefined> {
    try {
      const result = await handler(call);
      if (result === null || typeof result !== 'object') throw new TypeError('endpoint handler returned no result');
      return result;
    } catch (err) {
      this.onHandlerError?.(err, call.endpointName);
      return undefined;
    }
  }

  private async answer(call: InvocationRequest, req: IncomingMessage, res: ServerResponse, record: RecordedRequest, result: EndpointResult): Promise<void> {
    if (isHang(result)) return; // leave the socket open; close() or the client ends it
    if (isReset(result)) {
      const socket = req.socket;
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    if (isError(result)) {
      this.sendError(res, record, result.error, result.message, result.status, result.fields);
      return;
    }
    if (call.operation === 'async') {
      this.sendAccepted(res, record, isAccepted(result) ? result : { accepted: true });
      return;
    }
    if (isAccepted(result)) {
      this.sendError(res, record, 'InternalFailure', INTERNAL_FAILURE);
      this.onHandlerError?.(new TypeError('an accepted answer is only for async invocations'), call.endpointName);
      return;
    }
    if (call.operation === 'stream') {
      await this.sendStream(res, record, isStream(result) ? result : asStream(result));
      return;
    }
    if (isStream(result)) {
      await this.sendJoined(res, record, result);
      return;
    }
    this.send(res, record, result.status ?? 200, result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body), undefined, {
      contentType: contentTypeOf(result) ?? 'application/octet-stream',
      headers: withoutContentType(result.headers),
    });
  }

  /** InvokeEndpoint of a streaming model: the service waits for the whole answer; an exception is a ModelError. */
  private async sendJoined(res: ServerResponse, record: RecordedRequest, result: EndpointStream): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const event of result.stream) {
      if ('part' in event) chunks.push(Buffer.from(event.part));
      else {
        this.sendError(res, record, 'ModelError', `Received server error (500) from model with message "${event.message}".`, 424, {
          OriginalStatusCode: 500,
          OriginalMessage: event.message,
        });
        return;
      }
    }
    this.send(res, record, 200, Buffer.concat(chunks), undefined, {
      contentType: result.contentType ?? 'application/octet-stream',
      headers: result.headers ?? {},
    });
  }

  /** 202 with the locations in headers and the inference id in the JSON body, as InvokeEndpointAsync answers. */
  private sendAccepted(res: ServerResponse, record: RecordedRequest, accepted: EndpointAccepted): void {
    const inferenceId = accepted.inferenceId ?? record.headers[REQUEST_HEADERS.inferenceId] ?? randomUUID();
    const base = `${this.asyncOutputPrefix}/${record.endpointName ?? 'endpoint'}`;
    const name = record.headers[REQUEST_HEADERS.s3OutputPathExtension];
    const folder = name === undefined ? base : `${base}/${name.replace(/^\/+|\/+$/g, '')}`;
    const failureLocation: Record<string, string> = accepted.failureLocation === null ? {} : {
      [RESPONSE_HEADERS.failureLocation]: accepted.failureLocation ?? `${folder}/async-failures/${inferenceId}-error.out`,
    };
    this.send(res, record, 202, { InferenceId: inferenceId }, undefined, {
      headers: { [RESPONSE_HEADERS.outputLocation]: accepted.outputLocation ?? `${folder}/async-output/${inferenceId}.out`, ...failureLocation },
    });
  }

  /** 200 with `application/vnd.amazon.eventstream`, then one event-stream message per event as it comes. */
  private async sendStream(res: ServerResponse, record: RecordedRequest, stream: EndpointStream): Promise<void> {
    if (res.headersSent || res.destroyed) return;
    record.status = 200;
    record.partsSent = 0;
    record.streamEnded = false;
    writeHead(res, 200, EVENT_STREAM_CONTENT_TYPE, {
      [RESPONSE_HEADERS.modelContentType]: stream.contentType ?? 'application/octet-stream',
      ...withoutContentType(stream.headers),
    });
    res.flushHeaders();
    const end = await writeEventStream(res, stream.stream, {
      onPart: () => (record.partsSent = (record.partsSent ?? 0) + 1),
      onGone: () => (record.clientClosed = true),
    });
    if (end === 'gone') return;
    record.streamEnded = true;
    res.end();
  }

  private sendError(
    res: ServerResponse,
    record: RecordedRequest,
    type: string,
    message: string,
    status?: number,
    fields?: Record<string, unknown>,
  ): void {
    this.send(res, record, status ?? errorStatus(type), { message, ...(fields ?? {}) }, type);
  }

  /** Writes one response: a JSON object or raw bytes, with the request id and date every answer carries. */
  private send(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: Buffer | Record<string, unknown>,
    errorType: string | undefined,
    opts: { contentType?: string; headers?: Record<string, string>; close?: boolean } = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    record.status = status;
    if (errorType !== undefined) record.errorType = errorType;
    writeHead(res, status, opts.contentType ?? 'application/json', {
      ...(errorType !== undefined ? { [RESPONSE_HEADERS.errorType]: errorType } : {}),
      ...(opts.headers ?? {}),
    });
    res.setHeader('Content-Length', payload.length);
    if (opts.close) {
      res.setHeader('Connection', 'close');
      res.once('finish', () => res.socket?.destroy());
    }
    res.end(payload);
  }

  private record(entry: RecordedRequest): void {
    this.recorded.push(entry);
    while (this.recorded.length > this.maxRecorded) this.recorded.shift();
  }
}
