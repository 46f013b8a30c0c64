/**
 * What can go wrong with a bidirectional stream, as the invoke node's error mapper (invoke/errors) words it: the
 * same names in msg.sagemaker.error.name (ERROR_NAMES), the same locale keys, plus this node's own keys for what
 * only a two-way stream has (a part that never reached the wire, a stream that broke after parts were handed over).
 * No Node-RED import.
 */
import { mapError, type ErrorName, type MappedError } from '../invoke/errors';
import type { FlowErrorParams } from '../shared/flow-error';

/** What the words about a stream's failure quote. */
export interface StreamContext {
  endpointName: string;
  /** the config node's per-attempt timeout, in ms */
  timeoutMs: number;
  endpointUrl?: string;
  partsSent: number;
  partsReceived: number;
}

/**
 * The HTTP/2 service's error types, as the invoke node's mapper knows them: SageMaker Runtime HTTP2 calls its 400
 * `InputValidationError` where SageMaker Runtime says `ValidationError`; its 500 and 503 keep the status's words.
 */
const ALIASES: Readonly<Record<string, string>> = { InputValidationError: 'ValidationError' };

function renamed(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const name = (error as { name?: unknown }).name;
  if (typeof name !== 'string' || !(name in ALIASES)) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Record<string, unknown>;
  Object.assign(copy, error, { name: ALIASES[name], message: (error as { message?: unknown }).message });
  return copy;
}

/** A failure of our own making, worded by the locale key. */
export function ownProblem(name: ErrorName, short: string, key: string, params: FlowErrorParams = {}): MappedError {
  return { key, params, details: { name, message: '' }, short };
}

/** The stream could not open (validation, ModelError 424, 5xx, credentials, network): no part reached the model. */
export function openFailed(error: unknown, ctx: StreamContext): MappedError {
  const mapped = mapError(renamed(error), { endpointName: ctx.endpointName, timeoutMs: ctx.timeoutMs, maxAttempts: 1, endpointUrl: ctx.endpointUrl });
  mapped.params.attempts = 1;
  return mapped;
}

/** The counts every failure after the open carries, in its words and in msg.sagemaker.error. */
function withCounts(mapped: MappedError, ctx: StreamContext): MappedError {
  mapped.params = { ...mapped.params, sent: ctx.partsSent, parts: ctx.partsReceived };
  // partsSent travels beside the error, in msg.sagemaker (see stream.ts), as the invoke node's details have no such field.
  mapped.details = { ...mapped.details, partsReceived: ctx.partsReceived };
  return mapped;
}

/** The model's ModelStreamError or SageMaker's InternalStreamFailure event, after parts were handed over. */
export function streamEventFailed(event: { kind: 'modelStreamError' | 'internalStreamFailure'; message: string; errorCode?: string }, ctx: StreamContext): MappedError {
  const name = event.kind === 'modelStreamError' ? 'ModelStreamError' : 'InternalStreamFailure';
  const error = { name, message: event.message, ErrorCode: event.errorCode, $fault: 'server' };
  return withCounts(mapError(error, { endpointName: ctx.endpointName, timeoutMs: ctx.timeoutMs, maxAttempts: 1, partsReceived: ctx.partsReceived }), ctx);
}

/**
 * The stream broke after it opened (the server reset it, the connection dropped, it went silent): named as the
 * invoke node's mapper names it, worded as a broken stream with its counts.
 */
export function streamBroken(error: unknown, ctx: StreamContext): MappedError {
  const mapped = mapError(renamed(error), {
    endpointName: ctx.endpointName,
    timeoutMs: ctx.timeoutMs,
    maxAttempts: 1,
    endpointUrl: ctx.endpointUrl,
    partsReceived: ctx.partsReceived,
  });
  const code = mapped.details.errorCode ?? '';
  // Node's HTTP/2 errors (a stream the server reset, a session that closed) are the network's, not unknown ones.
  if (mapped.details.name === 'UnknownError' && /^ERR_HTTP2_/.test(code)) mapped.details.name = 'NetworkError';
  if (mapped.key !== 'modelStreamError' && mapped.key !== 'streamFailure' && mapped.key !== 'streamTimeout') {
    mapped.key = 'streamBroken';
    mapped.params = { ...mapped.params, code: code || mapped.details.name };
    mapped.short = code || mapped.short;
  }
  return withCounts(mapped, ctx);
}
