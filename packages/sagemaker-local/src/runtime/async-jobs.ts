/**
 * Asynchronous inference for one endpoint of the local server, as SageMaker runs it: InvokeEndpointAsync is
 * answered 202 at once with the output and failure locations, the job waits in the endpoint's queue, then the model
 * runs on the input (the inline body, or the `InputLocation` object read from the server's own S3 store) and its
 * answer is written to the output location with the model's content type, or a text saying what failed to the
 * failure location: the model's error, `InvocationTimeoutSeconds` passed, `RequestTTLSeconds` passed in the queue,
 * or an input object that is not there.
 *
 * Cheap when many wait: one FIFO queue and one timer per endpoint (every job waits the same `delayMs`, so they fall
 * due in arrival order), at most `maxConcurrentInvocations` models running, and a queued job keeps only its
 * locations, a few headers and an inline body of at most 128,000 bytes.
 */

import { randomUUID } from 'crypto';
import type { EndpointHandler, EndpointResult, InvocationRequest } from './types';
import { contentTypeOf, isAccepted, isError, isHang, isReset, isStream } from './results';
import { DEFAULT_OBJECT_TYPE, parseS3Uri, type ObjectStore } from '../s3/s3-store';
import { REQUEST_HEADERS, requestTypes } from './wire';

export interface AsyncJobsOptions {
  endpointName: string;
  /** `s3://bucket/prefix` (no trailing slash) */
  outputPath: string;
  failurePath?: string;
  delayMs: number;
  maxConcurrentInvocations: number;
  /** the model, without the front door's throttle */
  model: EndpointHandler;
  store: ObjectStore;
  /** one line per finished job */
  log?: (line: string) => void;
}

/** The service's defaults when the call does not set them. */
export const DEFAULT_REQUEST_TTL_SECONDS = 21_600;
export const DEFAULT_INVOCATION_TIMEOUT_SECONDS = 900;

const FAILURE_TYPE = 'text/plain; charset=utf-8';

interface Job {
  inferenceId: string;
  outputLocation: string;
  failureLocation?: string;
  inline?: Buffer;
  inputLocation?: string;
  /** the headers the model gets, in InvokeEndpoint's places */
  modelHeaders: Record<string, string>;
  accessKeyId: string;
  accepted: number;
  due: number;
  expires: number;
  timeoutMs: number;
}

/** What the model made of a job: an answer to store, or a text saying why there is none. */
type Outcome = { body: Buffer; contentType: string } | { failure: string };

/** Headers SageMaker passes on to the model of an async job (besides the content types). */
const PASSED_ON = [REQUEST_HEADERS.customAttributes, REQUEST_HEADERS.inferenceId] as const;

function seconds(header: string | undefined, fallback: number): number {
  const n = Number(header);
  return header !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}

export class AsyncJobs {
  private readonly options: AsyncJobsOptions;
  /** FIFO from `head`; a taken job's slot is cleared at once so its inline body can be freed */
  private queue: Array<Job | undefined> = [];
  private head = 0;
  private running = 0;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(options: AsyncJobsOptions) {
    this.options = options;
  }

  /** Jobs waiting for their turn, and jobs whose model is running. */
  get size(): { queued: number; running: number } {
    return { queued: this.queue.length - this.head, running: this.running };
  }

  /** Accepts an InvokeEndpointAsync call: queues its job and answers where the result will be. */
  accept(req: InvocationRequest): EndpointResult {
    const h = req.headers;
    const inferenceId = h[REQUEST_HEADERS.inferenceId] ?? randomUUID();
    const extension = h[REQUEST_HEADERS.s3OutputPathExtension]?.replace(/^\/+|\/+$/g, '');
    const under = (path: string): string => (extension ? `${path}/${extension}` : path);
    const outputLocation = `${under(this.options.outputPath)}/${h[REQUEST_HEADERS.filename] ?? `${inferenceId}.out`}`;
    const failureLocation = this.options.failurePath === undefined ? undefined : `${under(this.options.failurePath)}/${inferenceId}-error.out`;
    const { contentType, accept } = requestTypes('async', h);
    const modelHeaders: Record<string, string> = {};
    if (contentType !== undefined) modelHeaders['content-type'] = contentType;
    if (accept !== undefined) modelHeaders['accept'] = accept;
    for (const name of PASSED_ON) if (h[name] !== undefined) modelHeaders[name] = h[name];
    modelHeaders[REQUEST_HEADERS.inferenceId] = inferenceId;
    const now = Date.now();
    this.queue.push({
      inferenceId,
      outputLocation,
      ...(failureLocation !== undefined ? { failureLocation } : {}),
      ...(req.body.length > 0 ? { inline: req.body } : { inputLocation: h[REQUEST_HEADERS.inputLocation] }),
      modelHeaders,
      accessKeyId: req.accessKeyId,
      accepted: now,
      due: now + this.options.delayMs,
      expires: now + seconds(h[REQUEST_HEADERS.requestTTLSeconds], DEFAULT_REQUEST_TTL_SECONDS) * 1000,
      timeoutMs: seconds(h[REQUEST_HEADERS.invocationTimeoutSeconds], DEFAULT_INVOCATION_TIMEOUT_SECONDS) * 1000,
    });
    this.pump();
    return { accepted: true, inferenceId, outputLocation, failureLocation: failureLocation ?? null };
  }

  /** Drops every queued job and stops the timer (running models finish, their answers are not stored). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }

  /** Starts every due job there is room for, and sets the one timer for the next job to fall due. */
  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    let next = this.queue[this.head];
    while (next !== undefined && this.running < this.options.maxConcurrentInvocations && next.due <= now) {
      const job = next;
      this.queue[this.head] = undefined;
      this.head += 1;
      this.running += 1;
      void this.run(job)
        .catch((err: unknown) => this.options.log?.(`async ${job.inferenceId}: internal error: ${(err as Error)?.message ?? String(err)}`))
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
      next = this.queue[this.head];
    }
    // Reclaim the consumed front of the queue when it is empty, or now and then while it is long.
    if (this.head === this.queue.length || (this.head > 1024 && this.head * 2 > this.queue.length)) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.timer === undefined && next !== undefined && this.running < this.options.maxConcurrentInvocations) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(0, next.due - now));
    }
  }

  private async run(job: Job): Promise<void> {
    const started = Date.now();
    const outcome = await this.outcome(job, started);
    if (this.closed) return;
    const { log, endpointName } = this.options;
    const took = `${Date.now() - started} ms after ${started - job.accepted} ms in the queue`;
    if ('body' in outcome) {
      const written = this.write(job.outputLocation, outcome.body, outcome.contentType);
      if (written === undefined) {
        log?.(`async ${job.inferenceId} for ${endpointName}: output ${job.outputLocation} (${outcome.body.length} bytes), ${took}`);
        return;
      }
      // The answer could not be stored: that is a failure too.
      this.fail(job, `The output could not be written to ${job.outputLocation}: ${written}`, took);
      return;
    }
    this.fail(job, outcome.failure, took);
  }

  private fail(job: Job, text: string, took: string): void {
    const { log, endpointName } = this.options;
    if (job.failureLocation === undefined) {
      log?.(`async ${job.inferenceId} for ${endpointName}: failed (the endpoint has no failure path), ${took}: ${text}`);
      return;
    }
    const written = this.write(job.failureLocation, Buffer.from(text, 'utf8'), FAILURE_TYPE);
    log?.(`async ${job.inferenceId} for ${endpointName}: ${written ?? `failure ${job.failureLocation}`}, ${took}: ${text}`);
  }

  /** Stores an object at an s3:// location; undefined when stored, else why not. */
  private write(location: string, body: Buffer, contentType: string): string | undefined {
    const where = parseS3Uri(location);
    if (!where) return `${location} is not an S3 location`;
    const put = this.options.store.put(where.bucket, where.key, { body, contentType, metadata: {} });
    if (put.kind === 'ok') return undefined;
    if (put.kind === 'noSuchBucket') return `bucket ${where.bucket} is not served by this server`;
    if (put.kind === 'tooLarge') return `it is over s3.maxObjectBytes (${this.options.store.maxObjectBytes} bytes)`;
    return `the in-memory store is full (s3.maxTotalBytes, ${this.options.store.maxTotalBytes} bytes)`;
  }

  /** Reads the input, runs the model within the job's time limit, and says what came of it. */
  private async outcome(job: Job, started: number): Promise<Outcome> {
    if (started > job.expires) {
      return { failure: `The request expired: it waited ${Math.round((started - job.accepted) / 1000)} s in the queue, longer than its RequestTTLSeconds.` };
    }
    const input = this.input(job);
    if (typeof input === 'string') return { failure: input };
    const headers = { ...job.modelHeaders };
    if (headers['content-type'] === undefined && input.contentType !== undefined) headers['content-type'] = input.contentType;
    const call: InvocationRequest = {
      operation: 'invoke',
      endpointName: this.options.endpointName,
      headers,
      body: input.body,
      accessKeyId: job.accessKeyId,
      timeoutMs: job.timeoutMs,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      // A little after the limit, so a route that keeps the limit itself (a container) reports it in its own words.
      timer = setTimeout(() => resolve('timeout'), job.timeoutMs + 250);
    });
    try {
      const answered = Promise.resolve()
        .then(() => this.options.model(call))
        .then((result) => this.answerOf(result));
      const outcome = await Promise.race([answered, timedOut]);
      if (outcome === 'timeout') return { failure: `The model did not answer within InvocationTimeoutSeconds (${job.timeoutMs / 1000} s).` };
      return outcome;
    } catch (err) {
      return { failure: `The model failed: ${(err as Error)?.message ?? String(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The job's input: the inline body, or the object at its InputLocation; else why there is none. */
  private input(job: Job): { body: Buffer; contentType?: string } | string {
    if (job.inline !== undefined) return { body: job.inline };
    const location = job.inputLocation ?? '';
    const where = parseS3Uri(location);
    if (!where) return `The input location ${location} is not an S3 location this server can read.`;
    if (!this.options.store.hasBucket(where.bucket)) {
      return `The input location ${location} could not be read: NoSuchBucket: bucket ${where.bucket} is not served by this server.`;
    }
    const object = this.options.store.get(where.bucket, where.key);
    if (!object) return `The input location ${location} could not be read: NoSuchKey: the object does not exist.`;
    return { body: object.body, ...(object.contentType !== DEFAULT_OBJECT_TYPE ? { contentType: object.contentType } : {}) };
  }

  /** A model's answer as an object to store, or the failure text. */
  private async answerOf(result: EndpointResult): Promise<Outcome> {
    if (isError(result)) return { failure: `${result.error}: ${result.message}` };
    if (isHang(result)) return new Promise<Outcome>(() => undefined); // the timeout answers
    if (isReset(result)) return { failure: 'The model closed the connection without an answer.' };
    if (isAccepted(result)) return { failure: 'The model answered as if the call were asynchronous.' };
    if (isStream(result)) {
      const parts: Buffer[] = [];
      for await (const event of result.stream) {
        if ('part' in event) parts.push(Buffer.from(event.part));
        else return { failure: `${event.error}: ${event.message}` };
      }
      return { body: Buffer.concat(parts), contentType: result.contentType ?? 'application/octet-stream' };
    }
    const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body);
    return { body, contentType: contentTypeOf(result) ?? 'application/octet-stream' };
  }
}
