/**
 * Builds the input of the operation a mode calls (InvokeEndpoint, InvokeEndpointWithResponseStream or
 * InvokeEndpointAsync) from the invoke node's settings and a msg, under Node-RED's rule: a property set on the
 * node wins, the msg property of the same name fills a blank, and a msg property that a set node property
 * overrides is reported so the node can warn.
 */
import type {
  InvokeEndpointAsyncCommandInput,
  InvokeEndpointCommandInput,
  InvokeEndpointWithResponseStreamCommandInput,
} from '@aws-sdk/client-sagemaker-runtime';
import {
  ASYNC_ONLY_FIELDS,
  INTEGER_FIELDS,
  MODE_FIELDS,
  MSG_ONLY_FIELDS,
  OVERRIDABLE_FIELDS,
  fieldRule,
  notForMode,
  type InvokeMode,
  type MsgOnlyField,
  type NodeFieldSettings,
  type OverridableField,
  type RequestField,
} from '../shared/fields';
import { enforceRule, MAX_ASYNC_INLINE_BYTES, MAX_ASYNC_UPLOAD_BYTES, MAX_BODY_BYTES } from '../shared/rules';
import { encodeBody } from './body';
import { FlowError } from '../shared/flow-error';
import { problem } from '../shared/problems';
import { describeType } from '../shared/words';

/** The msg as far as this module cares: any object with string keys. */
export type MsgLike = Record<string, unknown>;

/** The SDK input each mode's command takes. */
export interface ModeInputs {
  invoke: InvokeEndpointCommandInput;
  stream: InvokeEndpointWithResponseStreamCommandInput;
  async: InvokeEndpointAsyncCommandInput;
}

/** The SDK input a message's request carries (with batching, its request fields without the body). */
export type ModeInput = ModeInputs[keyof ModeInputs];

export type BuiltRequest<M extends InvokeMode = 'invoke'> = ResolvedFields<M>;

const OVERRIDABLE = Object.keys(OVERRIDABLE_FIELDS) as OverridableField[];
const MSG_ONLY = Object.keys(MSG_ONLY_FIELDS) as MsgOnlyField[];

/** A msg value as a string, or undefined when absent or empty. Numbers are accepted (an id counter, say). */
function msgString(msg: MsgLike, field: RequestField): string | undefined {
  const value = msg[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return problem(new FlowError('notAString', { field: `msg.${field}`, type: describeType(value) }), undefined);
}

function check(mode: InvokeMode, field: RequestField, value: string, source: string): void {
  enforceRule(fieldRule(mode, field), value, source);
}

/** Whether a field set on the node or the msg is an error in this mode (rather than used, or left alone). */
function refusedIn(mode: InvokeMode, field: RequestField): boolean {
  // Outside async mode, msg.filename and friends belong to other nodes (a file-in node sets msg.filename).
  return !MODE_FIELDS[mode].includes(field) && !ASYNC_ONLY_FIELDS.includes(field);
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

/** Whether the input property holds something to send (an empty string counts as nothing for async). */
function hasInput(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** The request fields of a mode resolved from the node and a msg, before the body. */
export interface ResolvedFields<M extends InvokeMode = InvokeMode> {
  input: ModeInputs[M];
  /** msg properties ignored because the node sets the same field */
  overridden: OverridableField[];
}

/**
 * Resolves every request field of the mode but the body (the node's must have passed fields.validateNodeFields) and
 * validates it against the service model's rules. Throws a FlowError naming the field and the rule.
 */
export function resolveFields<M extends InvokeMode>(mode: M, node: NodeFieldSettings, msg: MsgLike): ResolvedFields<M> {
  const input: Record<string, string | number> = {};
  const overridden: OverridableField[] = [];
  const set = (field: RequestField, member: string, value: string): void => {
    input[member] = INTEGER_FIELDS.includes(field) ? Number(value) : value;
  };

  for (const field of OVERRIDABLE) {
    const fromNode = node[field] ?? '';
    const taken = MODE_FIELDS[mode].includes(field);
    if (!taken && !refusedIn(mode, field)) continue;
    const fromMsg = msgString(msg, field);
    if (!taken) {
      if (fromMsg !== undefined) throw notForMode(mode, `msg.${field}`);
      continue;
    }
    let value: string | undefined;
    if (fromNode !== '') {
      value = fromNode; // checked once by fields.validateNodeFields when the node starts
      if (fromMsg !== undefined && fromMsg !== fromNode) overridden.push(field);
    } else if (fromMsg !== undefined) {
      value = fromMsg;
      check(mode, field, value, `msg.${field}`);
    }
    if (value !== undefined) set(field, OVERRIDABLE_FIELDS[field], value);
  }
  for (const field of MSG_ONLY) {
    const taken = MODE_FIELDS[mode].includes(field);
    if (!taken && !refusedIn(mode, field)) continue;
    const value = msgString(msg, field);
    if (value === undefined) continue;
    if (!taken) throw notForMode(mode, `msg.${field}`);
    check(mode, field, value, `msg.${field}`);
    set(field, MSG_ONLY_FIELDS[field], value);
  }
  if (input.EndpointName === undefined) throw new FlowError('noEndpoint');
  return { input: input as ModeInputs[M], overridden };
}

/**
 * Resolves every request field of the mode (see resolveFields) and encodes the body. Throws a FlowError naming the
 * field and the rule; nothing is sent then.
 */
export function buildRequest<M extends InvokeMode>(
  mode: M,
  node: NodeFieldSettings,
  msg: MsgLike,
  inputProperty: string,
  maxBodyBytes: number = MAX_BODY_BYTES,
  /** async: the node may upload the input (it has an inputS3Uri), so the body may exceed the inline limit */
  canUpload = false,
): BuiltRequest<M> {
  const { input, overridden } = resolveFields(mode, node, msg);
  const value = getMsgProperty(msg, inputProperty);
  if (mode === 'async') {
    if ((input as ModeInputs['async']).InputLocation !== undefined) {
      if (hasInput(value)) throw new FlowError('asyncBothInputs', { property: inputProperty });
      return { input, overridden };
    }
    if (!hasInput(value)) throw new FlowError('asyncNoInput', { property: inputProperty, limit: MAX_ASYNC_INLINE_BYTES });
    maxBodyBytes = canUpload ? MAX_ASYNC_UPLOAD_BYTES : Math.min(maxBodyBytes, MAX_ASYNC_INLINE_BYTES);
  }
  let encoded;
  try {
    encoded = encodeBody(value, inputProperty, maxBodyBytes);
  } catch (err) {
    if (mode === 'async' && err instanceof FlowError && err.key === 'bodyTooLarge') {
      throw new FlowError(canUpload ? 'asyncUploadTooLarge' : 'asyncBodyTooLarge', err.params);
    }
    throw err;
  }
  input.Body = encoded.body;
  if (input.ContentType === undefined) input.ContentType = encoded.defaultContentType;
  return { input, overridden };
}

