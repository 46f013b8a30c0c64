/**
 * A message's request, built and checked before it takes any place in the queue or a batch: the SDK input of the
 * node's mode, or with batching the request fields it shares with others and its piece of the batch body.
 * Throws a FlowError naming the field and the rule. No Node-RED import.
 */
import { BATCH_CONTENT_TYPES } from '../shared/names';
import type { OverridableField } from '../shared/fields';
import type { InvokeSettings } from '../shared/invoke-settings';
import { buildRequest, getMsgProperty, resolveFields, type MsgLike } from './request';
import { checkPiece, encodeRow, framing, type Framing, type RequestFields } from './batch';
import type { BatchPiece } from './dispatch';
import type { ModeInput } from './modes';

export interface Prepared {
  request: ModeInput;
  /** msg properties ignored because the node sets the same field (the node warns once per field) */
  overridden: OverridableField[];
  /** with batching: the message's share of a batch */
  piece?: BatchPiece;
}

/** The batch framing of each node's settings, made once. */
const frames = new WeakMap<InvokeSettings, Framing>();

export function prepareRequest(settings: InvokeSettings, msg: MsgLike, batching: boolean): Prepared {
  const { mode, fields, inputProperty, batchFormat, batchKey } = settings;
  if (!batching) {
    const { input, overridden } = buildRequest(mode, fields, msg, inputProperty);
    return { request: input, overridden };
  }
  const { input, overridden } = resolveFields('invoke', fields, msg);
  const piece = encodeRow(batchFormat, getMsgProperty(msg, inputProperty), inputProperty);
  let frame = frames.get(settings);
  if (!frame) frames.set(settings, (frame = framing(batchFormat, batchKey)));
  checkPiece(frame, piece, inputProperty);
  const shared = { ...input } as RequestFields;
  shared.ContentType ??= BATCH_CONTENT_TYPES[batchFormat];
  return { request: input, overridden, piece: { fields: shared, piece, property: inputProperty } };
}
