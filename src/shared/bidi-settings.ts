/**
 * The `sagemaker-bidi` node's public names and settings in one place: its request fields (the headers of
 * InvokeEndpointWithBidirectionalStream) with their rules, its choices, defaults and limits, and the checks that
 * decide whether the settings can work, run by both the runtime (`resolveBidiSettings`, when the flow starts) and
 * the editor (`bidiSettingProblem`, one dialog field at a time).
 * No Node-RED or Node.js import: this module also runs in the browser (bundled into resources/editor-shared.js).
 */
import { REQUEST_FIELDS } from './fields';
import { OUTPUT_MODES, type OutputMode } from './invoke-settings';
import { choiceError, enforceRule, wholeNumber, isBlank, type FieldRule, type SavedProperties } from './rules';
import { FlowError } from './flow-error';
import { FlowErrors } from './problems';
import { describeType } from './words';

export const BIDI_NODE_TYPE = 'sagemaker-bidi';

/** The operation the node calls, for messages. */
export const BIDI_OPERATION = 'InvokeEndpointWithBidirectionalStream';

/**
 * The request fields, each set on the node or, when blank, by the msg property of the same name when a stream opens.
 * Endpoint and variant follow the same rules as the invoke node's (fields.ts); the other two are this operation's
 * own (SageMaker Runtime HTTP2's service model).
 */
export const BIDI_FIELDS = {
  endpointName: { header: '', rule: REQUEST_FIELDS.endpointName.rule as FieldRule, icon: 'fa-cube' },
  targetVariant: { header: 'X-Amzn-SageMaker-Target-Variant', rule: REQUEST_FIELDS.targetVariant.rule as FieldRule, icon: 'fa-code-fork' },
  modelInvocationPath: {
    header: 'X-Amzn-SageMaker-Model-Invocation-Path',
    icon: 'fa-road',
    rule: {
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9\\-._]+(?:/[A-Za-z0-9\\-._]+)*$',
      description: 'path segments of letters, digits and -._ characters separated by single slashes',
    } as FieldRule,
  },
  modelQueryString: {
    header: 'X-Amzn-SageMaker-Model-Query-String',
    icon: 'fa-question',
    rule: {
      minLength: 1,
      maxLength: 2048,
      // key=value pairs of visible US-ASCII; & and = only as separators (percent-encode them inside a key or value).
      pattern: '^[\\x21-\\x25\\x27-\\x3C\\x3E-\\x7E]+=[\\x21-\\x25\\x27-\\x3C\\x3E-\\x7E]*(?:&[\\x21-\\x25\\x27-\\x3C\\x3E-\\x7E]+=[\\x21-\\x25\\x27-\\x3C\\x3E-\\x7E]*)*$',
      description: 'key=value pairs joined by &, in visible US-ASCII (percent-encode & and = inside a key or value)',
    } as FieldRule,
  },
} as const;

export type BidiField = keyof typeof BIDI_FIELDS;
export const BIDI_FIELD_NAMES = Object.keys(BIDI_FIELDS) as BidiField[];

/** The rule of each request field, for the editor's validators. */
export const BIDI_FIELD_RULES = Object.fromEntries(BIDI_FIELD_NAMES.map((f) => [f, BIDI_FIELDS[f].rule])) as Record<BidiField, FieldRule>;

/** The dialog row's icon of each request field. */
export const BIDI_FIELD_ICONS = Object.fromEntries(BIDI_FIELD_NAMES.map((f) => [f, BIDI_FIELDS[f].icon])) as Record<BidiField, string>;

/** The msg properties that steer a stream (beside msg.topic, its key, and msg.payload, a part). */
export const BIDI_MSG_FLAGS = { partial: 'partial', complete: 'complete', reset: 'reset' } as const;

export const BIDI_DEFAULTS = {
  name: '',
  config: '',
  endpointName: '',
  targetVariant: '',
  modelInvocationPath: '',
  modelQueryString: '',
  output: 'auto' as OutputMode,
  /** seconds without input after which the node ends a stream's input side */
  idleTimeout: 60,
  /** streams open at once */
  maxStreams: 16,
  /** parts per stream waiting for the wire */
  maxQueue: 100,
};

export const BIDI_LIMITS = {
  idleTimeout: { min: 1, max: 86_400 },
  maxStreams: { min: 1, max: 1024 },
  maxQueue: { min: 1, max: 100_000 },
};

type SettingKey = keyof typeof BIDI_DEFAULTS;
type LimitKey = keyof typeof BIDI_LIMITS;
const LIMIT_KEYS = Object.keys(BIDI_LIMITS) as LimitKey[];

/** The node's saved properties as Node-RED hands them over. */
export type BidiDef = SavedProperties<typeof BIDI_DEFAULTS>;

export interface BidiSettings extends Record<LimitKey, number> {
  /** the request fields set on the node ('' where the msg fills them) */
  fields: Record<BidiField, string>;
  output: OutputMode;
}


/** A setting's check, or undefined when it passes. */
function checkOne(def: BidiDef, key: SettingKey): FlowError | undefined {
  const raw = def[key];
  try {
    if (key in BIDI_FIELDS) {
      if (isBlank(raw)) return undefined;
      if (typeof raw !== 'string') return new FlowError('notAString', { field: key, type: describeType(raw) });
      enforceRule(BIDI_FIELDS[key as BidiField].rule, raw, key);
    } else if (key === 'output') {
      return isBlank(raw) ? undefined : choiceError('output', String(raw), OUTPUT_MODES);
    } else if ((LIMIT_KEYS as string[]).includes(key)) {
      wholeNumber(key, raw, BIDI_LIMITS[key as LimitKey], BIDI_DEFAULTS[key as LimitKey]);
    }
    return undefined;
  } catch (err) {
    return err as FlowError;
  }
}

const CHECKED: readonly SettingKey[] = [...BIDI_FIELD_NAMES, 'output', ...LIMIT_KEYS];

/**
 * The node's settings, or what is wrong with them as a FlowError (`params.value` holds the value set on the node),
 * a FlowErrors naming each bad setting when there are several: a node whose settings are wrong fails every message
 * with that error.
 */
export function resolveBidiSettings(def: BidiDef): BidiSettings | FlowError {
  const errors: FlowError[] = [];
  for (const key of CHECKED) {
    const err = checkOne(def, key);
    if (!err) continue;
    if (def[key] !== undefined) err.params.value = String(def[key]);
    errors.push(err);
  }
  if (errors.length) return errors.length === 1 ? errors[0] : new FlowErrors(errors);
  const fields = Object.fromEntries(BIDI_FIELD_NAMES.map((f) => [f, isBlank(def[f]) ? '' : String(def[f])])) as Record<BidiField, string>;
  const numbers = Object.fromEntries(LIMIT_KEYS.map((k) => [k, wholeNumber(k, def[k], BIDI_LIMITS[k], BIDI_DEFAULTS[k])])) as Record<LimitKey, number>;
  return { ...numbers, fields, output: (isBlank(def.output) ? BIDI_DEFAULTS.output : def.output) as OutputMode };
}

/** For the edit dialog: what is wrong with `value` as the setting `field`, in words; undefined when nothing is. */
export function bidiSettingProblem(field: SettingKey, value: unknown): string | undefined {
  const err = checkOne({ [field]: value }, field);
  return err ? String(err.params.rule ?? err.key) : undefined;
}
