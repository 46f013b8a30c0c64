/**
 * The request of a stream, resolved when it opens under Node-RED's rule: a field set on the node wins, the msg
 * property of the same name fills a blank (checked against the field's rule), and a msg property that a set node
 * field overrides is reported so the node can warn. No Node-RED import.
 */
import { BIDI_FIELD_NAMES, BIDI_FIELDS, type BidiField } from '../shared/bidi-settings';
import { enforceRule } from '../shared/rules';
import { FlowError } from '../shared/flow-error';
import { describeType } from '../shared/words';
import type { BidiRequest, MsgLike } from './stream';

export interface ResolvedRequest {
  request: BidiRequest;
  /** msg properties ignored because the node sets the same field */
  overridden: BidiField[];
}

/** A msg value as a string, or undefined when absent or empty; numbers are taken as their digits. */
function msgString(msg: MsgLike, field: BidiField): string | undefined {
  const value = msg[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new FlowError('notAString', { field: `msg.${field}`, type: describeType(value) });
}

/** @param node the fields set on the node ('' where the msg fills them), checked when the node started */
export function resolveRequest(node: Record<BidiField, string>, msg: MsgLike): ResolvedRequest {
  const request: Partial<BidiRequest> = {};
  const overridden: BidiField[] = [];
  for (const field of BIDI_FIELD_NAMES) {
    const fromMsg = msgString(msg, field);
    if (node[field] !== '') {
      request[field] = node[field];
      if (fromMsg !== undefined && fromMsg !== node[field]) overridden.push(field);
    } else if (fromMsg !== undefined) {
      enforceRule(BIDI_FIELDS[field].rule, fromMsg, `msg.${field}`);
      request[field] = fromMsg;
    }
  }
  if (request.endpointName === undefined) throw new FlowError('noEndpoint');
  return { request: request as BidiRequest, overridden };
}

/** A stream's key: msg.topic as text; no topic is the blank key, a stream of its own. */
export function streamKey(msg: MsgLike): string {
  const topic = msg.topic;
  return topic === undefined || topic === null ? '' : String(topic);
}
