/**
 * What the invoke node does with a request the dispatcher starts, per mode: `invoke` (one answer), `async` (where the
 * answer will be), a batch (one answer cut into one result per message); `stream` is in stream-mode.ts. Each makes
 * one call (call.ts) and ends its messages through the outcome (outcome.ts). No Node-RED import.
 */
import {
  InvokeEndpointAsyncCommand,
  InvokeEndpointCommand,
  type InvokeEndpointCommandInput,
} from '@aws-sdk/client-sagemaker-runtime';
import type { InvokeSettings } from '../shared/invoke-settings';
import { asyncMetadata, invokeMetadata } from './metadata';
import { asBuffer, decodeBody } from './response';
import { splitAnswer } from './batch';
import { Call } from './call';
import { batchMetadata, type Problem } from './outcome';
import { runStream } from './stream-mode';
import type { ModeContext } from './mode-context';
import type { DispatchHandlers, Running } from './dispatch';
import type { InvokeRequest } from './prepare';
import { uploadIfNeeded, waitForResult } from './async-mode';
import { withOneAttempt } from '../config/abort-context';



type Run = (running: Running<InvokeRequest>, call: Call, signal: AbortSignal) => Promise<void>;

/** mode invoke: one InvokeEndpoint call, one msg out. */
async function runInvoke(ctx: ModeContext, running: Running<InvokeRequest>, call: Call, signal: AbortSignal): Promise<void> {
  const result = await call.send(new InvokeEndpointCommand(running.job.request.input as InvokeEndpointCommandInput), signal);
  if (!result.ok) return ctx.outcome.fail(running, ctx.outcome.callFailed(result.failure));
  const { out } = result;
  const meta = invokeMetadata(call.endpointName, call.inferenceId, out, call.elapsedMs);
  let decoded: unknown;
  try {
    decoded = decodeBody(out.Body, out.ContentType, ctx.settings.output);
  } catch (err) {
    meta.rawBody = asBuffer(out.Body ?? new Uint8Array(0));
    return ctx.outcome.fail(running, ctx.outcome.badAnswer(err, 'badJson', meta));
  }
  ctx.outcome.deliver(running, decoded, meta);
}

/**
 * mode async: InvokeEndpointAsync (after uploading an input over the inline limit); the answer is where the result
 * will be written or, with asyncResult wait, the result itself once it is there (the wait holds no in-flight place).
 */
async function runAsync(ctx: ModeContext, running: Running<InvokeRequest>, call: Call, signal: AbortSignal): Promise<void> {
  const uploaded = await uploadIfNeeded(ctx, running, signal);
  if (!uploaded) return;
  const result = await call.send(new InvokeEndpointAsyncCommand(uploaded.input), signal);
  if (!result.ok) return ctx.outcome.fail(running, ctx.outcome.callFailed(result.failure));
  const { out } = result;
  if (ctx.settings.asyncResult === 'wait') return waitForResult(ctx, running, call, out, uploaded.inputLocation);
  const value = { inferenceId: out.InferenceId, outputLocation: out.OutputLocation, failureLocation: out.FailureLocation };
  const meta = asyncMetadata(call.endpointName, out, call.elapsedMs);
  if (uploaded.inputLocation) meta.inputLocation = uploaded.inputLocation;
  ctx.outcome.deliver(running, value, meta);
}

/**
 * A batch: one InvokeEndpoint call carries it; each message leaves on its own with its own result, in the order
 * the messages came in, or the whole batch fails, each message with the reason.
 */
async function runBatch(ctx: ModeContext, input: InvokeEndpointCommandInput, runs: Running<InvokeRequest>[], signal: AbortSignal): Promise<void> {
  const { outcome, settings } = ctx;
  const size = runs.length;
  const failEach = (problem: Problem): void => {
    const message = outcome.words('batchFailed', { reason: problem.message, size });
    runs.forEach((r, index) => outcome.fail(r, { ...problem, message, meta: batchMetadata(problem.meta ?? {}, size, index) }));
  };
  const call = callFor(ctx, input, runs[0]?.job.request.requestTimeout);
  if (!call) return runs.forEach((r) => outcome.fail(r, outcome.notConfigured()));
  const result = await call.send(new InvokeEndpointCommand(input), signal);
  if (!result.ok) return failEach(outcome.callFailed(result.failure));
  const { out } = result;
  const meta = invokeMetadata(call.endpointName, call.inferenceId, out, call.elapsedMs);
  let results: unknown[];
  try {
    results = splitAnswer(out.Body, out.ContentType, size, { output: settings.output, format: settings.batchFormat, batchKey: settings.batchKey });
  } catch (err) {
    const raw = { ...meta, rawBody: asBuffer(out.Body ?? new Uint8Array(0)) };
    return failEach(outcome.badAnswer(err, 'bad answer', raw, { endpoint: call.endpointName }));
  }
  runs.forEach((r, index) => outcome.deliver(r, results[index], batchMetadata(meta, size, index)));
}

/** A call for this input, or undefined when the config node has no client (it was closed). */
function callFor(ctx: ModeContext, input: { EndpointName?: string; InferenceId?: string }, requestTimeout?: number): Call | undefined {
  const connection = ctx.connection();
  return connection && new Call(connection, input.EndpointName ?? '', input.InferenceId, requestTimeout);
}

/** The dispatcher's runners for the node's mode. */
export function modeHandlers(ctx: ModeContext): Pick<DispatchHandlers<InvokeRequest>, 'run' | 'runBatch'> {
  const runs: Record<InvokeSettings['mode'], Run> = {
    invoke: (running, call, signal) => runInvoke(ctx, running, call, signal),
    async: (running, call, signal) => runAsync(ctx, running, call, signal),
    stream: (running, call, signal) => runStream(ctx, running, call, signal),
  };
  const run = runs[ctx.settings.mode];
  // The probe of an outage (onUnreachable hold) is one attempt, without the SDK's retries.
  const once = (probe: boolean | undefined, work: () => Promise<void>): Promise<void> => (probe ? withOneAttempt(work) : work());
  return {
    run: (running, signal) =>
      once(running.probe, async () => {
        const call = callFor(ctx, running.job.request.input, running.job.request.requestTimeout);
        if (!call) return ctx.outcome.fail(running, ctx.outcome.notConfigured());
        await run(running, call, signal);
      }),
    runBatch: (batch, runs, signal) =>
      once(runs[0]?.probe, () => runBatch(ctx, { ...batch.fields, Body: batch.body } as InvokeEndpointCommandInput, runs, signal)),
  };
}
