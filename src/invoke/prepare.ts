/**
 * A message's request, built and checked before it takes any place in the queue or a batch: the SDK input of the
 * node's mode, or with batching the request fields it shares with others and its piece of the batch body.
 * Throws a FlowError naming the field and the rule. No Node-RED import.
 */
import { randomUUID } from 'node:crypto';
import type { InvokeEndpointAsyncCommandInput } from '@aws-sdk/client-sagemaker-runtime';
import { BATCH_CONTENT_TYPES } from '../shared/names';
import type { OverridableField } from '../shared/fields';
import type { InvokeSettings, MsgFilledSetting } from '../shared/invoke-settings';
import { MAX_ASYNC_INLINE_BYTES } from '../shared/rules';
import { pick, resolveInputS3Uri, resolveWaitTime } from './async/wait-settings';
import { HOLD_TIMEOUT_DEFAULT, HOLD_TIMEOUT_LIMITS } from '../shared/invoke-settings';
import { buildRequest, getMsgProperty, resolveFields, type ModeInput, type MsgLike } from './request';
import { checkPiece, encodeRow, framing, groupKey, type Framing, type RequestFields } from './batch';
import { wholeNumber } from '../shared/rules';
import { collectProblems } from '../shared/problems';
import type { BatchPiece } from './dispatch';

/** A message's request: the SDK input, and the message's own per-attempt timeout (msg.requestTimeout), if any. */
export interface InvokeRequest {
  input: ModeInput;
  requestTimeout?: number;
  /** mode async: the s3://bucket/prefix/ to upload the body to before the call (it is over the inline limit) */
  upload?: string;
  /** asyncResult wait: how long the message may wait for its result (ms), and whose limit that is */
  waitMs?: number;
  waitFrom?: string;
  /** onUnreachable hold: how long the message may be held for the network (ms from its arrival) */
  holdMs?: number;
}

export interface Prepared {
  request: InvokeRequest;
  /** msg properties ignored because the node sets the same field (the node warns once per field) */
  overridden: (OverridableField | MsgFilledSetting)[];
  /** with batching: the message's share of a batch */
  piece?: BatchPiece;
}

/** The batch framing of each node's settings, made once. */
const frames = new WeakMap<InvokeSettings, Framing>();

/**
 * msg.requestTimeout (the core HTTP request node's convention): this message's per-attempt timeout in ms, at most
 * the config node's timeout (`maxMs`), which also bounds how long a connection may stay silent.
 */
export function requestTimeoutOf(msg: MsgLike, maxMs: number): number | undefined {
  const raw = msg.requestTimeout;
  if (raw === undefined || raw === null || raw === '') return undefined;
  // A number, or its digits as text (as core's HTTP request node takes it); anything else breaks the rule.
  const value = typeof raw === 'number' || typeof raw === 'string' ? raw : Number.NaN;
  return wholeNumber('msg.requestTimeout', value, { min: 1, max: maxMs }, maxMs);
}

/**
 * Throws a FlowError naming the field and the rule, or a FlowErrors naming each bad field when there are several
 * (msg.requestTimeout and msg.sessionId, say): the flow builder fixes them all in one go.
 * @param maxRequestTimeout the config node's timeout: the most msg.requestTimeout may ask for
 */
export function prepareRequest(settings: InvokeSettings, msg: MsgLike, batching: boolean, maxRequestTimeout: number): Prepared {
  return collectProblems(() => prepareEach(settings, msg, batching, maxRequestTimeout));
}

function prepareEach(settings: InvokeSettings, msg: MsgLike, batching: boolean, maxRequestTimeout: number): Prepared {
  // The hold timeout is read first: a request that cannot be built (no endpoint, a body that cannot be sent) throws,
  // and msg.holdTimeout must still be named with it.
  const overridden: Prepared['overridden'] = [];
  const holdMs = settings.onUnreachable === 'hold' ? holdTimeoutOf(settings, msg, overridden) : undefined;
  const prepared = prepareFor(settings, msg, batching, maxRequestTimeout);
  if (holdMs !== undefined) prepared.request.holdMs = holdMs;
  prepared.overridden.push(...overridden);
  return prepared;
}

/**
 * onUnreachable hold: how long a message may wait for the network, in ms: the node's holdTimeout, else
 * msg.holdTimeout (checked), else HOLD_TIMEOUT_DEFAULT seconds.
 */
export function holdTimeoutOf(settings: InvokeSettings, msg: MsgLike, overridden: Prepared['overridden']): number {
  const extra: MsgFilledSetting[] = [];
  const timeout = pick(settings, msg, 'holdTimeout', extra);
  overridden.push(...extra);
  if (timeout.value === undefined) return HOLD_TIMEOUT_DEFAULT * 1000;
  return wholeNumber(timeout.from, timeout.value, HOLD_TIMEOUT_LIMITS, HOLD_TIMEOUT_DEFAULT) * 1000;
}

function prepareFor(settings: InvokeSettings, msg: MsgLike, batching: boolean, maxRequestTimeout: number): Prepared {
  const { mode, fields, inputProperty, batchFormat, batchKey } = settings;
  const requestTimeout = requestTimeoutOf(msg, maxRequestTimeout);
  if (mode === 'async') return prepareAsync(settings, msg, requestTimeout);
  if (!batching) {
    const { input, overridden } = buildRequest(mode, fields, msg, inputProperty);
    return { request: { input, requestTimeout }, overridden };
  }
  const { input, overridden } = resolveFields('invoke', fields, msg);
  const piece = encodeRow(batchFormat, getMsgProperty(msg, inputProperty), inputProperty);
  let frame = frames.get(settings);
  if (!frame) frames.set(settings, (frame = framing(batchFormat, batchKey)));
  checkPiece(frame, piece, inputProperty);
  const shared = { ...input } as RequestFields;
  shared.ContentType ??= BATCH_CONTENT_TYPES[batchFormat];
  // Messages with different timeouts make different requests: they never share a batch.
  const key = groupKey(shared) + (requestTimeout === undefined ? '' : `requestTimeout\u0000${requestTimeout}`);
  return { request: { input, requestTimeout }, overridden, piece: { key, fields: shared, piece, property: inputProperty } };
}

/**
 * mode async: the request, and when the body is over the inline limit, the prefix it is uploaded to (the request
 * then carries an inference id, generated when the msg has none, which names the uploaded object); with
 * asyncResult wait, how long the message waits for its result.
 */
function prepareAsync(settings: InvokeSettings, msg: MsgLike, requestTimeout: number | undefined): Prepared {
  const extra: MsgFilledSetting[] = [];
  const inputS3Uri = resolveInputS3Uri(settings, msg, extra);
  const built = buildRequest('async', settings.fields, msg, settings.inputProperty, undefined, inputS3Uri !== undefined);
  const input = built.input as InvokeEndpointAsyncCommandInput;
  const request: InvokeRequest = { input, requestTimeout };
  if (inputS3Uri !== undefined && input.Body instanceof Uint8Array && input.Body.byteLength > MAX_ASYNC_INLINE_BYTES) {
    request.upload = inputS3Uri;
    input.InferenceId ??= randomUUID();
  }
  if (settings.asyncResult === 'wait') Object.assign(request, resolveWaitTime(settings, msg, input, extra));
  return { request, overridden: [...built.overridden, ...extra] };
}
