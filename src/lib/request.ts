/**
 * Builds the InvokeEndpoint input from the invoke node's settings and a msg, under Node-RED's rule: a property set
 * on the node wins, the msg property of the same name fills a blank, and a msg property that a set node property
 * overrides is reported so the node can warn.
 */
import type { InvokeEndpointCommandInput } from '@aws-sdk/client-sagemaker-runtime';
import {
  MSG_ONLY_FIELDS,
  OVERRIDABLE_FIELDS,
  type OverridableField,
  type RequestField,
  type MsgOnlyField,
} from './names';
import { REQUEST_FIELD_RULES, enforceRule, MAX_BODY_BYTES } from './rules';
import { encodeBody } from './body';
import { FlowError } from './flow-error';

export type NodeFieldSettings = Record<OverridableField, string>;

/** The msg as far as this module cares: any object with string keys. */
export type MsgLike = Record<string, unknown>;

export interface BuiltRequest {
  input: InvokeEndpointCommandInput;
  /** msg properties ignored because the node sets the same field */
  overridden: OverridableField[];
}

const OVERRIDABLE = Object.keys(OVERRIDABLE_FIELDS) as OverridableField[];
const MSG_ONLY = Object.keys(MSG_ONLY_FIELDS) as MsgOnlyField[];

/** A msg value as a string, or undefined when absent or empty. Numbers are accepted (an id counter, say). */
function msgString(msg: MsgLike, field: RequestField): string | undefined {
  const value = msg[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new FlowError('notAString', { field: `msg.${field}`, type: Array.isArray(value) ? 'array' : typeof value });
}

function check(field: RequestField, value: string, source: string): void {
  enforceRule(REQUEST_FIELD_RULES[field], value, source);
}

/** Reads a msg property path such as "payload" or "data.input". */
export function getMsgProperty(msg: MsgLike, path: string): unknown {
  let value: unknown = msg;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Sets a msg property path, creating plain objects on the way. */
export function setMsgProperty(msg: MsgLike, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: Record<string, unknown> = msg;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    if (next === null || typeof next !== 'object') target[part] = {};
    target = target[part] as Record<string, unknown>;
  }
  target[parts[parts.length - 1]] = value;
}

/**
 * Checks the fields set on the node once, when it starts: returns the first problem, or undefined.
 */
export function validateNodeFields(node: NodeFieldSettings): FlowError | undefined {
  for (const field of OVERRIDABLE) {
    const value = node[field] ?? '';
    if (typeof value !== 'string') return new FlowError('notAString', { field, type: typeof value });
    if (value === '') continue;
    try {
      check(field, value, field);
    } catch (err) {
      return err as FlowError;
    }
  }
  return undefined;
}

/**
 * Resolves every request field (the node's must have passed validateNodeFields), validates it against the service model's rules, and encodes the body.
 * Throws a FlowError naming the field and the rule; nothing is sent then.
 */
export function buildInvokeRequest(
  node: NodeFieldSettings,
  msg: MsgLike,
  inputProperty: string,
  maxBodyBytes: number = MAX_BODY_BYTES,
): BuiltRequest {
  const input: Record<string, string | Uint8Array> = {};
  const overridden: OverridableField[] = [];

  for (const field of OVERRIDABLE) {
    const fromNode = node[field] ?? '';
    const fromMsg = msgString(msg, field);
    let value: string | undefined;
    if (fromNode !== '') {
      value = fromNode; // checked once by validateNodeFields when the node starts
      if (fromMsg !== undefined && fromMsg !== fromNode) overridden.push(field);
    } else if (fromMsg !== undefined) {
      value = fromMsg;
      check(field, value, `msg.${field}`);
    }
    if (value !== undefined) input[OVERRIDABLE_FIELDS[field]] = value;
  }
  for (const field of MSG_ONLY) {
    const value = msgString(msg, field);
    if (value !== undefined) {
      check(field, value, `msg.${field}`);
      input[MSG_ONLY_FIELDS[field]] = value;
    }
  }
  if (input.EndpointName === undefined) throw new FlowError('noEndpoint');

  const encoded = encodeBody(getMsgProperty(msg, inputProperty), inputProperty, maxBodyBytes);
  input.Body = encoded.body;
  if (input.ContentType === undefined) input.ContentType = encoded.defaultContentType;

  return { input: input as unknown as InvokeEndpointCommandInput, overridden };
}
