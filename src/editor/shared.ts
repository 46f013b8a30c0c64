/**
 * The editor's view of the public names and rules: bundled by scripts/build-editor.js into
 * resources/editor-shared.js, which each node's editor HTML loads as `window.SageMakerRuntime`.
 * Everything here comes from src/shared, so the editor and the runtime check the same rules: the request fields'
 * table (fields.ts) and the invoke node's settings checks (invoke-settings.ts), each written once.
 */
import * as names from '../shared/names';
import { REQUEST_FIELD_RULES, type RequestField } from '../shared/fields';
import { settingProblem, type InvokeDef } from '../shared/invoke-settings';
import {
  CONFIG_FIELD_RULES,
  ENV_REFERENCE,
  checkRule,
  choiceError,
  describeViolation,
  isBlank,
  wholeNumber,
  type FieldRule,
} from '../shared/rules';
import type { FlowError } from '../shared/flow-error';
import { BIDI_FIELD_RULES, bidiSettingProblem, type BidiField } from '../shared/bidi-settings';
import { endpointNodeLabels, fieldRow, fillTemplate, labelDefaults, options } from './dialog';
import { attach } from './discovery';
import * as discoveryWords from './discovery-words';
import * as discoveryContract from '../shared/discovery';

/**
 * A Node-RED editor validator: true, or a message saying what is wrong. Node-RED shows the message only when the
 * validator declares both parameters (value, opt), so every validator here does.
 */
type Validator = (value: unknown, opt?: unknown) => boolean | string;

/**
 * Node-RED passes a property's `label` (from its definition in `defaults`) as `opt.label`; a message that starts with
 * it says which field is wrong in the node's "invalid properties" tooltip, which lists only the messages.
 */
function labelled(opt: unknown, message: string): string {
  const label = opt && typeof opt === 'object' && typeof (opt as { label?: unknown }).label === 'string' ? (opt as { label: string }).label : '';
  return label ? `${label}: ${message}` : message;
}

function ruleValidator(rule: FieldRule, required: boolean): Validator {
  return (value: unknown, opt?: unknown) => {
    const text = value === undefined || value === null ? '' : String(value);
    if (text === '') return !required || labelled(opt, 'required');
    if (ENV_REFERENCE.test(text)) return true; // Node-RED substitutes ${ENV_VAR} when the flow starts
    const violation = checkRule(rule, text);
    return violation ? labelled(opt, describeViolation(violation)) : true;
  };
}

/** The node's mode as the editor holds it; a node saved before modes existed has none and is `invoke`. */
function modeOf(node: unknown): names.InvokeMode {
  const mode = (node as { mode?: unknown } | undefined)?.mode;
  return (names.INVOKE_MODES as readonly unknown[]).includes(mode) ? (mode as names.InvokeMode) : names.INVOKE_DEFAULTS.mode;
}

/**
 * A request field's validator: empty is valid (the msg fills it), a value must follow the field's rule, and a
 * field the node's mode does not take must stay empty. Node-RED calls validators with `this` as the node.
 */
function fieldValidator(field: RequestField): Validator {
  const rule = ruleValidator(REQUEST_FIELD_RULES[field], false);
  return function (this: unknown, value: unknown, opt?: unknown) {
    const mode = modeOf(this);
    if (value !== undefined && value !== null && value !== '' && !names.MODE_FIELDS[mode].includes(field)) {
      return labelled(opt, `mode ${mode} (${names.MODE_OPERATIONS[mode]}) does not take this field`);
    }
    return rule(value, opt);
  };
}


/** A choice among fixed values; blank means the default. */
function choiceValidator(choices: readonly string[]): Validator {
  return (value: unknown, opt?: unknown) => {
    const err = isBlank(value) ? undefined : choiceError('', String(value), choices);
    return err ? labelled(opt, String(err.params.rule)) : true;
  };
}

/**
 * A setting of the invoke node, checked by the runtime's own rules (invoke-settings) with the node's other settings:
 * only the rules about this setting, so each broken rule is reported once, by the field it is about. An ${ENV_VAR}
 * is checked when the flow starts. Node-RED calls validators with `this` as the node.
 */
function settingValidator(field: 'output' | 'batchSize' | 'batchKey' | 'maxQueue' | 'asyncTimeout' | 'inputS3Uri' | 'holdTimeout'): Validator {
  return function (this: unknown, value: unknown, opt?: unknown) {
    if (ENV_REFERENCE.test(String(value ?? ''))) return true;
    const problem = settingProblem((this ?? {}) as InvokeDef, field, value);
    return problem === undefined || labelled(opt, problem);
  };
}

/** `output`: one of the forms; in stream mode, parsed JSON needs `streamSplit` lines; batching cannot cut a buffer. */
const outputValidator = settingValidator('output');
/** `batchSize`: a whole number from 1 (no batching) to 1000; above 1 only in mode invoke. */
const batchSizeValidator = settingValidator('batchSize');
/** `batchKey`: blank (a bare array), or a member name following its rule, for a json batch only (and only while batching). */
const batchKeyValidator = settingValidator('batchKey');
/** `maxQueue`: a whole number in range, and with batching at least `batchSize`. */
const maxQueueValidator = settingValidator('maxQueue');
/** `asyncTimeout`: blank (the request's TTL + job timeout) or whole seconds in range. */
const asyncTimeoutValidator = settingValidator('asyncTimeout');
/** `inputS3Uri`: blank (msg.inputS3Uri, or no upload) or an s3://bucket/prefix/. */
const inputS3UriValidator = settingValidator('inputS3Uri');
/** `holdTimeout`: blank (msg.holdTimeout, else 300 s) or whole seconds in range. */
const holdTimeoutValidator = settingValidator('holdTimeout');

function configValidator(field: keyof typeof CONFIG_FIELD_RULES, required: boolean): Validator {
  return ruleValidator(CONFIG_FIELD_RULES[field], required);
}

/** A whole number in range; blank means the default: the runtime's rule (rules.wholeNumber), in the editor. */
function integerValidator(min: number, max: number): Validator {
  return (value: unknown, opt?: unknown) => {
    if (ENV_REFERENCE.test(String(value ?? ''))) return true;
    try {
      wholeNumber('', value, { min, max }, min);
      return true;
    } catch (err) {
      return labelled(opt, String((err as FlowError).params.rule));
    }
  };
}

/** A msg property path such as `payload` or `data.input`: the dotted form the runtime reads and writes. */
function propertyValidator(value: unknown, opt?: unknown): boolean | string {
  const text = String(value ?? '');
  // Blank is the default (payload), as the runtime reads it: a node imported without the property works.
  if (text === '') return true;
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(text) || labelled(opt, 'must be a msg property path such as payload or data.input');
}

/**
 * A setting of the bidi node, checked by the runtime's own rule (bidi-settings): its request fields, output and
 * limits. Empty is valid for a request field (the msg fills it) and means the default for the rest.
 */
function bidiValidator(field: BidiField | 'output' | 'idleTimeout' | 'maxStreams' | 'maxQueue'): Validator {
  return (value: unknown, opt?: unknown) => {
    if (ENV_REFERENCE.test(String(value ?? ''))) return true;
    const problem = bidiSettingProblem(field, value);
    return problem === undefined || labelled(opt, problem);
  };
}

const api = {
  names,
  dialog: { fieldRow, options, fillTemplate, labelDefaults, endpointNodeLabels },
  /** Endpoint discovery: attach() in a dialog's oneditprepare; the pure parts and the contract for the tests. */
  discovery: { attach, ...discoveryWords, contract: discoveryContract },
  bidiValidator,
  rules: { request: REQUEST_FIELD_RULES, config: CONFIG_FIELD_RULES, bidi: BIDI_FIELD_RULES },
  fieldValidator,
  choiceValidator,
  outputValidator,
  configValidator,
  integerValidator,
  propertyValidator,
  batchSizeValidator,
  batchKeyValidator,
  maxQueueValidator,
  asyncTimeoutValidator,
  inputS3UriValidator,
  holdTimeoutValidator,
};

(globalThis as unknown as { SageMakerRuntime: typeof api }).SageMakerRuntime = api;
