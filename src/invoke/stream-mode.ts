/**
 * mode stream: one message per part (or per line) as the parts arrive, numbered as a sequence a Join node
 * rebuilds; the last one carries `complete` and the metadata. The input msg ends when the stream does.
 * No Node-RED import.
 */
import {
  InvokeEndpointWithResponseStreamCommand,
  type InvokeEndpointWithResponseStreamCommandInput,
  type InvokeEndpointWithResponseStreamCommandOutput,
} from '@aws-sdk/client-sagemaker-runtime';
import { FlowError } from '../shared/flow-error';
import { METADATA_PROPERTY } from '../shared/names';
import { streamMetadata } from './metadata';
import { PartSequencer, StreamDecoder, type SequencedPart } from './stream';
import { setMsgProperty, type MsgLike } from './request';
import type { Call } from './call';
import type { Running } from './dispatch';
import type { ModeContext } from './mode-context';
import type { InvokeRequest } from './prepare';

export async function runStream(ctx: ModeContext, running: Running<InvokeRequest>, call: Call, closing: AbortSignal): Promise<void> {
  // A stream has its own controller too: a line that does not parse ends this stream alone.
  const abort = new AbortController();
  const onClose = (): void => abort.abort();
  closing.addEventListener('abort', onClose, { once: true });
  try {
    const input = running.job.request.input as InvokeEndpointWithResponseStreamCommandInput;
    // The SDK reads the first event before it answers, so a stream that fails at once fails here, after 0 parts.
    const result = await call.send(new InvokeEndpointWithResponseStreamCommand(input), abort.signal, 0);
    if (!result.ok) return ctx.outcome.fail(running, ctx.outcome.callFailed(result.failure));
    await readStream(ctx, running, call, result.out, abort);
  } finally {
    closing.removeEventListener('abort', onClose);
  }
}

async function readStream(
  ctx: ModeContext,
  running: Running<InvokeRequest>,
  call: Call,
  out: InvokeEndpointWithResponseStreamCommandOutput,
  abort: AbortController,
): Promise<void> {
  const { settings, outcome } = ctx;
  const { msg } = running;
  const decoder = new StreamDecoder(settings.output, settings.streamSplit, out.ContentType);
  // Made at the first unit, or at the end: under `auto`, the first server-sent event settles the parts' type.
  let sequencer: PartSequencer | undefined;
  const sequence = (): PartSequencer =>
    (sequencer ??= new PartSequencer({
      id: String(msg._msgid),
      type: decoder.partsType,
      ch: decoder.joinChar,
      property: settings.outputProperty === 'payload' ? undefined : settings.outputProperty,
      parts: msg.parts,
    }));
  const emit = (part: SequencedPart | undefined, target: MsgLike = ctx.clone(msg)): void => {
    if (!part) return;
    setMsgProperty(target, settings.outputProperty, part.value);
    target.parts = part.parts;
    // A part's msg has only its own event name and id, never those of an earlier answer the input msg carried.
    if (part.label) target[METADATA_PROPERTY] = { ...withoutEventLabel(target[METADATA_PROPERTY]), ...part.label };
    else if (hasEventLabel(target[METADATA_PROPERTY])) target[METADATA_PROPERTY] = withoutEventLabel(target[METADATA_PROPERTY]);
    running.send(target);
  };

  let received = 0;
  let firstPartMs: number | undefined;
  try {
    for await (const event of out.Body ?? []) {
      const bytes = event.PayloadPart?.Bytes;
      if (!bytes) continue; // an event type this client does not know: nothing to send
      received += 1;
      call.received(bytes.byteLength);
      firstPartMs ??= call.elapsedMs;
      for (const unit of decoder.push(bytes)) emit(sequence().push(unit));
      if (decoder.failure) throw decoder.failure;
    }
    for (const unit of decoder.end()) emit(sequence().push(unit));
    if (decoder.failure) throw decoder.failure;
  } catch (caught) {
    let error = caught;
    if (abort.signal.aborted) {
      // Closing the node aborted it (the socket then reports a reset): the node is going away, send nothing more.
      error = Object.assign(new Error('The stream was aborted'), { name: 'AbortError' });
    } else {
      abort.abort(); // stop reading and release the connection (a bad line ends the stream)
      emit(sequencer?.flush()); // what arrived goes on
    }
    if (error instanceof FlowError) {
      const problem = outcome.badAnswer(error, 'badJson', { endpointName: call.endpointName, partsReceived: received });
      return outcome.fail(running, { ...problem, details: { ...problem.details, partsReceived: received } });
    }
    // After the answer began, a connection that breaks is a broken stream, not an endpoint out of reach.
    return outcome.fail(running, outcome.callFailed(call.failure(error, received, true)));
  }
  // The last message is the input msg itself, with the metadata and `complete`.
  const last = sequence().finish();
  const meta = streamMetadata(call.endpointName, call.inferenceId, out, call.elapsedMs, received, firstPartMs);
  outcome.write(msg, last.value, last.label ? { ...meta, ...last.label } : meta);
  msg.parts = last.parts;
  msg.complete = true;
  running.send(msg);
  running.done();
}

/**
 * A copy of the msg.sagemaker a part's msg carries (a copy of the input msg's), without the event name and id of
 * an earlier answer: a part's msg has only its own.
 */
function hasEventLabel(meta: unknown): boolean {
  return meta !== null && typeof meta === 'object' && ('event' in meta || 'eventId' in meta);
}

function withoutEventLabel(meta: unknown): Record<string, unknown> {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return {};
  const { event: _event, eventId: _eventId, ...rest } = meta as Record<string, unknown>;
  return rest;
}
