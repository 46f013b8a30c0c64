/**
 * The editor's view of the public names and rules: bundled by scripts/build-editor.js into
 * resources/editor-shared.js, which each node's editor HTML loads as `window.SageMakerRuntime`.
 * Everything here comes from src/lib, so the editor and the runtime check the same rules.
 */
import * as names from '../shared/names';
import {
  CONFIG_FIELD_RULES,
  REQUEST_FIELD_RULES,
  ENV_REFERENCE,
  checkRule,
  describeViolation,
  wholeNumber,
  type FieldRule,
} from '../shared/rules';
import { batchSettingsError, type BatchContext } from '../invoke/batch-settings';
import type { FlowError } from '../shared/flow-error';

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
function fieldValidator(field: keyof typeof REQUEST_FIELD_RULES): Validator {
  const rule = ruleValidator(REQUEST_FIELD_RULES[field], false);
  return function (this: unknown, value: unknown, opt?: unknown) {
    const mode = modeOf(this);
    if (value !== undefined && value !== null && value !== '' && !names.MODE_FIELDS[mode].includes(field)) {
      return labelled(opt, `mode ${mode} (${names.MODE_OPERATIONS[mode]}) does not take this field`);
    }
    return rule(value, opt);
  };
}

/** Blank: a node saved before the property existed (or left empty), which the runtime gives the default. */
const blank = (value: unknown): boolean => value === undefined || value === null || value === '';

/** A choice among fixed values; blank means the default. */
function choiceValidator(choices: readonly string[]): Validator {
  return (value: unknown, opt?: unknown) =>
    blank(value) || choices.includes(String(value)) || labelled(opt, `must be one of ${choices.join(', ')}`);
}

/** `output`: one of the forms; in stream mode, parsed JSON needs `streamSplit` lines; batching cannot cut a buffer. */
function outputValidator(this: unknown, value: unknown, opt?: unknown): boolean | string {
  const choice = choiceValidator(names.OUTPUT_MODES)(value, opt);
  if (choice !== true || blank(value)) return choice;
  const node = this as { streamSplit?: unknown } | undefined;
  if (modeOf(this) === 'stream' && value === 'json' && node?.streamSplit !== 'lines') {
    return labelled(opt, 'parsed JSON in stream mode needs Split set to lines');
  }
  return batchCheck(this, 'output', value, opt);
}

/** The node properties batching depends on, each of which has a validator that reports its own part of the rules. */
type BatchField = 'batchSize' | 'batchKey' | 'maxQueue' | 'output';

/** The field each of batchSettingsError's errors is about, and what it says in the editor (after the field's label). */
const BATCH_ERRORS: Record<string, { field: string; words: (p: FlowError['params']) => string }> = {
  batchOnlyInvoke: { field: 'batchSize', words: (p) => `mode ${p.mode} (${p.operation}) cannot batch: set 1, or choose mode invoke` },
  batchOutputBuffer: { field: 'output', words: () => 'a binary buffer cannot be cut into one result per message: choose another form, or set Batch size to 1' },
  batchKeyUnused: { field: 'batchKey', words: (p) => `only a json batch has an object to put it in (this one is ${p.format}): clear it, or batch as json` },
  batchQueueTooSmall: { field: 'maxQueue', words: (p) => `must be at least the batch size (${p.batchSize}): the messages of a filling batch count as queued` },
  invalidField: { field: '', words: (p) => String(p.rule) },
};

/** A number property as the runtime reads it: blank is the default; a value that is not a number stays NaN. */
function numberOf(value: unknown, fallback: number): number {
  return blank(value) ? fallback : Number(value);
}

/**
 * The batching rules (batch-settings.batchSettingsError, which the runtime runs when the flow starts) as seen from
 * one field, with the dialog's `value` for it and the node's other properties. Each error is reported by the field it
 * is about only, so the node's tooltip lists it once: the other fields it checks are given values that pass.
 */
function batchCheck(node: unknown, field: BatchField, value: unknown, opt?: unknown): true | string {
  const n: Record<string, unknown> = { ...(node as Record<string, unknown> | undefined), [field]: value };
  const context: BatchContext = {
    mode: modeOf(n),
    output: field === 'output' && !blank(n.output) ? (String(n.output) as names.OutputMode) : 'auto',
    batchSize: numberOf(n.batchSize, names.INVOKE_DEFAULTS.batchSize),
    batchFormat: blank(n.batchFormat) ? names.INVOKE_DEFAULTS.batchFormat : String(n.batchFormat),
    batchKey: field === 'batchKey' && !blank(n.batchKey) ? String(n.batchKey) : '',
    maxQueue: field === 'maxQueue' ? numberOf(n.maxQueue, names.INVOKE_DEFAULTS.maxQueue) : Infinity,
  };
  // A number that is not one is the field's own error (integerValidator's), not a batching one.
  if (Number.isNaN(context.batchSize) || Number.isNaN(context.maxQueue)) return true;
  const err = batchSettingsError(context);
  const known = err && BATCH_ERRORS[err.key];
  if (!err || !known) return true;
  const about = err.key === 'invalidField' ? err.params.field : known.field;
  return about === field ? labelled(opt, known.words(err.params)) : true;
}

/** `batchSize`: a whole number from 1 (no batching) to 1000; above 1 only in mode invoke. */
function batchSizeValidator(this: unknown, value: unknown, opt?: unknown): boolean | string {
  const { min, max } = names.INVOKE_LIMITS.batchSize;
  const range = integerValidator(min, max)(value, opt);
  return range === true ? batchCheck(this, 'batchSize', value, opt) : range;
}

/**
 * `batchKey`: blank (a bare array), or a member name that follows BATCH_KEY_RULE, for a json batch only. Checked
 * only while batching, as the runtime does: with `batchSize` 1 the key is not used.
 */
function batchKeyValidator(this: unknown, value: unknown, opt?: unknown): boolean | string {
  return blank(value) || batchCheck(this, 'batchKey', value, opt);
}

/** `maxQueue`: a whole number in range, and with batching at least `batchSize`. */
function maxQueueValidator(this: unknown, value: unknown, opt?: unknown): boolean | string {
  const { min, max } = names.INVOKE_LIMITS.maxQueue;
  const range = integerValidator(min, max)(value, opt);
  return range === true ? batchCheck(this, 'maxQueue', value, opt) : range;
}

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
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(text) || labelled(opt, 'must be a msg property path such as payload or data.input');
}

const api = {
  names,
  rules: { request: REQUEST_FIELD_RULES, config: CONFIG_FIELD_RULES },
  fieldValidator,
  choiceValidator,
  outputValidator,
  configValidator,
  integerValidator,
  propertyValidator,
  batchSizeValidator,
  batchKeyValidator,
  maxQueueValidator,
};

(globalThis as unknown as { SageMakerRuntime: typeof api }).SageMakerRuntime = api;
