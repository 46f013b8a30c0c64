/**
 * The local server's HTTP/2 side: SageMaker Runtime HTTP2's InvokeEndpointWithBidirectionalStream
 * (`POST /endpoints/{EndpointName}/invocations-bidirectional-stream`), over cleartext HTTP/2 (h2c with prior
 * knowledge, what the SDK's HTTP/2 handler speaks to an http:// endpoint) or, with `tls`, HTTP/2 over TLS (ALPN h2),
 * on its own port: the service itself is HTTP/2-only on port 8443, apart from the HTTP/1.1 operations.
 *
 * A stream is admitted like a request of the other operations (SigV4 of the headers, the operation's input rules,
 * a known endpoint; errors before the stream are restJson1 answers with `x-amzn-errortype`), then answered with 200
 * and an event stream both ways: every input envelope's chained signature is checked as it arrives (bidi-input),
 * the endpoint's handler reads the parts and yields output events (bidi-output).
 */

import { randomUUID } from 'crypto';
import * as http2 from 'http2';
import { NetListener } from '../io/listener';
import type { EndpointError, ServerCredentials } from '../runtime/types';
import type { BidiAnswer, BidiCall, BidiHandler, BidiServerOptions, InputPart, RecordedBidiStream } from './bidi-types';
import { AuthFailure, verifySignature } from '../signing/sigv4';
import { AUTH_ERROR_TYPES, errorStatus, EVENT_STREAM_CONTENT_TYPE, PRODUCTION_VARIANT, SIGNING_SERVICE } from '../runtime/wire';
import { BIDI_ERROR_STATUS, BIDI_PATH, INVOKED_VARIANT_HEADER, readBidiOptions, STREAMING_EVENTS_PAYLOAD, type BidiOptions } from './bidi-rules';
import { EventSignatureChain } from '../signing/event-signature';
import { BidiInput } from './bidi-input';
import { accessDenied, RUNTIME_ACTIONS } from '../control/access';
import { endpointArn } from '../control/arn';
import { encodeErrorMessage, encodeOutputEvent, pumpOutput, writable } from './bidi-output';

type Refusal = { refuse: string; message: string };
interface Admitted {
  handler: BidiHandler;
  endpointName: string;
  options: BidiOptions;
  accessKeyId: string;
  secretAccessKey: string;
  requestSignature: string;
}

const isEndpointError = (r: BidiAnswer | EndpointError): r is EndpointError => typeof (r as EndpointError).error === 'string';

/** Lower-cased headers as strings, pseudo-headers kept (':authority' is signed), repeated ones joined. */
function flatten(headers: http2.IncomingHttpHeaders): { flat: Record<string, string>; distinct: Record<string, string[]> } {
  const flat: Record<string, string> = {};
  const distinct: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [String(value)];
    distinct[name] = values;
    flat[name] = values.join(', ');
  }
  return { flat, distinct };
}

export class BidiServer extends NetListener {
  /** The open sessions (tests check that a client closed its own). */
  private readonly sessions = new Set<http2.Http2Session>();
  private readonly credentials = new Map<string, ServerCredentials>();
  private readonly endpoints = new Map<string, BidiHandler>();
  private readonly recorded: RecordedBidiStream[] = [];
  private readonly region: string;
  private readonly accountId: string;
  private readonly maxRecorded: number;

  constructor(private readonly options: BidiServerOptions) {
    super('BidiServer');
    if (!options || !Array.isArray(options.credentials) || options.credentials.length === 0) {
      throw new TypeError('BidiServer needs at least one credential');
    }
    for (const c of options.credentials) this.addCredentials(c);
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.maxRecorded = options.maxRecordedStreams ?? Infinity;
    for (const [name, handler] of Object.entries(options.endpoints ?? {})) this.endpoints.set(name, handler);
  }

  /** Every stream received, in order of arrival, refused ones included. */
  get streams(): RecordedBidiStream[] {
    return this.recorded;
  }

  addCredentials(credentials: ServerCredentials): void {
    if (!credentials.accessKeyId || !credentials.secretAccessKey) throw new TypeError('a credential needs accessKeyId and secretAccessKey');
    this.credentials.set(credentials.accessKeyId, { ...credentials });
  }

  setEndpoint(name: string, handler: BidiHandler): void {
    this.endpoints.set(name, handler);
  }

  removeEndpoint(name: string): void {
    this.endpoints.delete(name);
  }

  clearStreams(): void {
    this.recorded.length = 0;
  }

  /**
   * Cleartext HTTP/2 (h2c) or, with `tls`, HTTP/2 over TLS; NetListener listens, gives the base URL
   * (e.g. 'http://127.0.0.1:41235') and on close destroys the sockets, and so every session and stream on them.
   */
  protected isSecure(): boolean {
    return this.options.tls !== undefined;
  }

  protected createServer(): http2.Http2Server | http2.Http2SecureServer {
    const tls = this.options.tls;
    const server = tls ? http2.createSecureServer({ ...tls, ALPNProtocols: ['h2'] }) : http2.createServer();
    // A session whose socket close() destroys, or whose client resets, has nobody to tell.
    server.on('session', (session: http2.Http2Session) => {
      this.sessions.add(session);
      session.on('error', () => undefined);
      session.once('close', () => this.sessions.delete(session));
    });
    server.on('stream', (stream, headers) => void this.onStream(stream, headers));
    return server;
  }

  // -- one stream ---------------------------------------------------------------------------------------------

  private async onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Promise<void> {
    stream.on('error', () => undefined);
    const started = Date.now();
    const { flat, distinct } = flatten(headers);
    const rawUrl = flat[':path'] ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const record: RecordedBidiStream = { path: rawPath, headers: flat, verified: false, status: 0, partsReceived: 0, partsSent: 0, ended: false };
    this.record(record);
    stream.once('close', () => {
      const parts = `${record.partsReceived} in ${record.partsSent} out`;
      this.options.log?.(`${flat[':method'] ?? ''} ${rawPath} ${record.status || '-'} ${record.errorType ?? '-'} ${parts} ${Date.now() - started}ms`);
    });
    try {
      const admitted = await this.admit(flat, distinct, rawPath, rawQuery, record);
      if ('refuse' in admitted) {
        this.sendError(stream, record, admitted.refuse, admitted.message);
        return;
      }
      await this.run(stream, record, flat, admitted);
    } catch (err) {
      this.options.onHandlerError?.(err, record.endpointName ?? '');
      this.sendError(stream, record, 'InternalServerError', 'An internal error occurred.');
    }
  }

  /** SigV4 of the headers, the operation, its streaming payload marker, its input rules, a known endpoint. */
  private async admit(
    flat: Record<string, string>,
    distinct: Record<string, string[]>,
    rawPath: string,
    rawQuery: string,
    record: RecordedBidiStream,
  ): Promise<Admitted | Refusal> {
    const method = flat[':method'] ?? '';
    // The body is signed event by event: the header signature covers the marker, taken as it is (not a body hash).
    const marker = flat['x-amz-content-sha256'];
    const signed = { method, rawPath, rawQuery, headers: flat, distinctHeaders: distinct, body: Buffer.alloc(0) };
    const scope = { service: SIGNING_SERVICE, region: this.region, payloadValues: [STREAMING_EVENTS_PAYLOAD] };
    const auth = await verifySignature(signed, scope, this.credentials, Date.now());
    if (auth instanceof AuthFailure) return { refuse: AUTH_ERROR_TYPES[auth.problem], message: auth.message };
    const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(flat['authorization'] ?? '')?.[1]?.split(';') ?? [];
    if (marker !== STREAMING_EVENTS_PAYLOAD || !signedHeaders.includes('x-amz-content-sha256')) {
      return {
        refuse: 'InvalidSignatureException',
        message: `An event-stream request must sign the header x-amz-content-sha256: ${STREAMING_EVENTS_PAYLOAD} and then sign each event.`,
      };
    }
    record.verified = true;
    const match = method === 'POST' ? BIDI_PATH.exec(rawPath) : null;
    if (!match) return { refuse: 'UnknownOperationException', message: 'The requested operation is not supported.' };
    let endpointName: string;
    try {
      endpointName = decodeURIComponent(match[1]);
    } catch {
      return { refuse: 'InputValidationError', message: 'The endpoint name in the request path is not validly URL-encoded.' };
    }
    record.endpointName = endpointName;
    const arnScope = { region: this.region, accountId: this.accountId };
    const denied = accessDenied(this.credentials.get(auth.accessKeyId), RUNTIME_ACTIONS.bidi, endpointArn(arnScope, endpointName), arnScope);
    if (denied) return { refuse: 'AccessDeniedException', message: denied };
    const contentType = flat['content-type'];
    if (contentType !== undefined && contentType.split(';')[0].trim().toLowerCase() !== EVENT_STREAM_CONTENT_TYPE) {
      return { refuse: 'InputValidationError', message: `The request body must be an event stream (Content-Type ${EVENT_STREAM_CONTENT_TYPE}).` };
    }
    const options = readBidiOptions(endpointName, flat);
    if ('problem' in options) return { refuse: 'InputValidationError', message: options.problem };
    const handler = this.endpoints.get(endpointName);
    if (!handler) return { refuse: 'InputValidationError', message: `Endpoint ${endpointName} of account ${this.accountId} not found.` };
    const key = this.credentials.get(auth.accessKeyId) as ServerCredentials;
    const requestSignature = /Signature=([0-9a-fA-F]+)/.exec(flat['authorization'] ?? '')?.[1] ?? '';
    return { handler, endpointName, options, accessKeyId: auth.accessKeyId, secretAccessKey: key.secretAccessKey, requestSignature };
  }

  /** Runs an admitted stream: input checked as it arrives, the handler's answer written as it comes. */
  private async run(stream: http2.ServerHttp2Stream, record: RecordedBidiStream, flat: Record<string, string>, a: Admitted): Promise<void> {
    // The client may have reset the stream while its signature was being checked: nothing to run then.
    if (stream.destroyed || stream.closed) return;
    const controller = new AbortController();
    stream.once('close', () => controller.abort());
    const chain = new EventSignatureChain({ secretAccessKey: a.secretAccessKey, region: this.region, service: SIGNING_SERVICE }, a.requestSignature);
    let variant = a.options.targetVariant ?? PRODUCTION_VARIANT;
    const input = new BidiInput(stream, chain, (failure) => {
      record.failure = `${failure.code}: ${failure.message}`;
      this.respond(stream, record, variant);
      endStream(stream, encodeErrorMessage(failure.code, failure.message));
      controller.abort();
    });
    const call: BidiCall = {
      endpointName: a.endpointName,
      headers: Object.fromEntries(Object.entries(flat).filter(([name]) => !name.startsWith(':'))),
      ...a.options,
      input: { [Symbol.asyncIterator]: () => countParts(input, record) },
      signal: controller.signal,
      accessKeyId: a.accessKeyId,
    };
    let answer: BidiAnswer | EndpointError;
    try {
      answer = await a.handler(call);
      if (answer === null || typeof answer !== 'object') throw new TypeError('bidirectional endpoint handler returned no answer');
    } catch (err) {
      this.options.onHandlerError?.(err, a.endpointName);
      input.finish();
      this.sendError(stream, record, 'InternalServerError', 'An internal error occurred while invoking the endpoint.');
      return;
    }
    if (isEndpointError(answer)) {
      input.finish();
      // The service names the endpoint's CloudWatch log group in every ModelError; a handler need not know it.
      const logStreamArn = `arn:aws:logs:${this.region}:${this.accountId}:log-group:/aws/sagemaker/Endpoints/${a.endpointName}`;
      const fields = answer.error === 'ModelError' ? { LogStreamArn: logStreamArn, ...(answer.fields ?? {}) } : answer.fields;
      this.sendError(stream, record, answer.error, answer.message, answer.status, fields);
      return;
    }
    variant = answer.invokedProductionVariant ?? variant;
    this.respond(stream, record, variant);
    let end: 'ended' | 'exception' | 'stopped';
    try {
      end = await pumpOutput(stream, answer.output, () => controller.signal.aborted, () => record.partsSent++);
    } catch (err) {
      // The handler's output failed mid-stream: the client hears what the service says then, InternalStreamFailure.
      this.options.onHandlerError?.(err, a.endpointName);
      record.failure = `InternalStreamFailure: ${(err as Error)?.message ?? String(err)}`;
      input.finish();
      endStream(stream, encodeOutputEvent({ error: 'InternalStreamFailure', message: 'An internal error occurred while streaming the model\'s answer.' }));
      return;
    }
    if (end === 'stopped') return;
    if (end === 'exception') record.failure = 'the model ended the stream with an exception event';
    else record.ended = true;
    input.finish();
    endStream(stream);
  }

  /** 200 and the event-stream headers, once. */
  private respond(stream: http2.ServerHttp2Stream, record: RecordedBidiStream, variant: string): void {
    if (stream.headersSent || !writable(stream)) return;
    record.status = 200;
    stream.respond({
      ':status': 200,
      'content-type': EVENT_STREAM_CONTENT_TYPE,
      [INVOKED_VARIANT_HEADER]: variant,
      'x-amzn-requestid': randomUUID(),
      date: new Date().toUTCString(),
    });
  }

  private sendError(stream: http2.ServerHttp2Stream, record: RecordedBidiStream, type: string, message: string, status?: number, fields?: Record<string, unknown>): void {
    if (stream.headersSent || !writable(stream)) return;
    const code = status ?? BIDI_ERROR_STATUS[type] ?? errorStatus(type);
    record.status = code;
    record.errorType = type;
    const body = Buffer.from(JSON.stringify({ Message: message, message, ...(fields ?? {}) }));
    stream.respond({
      ':status': code,
      'content-type': 'application/json',
      'x-amzn-errortype': type,
      'x-amzn-requestid': randomUUID(),
      'content-length': body.length,
      date: new Date().toUTCString(),
    });
    stream.end(body);
    // Tell the client to stop sending its event stream: the answer is complete (RFC 9113 8.1, RST_STREAM NO_ERROR).
    stream.once('finish', () => stream.close(http2.constants.NGHTTP2_NO_ERROR));
  }

  private record(entry: RecordedBidiStream): void {
    this.recorded.push(entry);
    while (this.recorded.length > this.maxRecorded) this.recorded.shift();
  }
}

/** The input's parts, counted into the record as the handler reads them. */
async function* countParts(input: BidiInput, record: RecordedBidiStream): AsyncGenerator<InputPart> {
  for await (const part of input) {
    record.partsReceived++;
    yield part;
  }
}

/** Ends the output side; a client still sending is told to stop (RST_STREAM NO_ERROR after the complete answer). */
function endStream(stream: http2.ServerHttp2Stream, last?: Buffer): void {
  if (!writable(stream)) return;
  if (last) stream.end(last);
  else stream.end();
  stream.once('finish', () => {
    if (!stream.closed && !stream.destroyed) setImmediate(() => stream.close(http2.constants.NGHTTP2_NO_ERROR));
  });
}
