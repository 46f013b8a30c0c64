/**
 * Mode async with `asyncResult` `wait`, as the mode runner (invoke/modes) uses it: before the call, the upload of
 * an input too big for the inline body; after it, the wait for the result object, and the message's end through
 * the outcome: the result decoded exactly as a sync answer (invoke/response), or done(err) for a failure object,
 * a timeout, an S3 error waiting cannot mend, or the node closing. No Node-RED import.
 */
import type { InvokeEndpointAsyncCommandInput, InvokeEndpointAsyncCommandOutput } from '@aws-sdk/client-sagemaker-runtime';
import { asBuffer, decodeBody } from './response';
import { asyncMetadata, type Metadata } from './metadata';
import type { Outcome, Problem } from './outcome';
import type { Running } from './dispatch';
import type { InvokeRequest } from './prepare';
import type { Call } from './call';
import type { InvokeSettings } from './../shared/invoke-settings';
import { formatS3Uri, parseS3Location, uploadLocation } from './async/s3-location';
import { putInput, type S3Problem } from './async/s3-objects';
import type { WaitGroup } from './async/wait-group';

export interface WaitContext {
  settings: InvokeSettings;
  outcome: Outcome;
  waits?: WaitGroup;
}

/** An S3 failure as the message's problem. `doing`: the locale key's variant for an upload. */
function s3Problem(outcome: Outcome, p: S3Problem, meta: Metadata, extra: Record<string, string | number> = {}): Problem {
  const message = outcome.words(p.key, { location: p.location, code: p.errorCode, message: p.message, status: p.statusCode ?? '', ...extra });
  return { message, details: { name: p.name, message, errorCode: p.errorCode, statusCode: p.statusCode, location: p.location }, short: 'S3', meta };
}

/**
 * Uploads the input when the request says so (prepare set `upload`: the body is over the inline limit), and turns
 * the request into one with InputLocation. Resolves the input to send and where the input went, or undefined when
 * the message has ended (the upload failed; nothing was sent to the endpoint).
 */
export async function uploadIfNeeded(
  ctx: WaitContext,
  running: Running<InvokeRequest>,
  signal: AbortSignal,
): Promise<{ input: InvokeEndpointAsyncCommandInput; inputLocation?: string } | undefined> {
  const { request } = running.job;
  const input = request.input as InvokeEndpointAsyncCommandInput;
  if (!request.upload || !input.Body) return { input };
  const clients = ctx.waits?.s3();
  if (!clients) {
    ctx.outcome.fail(running, ctx.outcome.notConfigured());
    return undefined;
  }
  const location = uploadLocation(request.upload, input.InferenceId ?? '', input.ContentType);
  const { Body: body, ...rest } = input;
  const problem = await putInput(clients.transfer, location, body as Uint8Array, input.ContentType, signal);
  if (problem) {
    const endpoint = input.EndpointName ?? '';
    const key = problem.key === 's3AccessDenied' ? 's3UploadDenied' : problem.key;
    ctx.outcome.fail(running, s3Problem(ctx.outcome, { ...problem, key: key as S3Problem['key'] }, { endpointName: endpoint }, { endpoint }));
    return undefined;
  }
  const inputLocation = formatS3Uri(location);
  return { input: { ...rest, InputLocation: inputLocation }, inputLocation };
}

/** After InvokeEndpointAsync answered: waits for the result and ends the message with it. */
export function waitForResult(
  ctx: WaitContext,
  running: Running<InvokeRequest>,
  call: Call,
  out: InvokeEndpointAsyncCommandOutput,
  inputLocation: string | undefined,
): void {
  const { outcome, settings } = ctx;
  const meta = asyncMetadata(call.endpointName, out, call.elapsedMs);
  if (inputLocation) meta.inputLocation = inputLocation;
  const outputLocation = out.OutputLocation ?? '';
  const failureLocation = out.FailureLocation ?? '';
  const output = parseS3Location(outputLocation);
  const names = { endpoint: call.endpointName, inferenceId: out.InferenceId ?? '', outputLocation, failureLocation: failureLocation || 'none' };
  if (!output) {
    return outcome.fail(running, outcome.problem('S3Error', 'S3', 'asyncNoLocation', names, meta));
  }
  const startedAt = performance.now();
  const timeoutMs = running.job.request.waitMs ?? 0;
  const waited = (polls: number): Metadata => ({ ...meta, waitedMs: Math.round(performance.now() - startedAt), polls });
  const started = ctx.waits?.start({
    output,
    failure: parseS3Location(failureLocation),
    timeoutMs,
    ends: {
      output: (body, contentType, polls) => {
        const m: Metadata = { ...waited(polls), ...(contentType ? { contentType } : {}) };
        let decoded: unknown;
        try {
          decoded = decodeBody(body, contentType, settings.output);
        } catch (err) {
          return outcome.fail(running, outcome.badAnswer(err, 'badJson', { ...m, rawBody: asBuffer(body) }));
        }
        outcome.deliver(running, decoded, m);
      },
      failure: (text, polls) => {
        const message = outcome.words('asyncFailed', { ...names, text });
        const details = { name: 'AsyncInferenceFailed', message, failureLocation, outputLocation, inferenceId: names.inferenceId };
        outcome.fail(running, { message, details, short: 'failed', meta: waited(polls) });
      },
      timeout: (polls) => {
        const seconds = Math.round(timeoutMs / 1000);
        const from = running.job.request.waitFrom ?? 'asyncTimeout';
        const message = outcome.words('asyncTimeout', { ...names, seconds, from });
        outcome.fail(running, { message, details: { name: 'AsyncTimeout', message, outputLocation, failureLocation }, short: 'timeout', meta: waited(polls) });
      },
      fatal: (problem, polls) => outcome.fail(running, s3Problem(outcome, problem, waited(polls))),
    },
    closed: () => outcome.fail(running, outcome.problem('AbortError', 'closed', 'asyncClosed', names, meta)),
  });
  if (!started) outcome.fail(running, outcome.problem('AbortError', 'closed', 'asyncClosed', names, meta));
}
