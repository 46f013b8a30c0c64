/**
 * A route from the local endpoint server to a model container on this machine that follows SageMaker's container
 * contract: `GET /ping` answers 200 when the model is ready, `POST /invocations` runs it. The container you run
 * here is the one you deploy, and it sees what SageMaker would send it:
 *
 * - the body, `Content-Type` and `Accept` (whichever header each operation carries them in), and the
 *   `X-Amzn-SageMaker-Custom-Attributes`, `-Target-Model`, `-Target-Variant`, `-Inference-Id` and `-Session-Id`
 *   headers; nothing else (no Authorization, no x-amz-* signing headers);
 * - no call before its `/ping` has answered 200: a call that comes first is answered ModelNotReadyException (429,
 *   which the SDK retries), one that comes after the container stopped answering gets the service's ModelError;
 * - a 4xx or 5xx answer becomes ModelError (424) with `OriginalStatusCode` and `OriginalMessage`; no answer within
 *   the timeout (60 s, as on SageMaker), a refused or broken connection becomes ModelError with status 0;
 * - for the response stream, each chunk the container writes is sent on as a payload part as it arrives;
 * - an async invocation that reaches the route (an endpoint without an `async` section: with one, async-jobs
 *   calls the route as InvokeEndpoint and stores the answer) is accepted (202) and the container invoked in the
 *   background, the outcome only logged;
 * - a call that sets `timeoutMs` (an async job's InvocationTimeoutSeconds) gets that limit instead of the route's.
 *
 * Back to the caller go the container's Content-Type, custom attributes and session headers.
 */

import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'http';
import { randomUUID } from 'crypto';
import type { EndpointHandler, EndpointResult, InvocationRequest, StreamEvent } from '../runtime/types';
import { containerError, noAnswerError, CONTAINER_HOST } from '../runtime/model-error';
import { errorStatus, PRODUCTION_VARIANT, REQUEST_HEADERS, RESPONSE_HEADERS, requestTypes } from '../runtime/wire';

export interface ContainerRouteOptions {
  /** the container's base URL, `http://host:port` */
  url: string;
  /** milliseconds a call may take before it is answered as timed out; default 60000 (SageMaker's limit) */
  timeoutMs?: number;
  /** milliseconds `/ping` may take; default 2000 (SageMaker's limit) */
  pingTimeoutMs?: number;
  /** milliseconds between health checks in the background; default 5000; 0 turns them off */
  pingIntervalMs?: number;
  /** one line when the container becomes ready or stops answering, and per async outcome */
  log?: (line: string) => void;
}

export type ContainerHealth = 'unknown' | 'healthy' | 'down';

/** Request headers a container gets: SageMaker forwards these and strips the rest. */
const FORWARDED = [
  REQUEST_HEADERS.customAttributes,
  REQUEST_HEADERS.targetModel,
  REQUEST_HEADERS.targetVariant,
  REQUEST_HEADERS.inferenceId,
  REQUEST_HEADERS.sessionId,
] as const;

/** Response headers the caller gets back from the container, spelt as the service spells them. */
const RETURNED: readonly string[] = [RESPONSE_HEADERS.customAttributes, RESPONSE_HEADERS.newSessionId, RESPONSE_HEADERS.closedSessionId];

/** The headers SageMaker sends the container for a call. */
export function containerRequestHeaders(req: InvocationRequest): Record<string, string> {
  const { contentType, accept } = requestTypes(req.operation, req.headers);
  const out: Record<string, string> = {};
  if (contentType !== undefined) out['Content-Type'] = contentType;
  if (accept !== undefined) out['Accept'] = accept;
  for (const name of FORWARDED) if (req.headers[name] !== undefined) out[name] = req.headers[name];
  return out;
}

function returnedHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = { [RESPONSE_HEADERS.invokedVariant]: PRODUCTION_VARIANT };
  for (const wire of RETURNED) {
    const value = res.headers[wire.toLowerCase()];
    if (typeof value === 'string') out[wire] = value;
  }
  return out;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ECONNREFUSED') return 'the connection was refused';
  if (e.code === 'ECONNRESET') return 'the connection was reset';
  return e.code ?? e.message ?? String(err);
}

class Timeout extends Error {}

export class ContainerRoute {
  readonly url: string;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly pingTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly log?: (line: string) => void;
  private state: ContainerHealth = 'unknown';
  private everHealthy = false;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly inFlight = new Set<ClientRequest>();
  /** answers cut short by the timeout */
  private readonly timedOut = new WeakSet<IncomingMessage>();
  /** The endpoint handler for this container. */
  readonly handler: EndpointHandler;

  constructor(options: ContainerRouteOptions) {
    const base = new URL(options.url);
    if (base.protocol !== 'http:') throw new TypeError(`a container URL must be http:// (got ${options.url})`);
    this.base = base;
    this.url = base.origin;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 2_000;
    this.pingIntervalMs = options.pingIntervalMs ?? 5_000;
    this.log = options.log;
    this.handler = (req) => this.invoke(req);
  }

  /** What the last `/ping` said. */
  get health(): ContainerHealth {
    return this.state;
  }

  /** Checks `/ping` now and then every `pingIntervalMs`, logging when the container becomes ready or goes away. */
  start(): Promise<ContainerHealth> {
    const tick = async (): Promise<void> => {
      await this.ping();
      if (!this.closed && this.pingIntervalMs > 0) {
        this.timer = setTimeout(() => void tick(), this.pingIntervalMs);
        this.timer.unref();
      }
    };
    return tick().then(() => this.state);
  }

  /** Stops the health checks and ends calls in flight. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }

  /** One `GET /ping`: healthy on 200 within the ping timeout. */
  async ping(): Promise<boolean> {
    let ok = false;
    let why = '';
    try {
      const res = await this.send('GET', '/ping', {}, undefined, this.pingTimeoutMs);
      res.resume();
      ok = res.statusCode === 200;
      why = `GET /ping answered ${res.statusCode}`;
    } catch (err) {
      why = err instanceof Timeout ? `GET /ping did not answer within ${this.pingTimeoutMs} ms` : `GET /ping failed: ${describe(err)}`;
    }
    this.setHealth(ok ? 'healthy' : 'down', why);
    return ok;
  }

  private setHealth(state: ContainerHealth, why: string): void {
    if (this.closed || state === this.state) return;
    const before = this.state;
    this.state = state;
    if (state === 'healthy') {
      this.everHealthy = true;
      this.log?.(`container ${this.url} is ready (GET /ping answered 200)`);
    } else if (before !== 'unknown' || !this.everHealthy) {
      this.log?.(`container ${this.url} is not ready: ${why}`);
    }
  }

  /**
   * Sends one request to the container; resolves its response once the headers arrive. The timeout covers the
   * whole exchange, answer included: when it runs out the request is destroyed and `timedOut` learns of it.
   */
  private send(method: string, path: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(new URL(path, this.base), {
        method,
        headers: body === undefined ? headers : { ...headers, 'Content-Length': String(body.length) },
        agent: false,
      });
      let response: IncomingMessage | undefined;
      const timer = setTimeout(() => {
        if (response) this.timedOut.add(response);
        req.destroy(new Timeout());
      }, timeoutMs);
      this.inFlight.add(req);
      req.once('close', () => {
        clearTimeout(timer);
        this.inFlight.delete(req);
      });
      req.once('error', reject);
      req.once('response', (res) => {
        response = res;
        res.once('error', () => undefined);
        resolve(res);
      });
      req.end(body);
    });
  }

  private async invoke(req: InvocationRequest): Promise<EndpointResult> {
    if (this.state !== 'healthy' && !(await this.ping())) {
      if (!this.everHealthy) {
        return {
          error: 'ModelNotReadyException',
          status: errorStatus('ModelNotReadyException'),
          message: `Model for endpoint ${req.endpointName} is not ready: its container at ${this.url} has not answered GET /ping with 200 yet.`,
        };
      }
      return noAnswerError(`Amazon SageMaker could not get a response from the ${req.endpointName} endpoint: its container at ${this.url} does not answer GET /ping.`);
    }
    const headers = containerRequestHeaders(req);
    if (req.operation === 'async') return this.invokeInBackground(req, headers);

    let res: IncomingMessage;
    try {
      res = await this.send('POST', '/invocations', headers, req.body, req.timeoutMs ?? this.timeoutMs);
    } catch (err) {
      return this.failure(err, req);
    }
    const status = res.statusCode ?? 0;
    const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
    if (status >= 200 && status < 300 && req.operation === 'stream') {
      return { stream: this.parts(res), contentType, headers: returnedHeaders(res) };
    }
    let body: Buffer;
    try {
      body = await readAll(res);
    } catch (err) {
      return this.failure(this.timedOut.has(res) ? new Timeout() : err, req);
    }
    if (status < 200 || status >= 300) return containerError(status, body.toString('utf8'));
    return { body, contentType, headers: returnedHeaders(res) };
  }

  private failure(err: unknown, req: InvocationRequest): EndpointResult {
    if (err instanceof Timeout) {
      return noAnswerError(
        `Your invocation timed out while waiting for a response from container ${CONTAINER_HOST}. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.`,
      );
    }
    this.setHealth('down', `POST /invocations failed: ${describe(err)}`);
    return noAnswerError(`Amazon SageMaker could not get a response from the ${req.endpointName} endpoint: ${describe(err)} by its container at ${this.url}.`);
  }

  /** The container's chunked answer as payload parts, as they arrive; a broken answer ends in ModelStreamError. */
  private async *parts(res: IncomingMessage): AsyncGenerator<StreamEvent> {
    try {
      for await (const chunk of res) yield { part: chunk as Buffer };
      if (!res.complete) throw new Error('the container closed the connection mid-answer');
    } catch (err) {
      const late = this.timedOut.has(res);
      yield {
        error: 'ModelStreamError',
        errorCode: late ? 'ModelInvocationTimeExceeded' : 'StreamBroken',
        message: late ? `The model did not finish its answer within ${this.timeoutMs} ms.` : `The model's stream broke: ${describe(err)}.`,
      };
    } finally {
      // The caller left (or the stream ended): do not leave the container's answer hanging.
      if (!res.complete) res.destroy();
    }
  }

  private invokeInBackground(req: InvocationRequest, headers: Record<string, string>): EndpointResult {
    const inferenceId = req.headers[REQUEST_HEADERS.inferenceId] ?? randomUUID();
    if (req.body.length === 0) {
      this.log?.(`async ${inferenceId} for ${req.endpointName}: its input is in ${req.headers[REQUEST_HEADERS.inputLocation]}, which this local server cannot read; the container was not called`);
      return { accepted: true, inferenceId };
    }
    void this.send('POST', '/invocations', headers, req.body, this.timeoutMs)
      .then(async (res) => {
        const body = await readAll(res);
        this.log?.(`async ${inferenceId} for ${req.endpointName}: the container answered ${res.statusCode} with ${body.length} bytes (not stored: there is no S3 here)`);
      })
      .catch((err: unknown) => {
        this.log?.(`async ${inferenceId} for ${req.endpointName}: the container did not answer: ${err instanceof Timeout ? 'timed out' : describe(err)}`);
      });
    return { accepted: true, inferenceId };
  }
}

function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => (res.complete ? resolve(Buffer.concat(chunks)) : reject(new Error('the container closed the connection mid-answer'))));
    res.once('error', reject);
    res.once('close', () => {
      if (!res.complete) reject(new Error('the container closed the connection mid-answer'));
    });
  });
}
