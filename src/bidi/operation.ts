/**
 * InvokeEndpointWithBidirectionalStream as an SDK command, and openBidiStream, the one call the bidi node makes.
 *
 * The command is built with the SDK's own Command builder from the operation schema in ./schemas, so the SDK does
 * everything on the wire: the restJson1 protocol binds the path and headers, the event-stream serde turns each part
 * into an event (and the end of input into the end frame), the SigV4 signer signs the request, and the event-stream
 * handler from @aws-sdk/eventstream-handler-node signs each event, chained from the request's signature, over the
 * HTTP/2 handler of the bidi client (src/bidi/client). No Node-RED import.
 *
 * The SDK's send() resolves when the first answer event arrives, so the input must be an async iterable that yields
 * parts as they come (an InputQueue): never something awaited before the call returns.
 */
import { $Command, InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { getEventStreamPlugin } from '@aws-sdk/middleware-eventstream';
import type { MetadataBearer, MiddlewareStack, Pluggable } from '@smithy/types';
import { InvokeEndpointWithBidirectionalStream } from './schemas';
import { withResponseHook } from '../config/bidi-transport';

export const DATA_TYPES = ['UTF8', 'BINARY'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const COMPLETION_STATES = ['PARTIAL', 'COMPLETE'] as const;
export type CompletionState = (typeof COMPLETION_STATES)[number];

/** One payload part, in either direction. */
export interface BidiPart {
  bytes: Uint8Array;
  dataType: DataType;
  completionState: CompletionState;
}

/** Where a stream goes: the request's path and headers. */
export interface BidiTarget {
  endpointName: string;
  targetVariant?: string;
  modelInvocationPath?: string;
  modelQueryString?: string;
}

/** What the model sends: parts, or one failure that ends the stream. */
export type BidiEvent =
  | ({ kind: 'part' } & BidiPart)
  | { kind: 'modelStreamError'; message: string; errorCode?: string }
  | { kind: 'internalStreamFailure'; message: string };

export interface BidiStream {
  /** the production variant that serves the stream (X-Amzn-Invoked-Production-Variant) */
  invokedProductionVariant?: string;
  /** the answer events in order; it ends when the model ends the stream, and throws on a transport failure or abort */
  events: AsyncIterable<BidiEvent>;
}

/** The client openBidiStream sends through: a SageMaker Runtime client made by createBidiClient. */
export type BidiClient = SageMakerRuntimeClient;

interface WirePart {
  Bytes?: Uint8Array;
  DataType?: string;
  CompletionState?: string;
  P?: string;
}
interface CommandInput {
  EndpointName: string;
  Body: AsyncIterable<{ PayloadPart: WirePart }>;
  TargetVariant?: string;
  ModelInvocationPath?: string;
  ModelQueryString?: string;
}
type WireEvent = { PayloadPart?: WirePart; ModelStreamError?: StreamFault; InternalStreamFailure?: StreamFault };
interface CommandOutput extends MetadataBearer {
  Body?: AsyncIterable<WireEvent>;
  InvokedProductionVariant?: string;
}
interface StreamFault {
  name?: string;
  message?: string;
  Message?: string;
  ErrorCode?: string;
}
type CommandConfig = BidiClient['config'];

/**
 * The SDK's endpoint middleware, as the client's own commands add it (getEndpointPlugin is in @smithy/core, which
 * this package does not import at run time): a command of the same client resolves its middleware once, and its
 * stack, which then holds exactly that plugin, is applied to ours. It resolves the client's endpointProvider.
 */
const endpointPlugins = new WeakMap<object, Pluggable<object, MetadataBearer>>();
function sdkEndpointPlugin(clientStack: MiddlewareStack<object, MetadataBearer>, config: CommandConfig): Pluggable<object, MetadataBearer> {
  let plugin = endpointPlugins.get(config);
  if (!plugin) {
    const probe = new InvokeEndpointCommand({ EndpointName: 'probe', Body: new Uint8Array(0) });
    probe.resolveMiddleware(clientStack as Parameters<typeof probe.resolveMiddleware>[0], config, undefined);
    plugin = probe.middlewareStack as unknown as Pluggable<object, MetadataBearer>;
    endpointPlugins.set(config, plugin);
  }
  return plugin;
}

export const InvokeEndpointWithBidirectionalStreamCommand = $Command
  .classBuilder<CommandInput, CommandOutput, CommandConfig>()
  .ep(InvokeEndpointCommand.getEndpointParameterInstructions())
  .m(function (_Command: unknown, clientStack: MiddlewareStack<object, MetadataBearer>, config: CommandConfig) {
    return [sdkEndpointPlugin(clientStack, config), getEventStreamPlugin(config as unknown as Parameters<typeof getEventStreamPlugin>[0])];
  })
  .s('AmazonSageMakerRuntimeHttp2', 'InvokeEndpointWithBidirectionalStream', {
    eventStream: { input: true, output: true },
  })
  .n('SageMakerRuntimeHttp2Client', 'InvokeEndpointWithBidirectionalStreamCommand')
  .sc(InvokeEndpointWithBidirectionalStream)
  .build();

/** Our parts as the wire's PayloadPart events; return() reaches the source at once, so a stopped stream frees it. */
function wireEvents(input: AsyncIterable<BidiPart>): AsyncIterable<{ PayloadPart: WirePart }> & { stop(): void } {
  const source = input[Symbol.asyncIterator]();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    void source.return?.().catch(() => undefined);
  };
  const iterator: AsyncIterator<{ PayloadPart: WirePart }> = {
    next: async () => {
      if (stopped) return { value: undefined, done: true };
      const r = await source.next();
      if (r.done) return { value: undefined, done: true };
      const part = r.value;
      return {
        value: { PayloadPart: { Bytes: part.bytes, DataType: part.dataType, CompletionState: part.completionState } },
        done: false,
      };
    },
    return: async () => {
      stop();
      return { value: undefined, done: true };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator, stop };
}

const faultMessage = (f: StreamFault): string => f.Message ?? f.message ?? '';

/** A modeled failure inside the stream as an event; undefined for anything else. */
function faultEvent(err: unknown): BidiEvent | undefined {
  const f = err as StreamFault | undefined;
  if (f?.name === 'ModelStreamError') return { kind: 'modelStreamError', message: faultMessage(f), errorCode: f.ErrorCode };
  if (f?.name === 'InternalStreamFailure') return { kind: 'internalStreamFailure', message: faultMessage(f) };
  return undefined;
}

function toEvent(e: WireEvent): BidiEvent | undefined {
  if (e.PayloadPart) {
    const p = e.PayloadPart;
    return {
      kind: 'part',
      bytes: p.Bytes ?? new Uint8Array(0),
      // The service treats a part without these headers as BINARY and COMPLETE.
      dataType: p.DataType === 'UTF8' ? 'UTF8' : 'BINARY',
      completionState: p.CompletionState === 'PARTIAL' ? 'PARTIAL' : 'COMPLETE',
    };
  }
  if (e.ModelStreamError) return faultEvent({ ...e.ModelStreamError, name: 'ModelStreamError' });
  if (e.InternalStreamFailure) return faultEvent({ ...e.InternalStreamFailure, name: 'InternalStreamFailure' });
  return undefined;
}

/** The answer events; a modeled failure becomes the last event, and the input stops when the answers stop. */
async function* answerEvents(body: AsyncIterable<WireEvent> | undefined, stopInput: () => void): AsyncGenerator<BidiEvent> {
  try {
    if (!body) return;
    for await (const wire of body) {
      const event = toEvent(wire);
      if (!event) continue;
      yield event;
      if (event.kind !== 'part') return;
    }
  } catch (err) {
    const event = faultEvent(err);
    if (!event) throw err;
    yield event;
  } finally {
    stopInput();
  }
}

/** Told as soon as the service accepts the stream (its 200), which can be long before the first answer. */
export interface OpenHooks {
  opened?(info: { invokedProductionVariant?: string }): void;
}

/**
 * Opens one bidirectional stream and resolves when the model's first answer arrives (or its stream ends without
 * one): the SDK's send() for an event stream resolves then. `hooks.opened` is called earlier, when the service
 * accepts the stream (200), so that a caller can count the parts taken until then as sent even if the model answers
 * only later (after a COMPLETE part, say). Rejects before the stream with the SDK's modeled errors
 * (InputValidationError, ModelError, InternalServerError, ServiceUnavailableError, by `name`), a credentials or
 * transport error, or an AbortError. `input` is read as the wire takes parts; aborting `abortSignal` resets the
 * stream at any time.
 */
export async function openBidiStream(
  client: BidiClient,
  target: BidiTarget,
  input: AsyncIterable<BidiPart>,
  abortSignal?: AbortSignal,
  hooks: OpenHooks = {},
): Promise<BidiStream> {
  const body = wireEvents(input);
  const command = new InvokeEndpointWithBidirectionalStreamCommand({
    EndpointName: target.endpointName,
    Body: body,
    ...(target.targetVariant ? { TargetVariant: target.targetVariant } : {}),
    ...(target.modelInvocationPath ? { ModelInvocationPath: target.modelInvocationPath } : {}),
    ...(target.modelQueryString ? { ModelQueryString: target.modelQueryString } : {}),
  });
  const send = client.send as unknown as (c: typeof command, o: { abortSignal?: AbortSignal }) => Promise<CommandOutput>;
  let output: CommandOutput;
  try {
    const opened = hooks.opened;
    const call = (): Promise<CommandOutput> => send.call(client, command, abortSignal ? { abortSignal } : {});
    output = await (opened
      ? withResponseHook((headers) => opened({ invokedProductionVariant: headers['x-amzn-invoked-production-variant'] }), call)
      : call());
  } catch (err) {
    // The first answer can already be the model's failure: the stream opened, so it is an event, not an open error.
    const event = faultEvent(err);
    body.stop();
    if (!event) throw err;
    return { events: answerEvents(failWith(err), () => undefined) };
  }
  return {
    ...(output.InvokedProductionVariant ? { invokedProductionVariant: output.InvokedProductionVariant } : {}),
    events: answerEvents(output.Body, body.stop),
  };
}

async function* failWith(err: unknown): AsyncGenerator<WireEvent> {
  throw err;
}
