/**
 * A message's async settings that are no request field: where a big input is uploaded (`inputS3Uri`) and how long
 * the message waits for its result (`asyncTimeout`), each from the node or, when the node leaves it blank, from the
 * msg property of the same name. Throws a FlowError naming the field and the rule. No Node-RED import.
 */
import type { InvokeEndpointAsyncCommandInput } from '@aws-sdk/client-sagemaker-runtime';
import { ASYNC_SERVICE_DEFAULTS, ASYNC_TIMEOUT_LIMITS, type InvokeSettings, type MsgFilledSetting } from '../../shared/invoke-settings';
import { INPUT_S3_URI_RULE, enforceRule, wholeNumber } from '../../shared/rules';
import { FlowError } from '../../shared/flow-error';
import { describeType } from '../../shared/words';
import { problem } from '../../shared/problems';

export interface WaitSettings {
  /** how long the message may wait for its result, in ms */
  waitMs: number;
  /** whose limit that is, for the timeout's words */
  waitFrom: string;
}

/** A msg value as text: a string, or a number (a timeout); undefined when absent or empty. */
export function msgText(msg: Record<string, unknown>, field: MsgFilledSetting): string | undefined {
  const v = msg[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  // Recorded with the message's other problems while shared/problems collects (the value then counts as absent).
  return problem(new FlowError('notAString', { field: `msg.${field}`, type: describeType(v) }), undefined);
}

/** The node's value of a setting, else the msg's (checked); which one, and whether the msg's was overridden. */
export function pick(settings: InvokeSettings, msg: Record<string, unknown>, field: MsgFilledSetting, overridden: MsgFilledSetting[]) {
  const fromNode = settings[field];
  const fromMsg = msgText(msg, field);
  if (fromNode !== '') {
    if (fromMsg !== undefined && fromMsg !== fromNode) overridden.push(field);
    return { value: fromNode, from: field };
  }
  return { value: fromMsg, from: `msg.${field}` };
}

/** The upload prefix of a message (node, else msg.inputS3Uri); undefined: none. */
export function resolveInputS3Uri(settings: InvokeSettings, msg: Record<string, unknown>, overridden: MsgFilledSetting[]): string | undefined {
  const upload = pick(settings, msg, 'inputS3Uri', overridden);
  if (upload.value !== undefined && upload.from !== 'inputS3Uri') enforceRule(INPUT_S3_URI_RULE, upload.value, upload.from);
  return upload.value;
}

/** How long a message waits for its result: asyncTimeout (node, else msg), else the request's TTL + run time. */
export function resolveWaitTime(
  settings: InvokeSettings,
  msg: Record<string, unknown>,
  input: InvokeEndpointAsyncCommandInput,
  overridden: MsgFilledSetting[],
): Pick<WaitSettings, 'waitMs' | 'waitFrom'> {
  const timeout = pick(settings, msg, 'asyncTimeout', overridden);
  if (timeout.value !== undefined) {
    return { waitMs: wholeNumber(timeout.from, timeout.value, ASYNC_TIMEOUT_LIMITS, 0) * 1000, waitFrom: timeout.from };
  }
  const ttl = input.RequestTTLSeconds ?? ASYNC_SERVICE_DEFAULTS.requestTTLSeconds;
  const run = input.InvocationTimeoutSeconds ?? ASYNC_SERVICE_DEFAULTS.invocationTimeoutSeconds;
  return { waitMs: (ttl + run) * 1000, waitFrom: `RequestTTLSeconds ${ttl} + InvocationTimeoutSeconds ${run}` };
}
