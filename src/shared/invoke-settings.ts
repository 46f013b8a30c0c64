/**
 * The invoke node's settings in one place: their choices, defaults and limits, and the checks that decide whether
 * they can work, each written once and run by both the runtime (`resolveInvokeSettings`, when the flow starts) and
 * the editor (`settingProblem`, one dialog field at a time).
 * No Node-RED or Node.js import: this module also runs in the browser (bundled into resources/editor-shared.js).
 */
import {
  BLANK_NODE_FIELDS,
  INVOKE_MODES,
  MODE_OPERATIONS,
  OVERRIDABLE_FIELDS,
  validateNodeFields,
  type InvokeMode,
  type NodeFieldSettings,
  type OverridableField,
} from './fields';
import { BATCH_KEY_RULE, INPUT_S3_URI_RULE, choiceError, enforceRule, wholeNumber, isBlank, type SavedProperties } from './rules';
import { FlowError, type FlowErrorParams } from './flow-error';
import { FlowErrors } from './problems';

export const OUTPUT_MODES = ['auto', 'json', 'text', 'buffer'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/**
 * `streamSplit`: send the service's parts as they come (`none`), or re-cut them at newlines (`lines`), a
 * `text/event-stream` answer into its server-sent events.
 */
export const STREAM_SPLITS = ['none', 'lines'] as const;
export type StreamSplit = (typeof STREAM_SPLITS)[number];

/**
 * `batchFormat`: how a batch of messages becomes one request body when `batchSize` is above 1. `csv`: one row per
 * message, joined by newlines; `json`: a JSON array of the inputs (or an object holding it under `batchKey`);
 * `jsonlines`: one JSON document per line.
 */
export const BATCH_FORMATS = ['csv', 'json', 'jsonlines'] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];

/**
 * `asyncResult` (mode async): `location` sends out where the result will be written (the call's answer); `wait`
 * keeps the msg until the result object is in S3 and sends it out with the decoded result.
 */
export const ASYNC_RESULTS = ['location', 'wait'] as const;
export type AsyncResult = (typeof ASYNC_RESULTS)[number];

/**
 * Settings that are no request field but that a msg property of the same name fills when the node leaves them
 * blank (a set node property wins, with core's nooverride warning).
 */
export const MSG_FILLED_SETTINGS = ['asyncTimeout', 'inputS3Uri', 'holdTimeout'] as const;
export type MsgFilledSetting = (typeof MSG_FILLED_SETTINGS)[number];

/** `asyncTimeout` (seconds): its bounds; blank waits RequestTTLSeconds + InvocationTimeoutSeconds. */
export const ASYNC_TIMEOUT_LIMITS = { min: 1, max: 86_400 };
/**
 * `onUnreachable`: what a message whose call cannot reach SageMaker (refused, reset, DNS, no answer in time) does.
 * `fail` ends it at Catch (after the SDK's retries); `hold` keeps it, and every later message, in the node's queue
 * until a probe gets through (see src/invoke/hold.ts).
 */
export const ON_UNREACHABLE = ['fail', 'hold'] as const;
export type OnUnreachable = (typeof ON_UNREACHABLE)[number];
/** `holdTimeout` (seconds a message may wait for the network): its bounds and what a blank node and msg mean. */
export const HOLD_TIMEOUT_LIMITS = { min: 1, max: 86_400 };
export const HOLD_TIMEOUT_DEFAULT = 300;

/** The service's defaults for an async request that sets neither (seconds): what a blank asyncTimeout adds up. */
export const ASYNC_SERVICE_DEFAULTS = { requestTTLSeconds: 21_600, invocationTimeoutSeconds: 900 };

export const INVOKE_DEFAULTS = {
  name: '',
  config: '',
  mode: 'invoke' as InvokeMode,
  ...(BLANK_NODE_FIELDS as Record<OverridableField, string>),
  inputProperty: 'payload',
  outputProperty: 'payload',
  output: 'auto' as OutputMode,
  streamSplit: 'none' as StreamSplit,
  maxInFlight: 8,
  maxQueue: 1000,
  /** 1: no batching (one request per message) */
  batchSize: 1,
  /** milliseconds the first message of a batch waits for the batch to fill */
  batchWindow: 100,
  batchFormat: 'csv' as BatchFormat,
  /** json only: blank sends a bare array; a name sends {"<name>": [...]} */
  batchKey: '',
  asyncResult: 'location' as AsyncResult,
  /** seconds; blank: the request's RequestTTLSeconds + InvocationTimeoutSeconds */
  asyncTimeout: '',
  /** s3://bucket/prefix/ for inputs over the inline limit; blank: msg.inputS3Uri, or no upload */
  inputS3Uri: '',
  maxWaiting: 10_000,
  onUnreachable: 'fail' as OnUnreachable,
  /** seconds a held message may wait; blank: msg.holdTimeout, else HOLD_TIMEOUT_DEFAULT */
  holdTimeout: '',
};

/** Bounds of the invoke node's number properties. */
export const INVOKE_LIMITS = {
  maxInFlight: { min: 1, max: 256 },
  maxQueue: { min: 0, max: 1_000_000 },
  batchSize: { min: 1, max: 1000 },
  batchWindow: { min: 0, max: 60_000 },
  maxWaiting: { min: 1, max: 1_000_000 },
};

type SettingKey = keyof typeof INVOKE_DEFAULTS;
type LimitKey = keyof typeof INVOKE_LIMITS;
const LIMIT_KEYS = Object.keys(INVOKE_LIMITS) as LimitKey[];

/** The node's saved properties as Node-RED hands them over: text, though the editor may save the limits as numbers. */
export type InvokeDef = SavedProperties<typeof INVOKE_DEFAULTS>;

/** Settings that passed every check. */
export interface InvokeSettings extends Record<LimitKey, number> {
  mode: InvokeMode;
  /** the request fields set on the node ('' where the msg fills them) */
  fields: NodeFieldSettings;
  inputProperty: string;
  outputProperty: string;
  output: OutputMode;
  streamSplit: StreamSplit;
  batchFormat: BatchFormat;
  batchKey: string;
  asyncResult: AsyncResult;
  /** '' or a whole number of seconds (checked) */
  asyncTimeout: string;
  /** '' or an s3://bucket/prefix/ (checked) */
  inputS3Uri: string;
  onUnreachable: OnUnreachable;
  /** '' or a whole number of seconds (checked) */
  holdTimeout: string;
}

/** The settings as read, before the checks: a blank is the default, a number that is not one is NaN. */
type Choice = 'mode' | 'output' | 'streamSplit' | 'batchFormat' | 'asyncResult' | 'onUnreachable';
type Read = Omit<InvokeSettings, Choice> & Record<Choice, string>;

const textOf = (def: InvokeDef, key: SettingKey): string => (isBlank(def[key]) ? String(INVOKE_DEFAULTS[key]) : String(def[key]));

function read(def: InvokeDef): Read {
  const fields = {} as NodeFieldSettings;
  for (const field of Object.keys(OVERRIDABLE_FIELDS) as OverridableField[]) fields[field] = (def[field] ?? '') as string;
  const numbers = {} as Record<LimitKey, number>;
  for (const key of LIMIT_KEYS) numbers[key] = isBlank(def[key]) ? INVOKE_DEFAULTS[key] : Number(String(def[key]).trim());
  return {
    ...numbers,
    fields,
    mode: textOf(def, 'mode'),
    inputProperty: textOf(def, 'inputProperty'),
    outputProperty: textOf(def, 'outputProperty'),
    output: textOf(def, 'output'),
    streamSplit: textOf(def, 'streamSplit'),
    batchFormat: textOf(def, 'batchFormat'),
    batchKey: isBlank(def.batchKey) ? INVOKE_DEFAULTS.batchKey : String(def.batchKey),
    asyncResult: textOf(def, 'asyncResult'),
    asyncTimeout: textOf(def, 'asyncTimeout').trim(),
    inputS3Uri: textOf(def, 'inputS3Uri').trim(),
    onUnreachable: textOf(def, 'onUnreachable'),
    holdTimeout: textOf(def, 'holdTimeout').trim(),
  };
}

/** One rule of the settings: the field it is about, the check, and how the edit dialog words it (after the label). */
interface Check {
  /** `fields`: the request fields set on the node, which the dialog checks one by one (see fields.ts) */
  about: SettingKey | 'fields';
  check: (s: Read, def: InvokeDef) => FlowError | undefined;
  /** the dialog's words; blank: the `rule` the error carries */
  dialog?: (p: FlowErrorParams) => string;
}

const choice = (about: Choice, choices: readonly string[]): Check => ({
  about,
  check: (s) => choiceError(about, s[about], choices),
});
/** The FlowError a rule check throws, or undefined when the value passes. */
const failureOf = (run: () => unknown): FlowError | undefined => {
  try {
    run();
    return undefined;
  } catch (err) {
    return err as FlowError;
  }
};
const number = (about: LimitKey): Check => ({
  about,
  check: (_s, def) => failureOf(() => wholeNumber(about, def[about], INVOKE_LIMITS[about], INVOKE_DEFAULTS[about])),
});
/** A whole number in `limits` that may be left blank. */
const optionalNumber = (about: 'asyncTimeout' | 'holdTimeout', limits: { min: number; max: number }): Check => ({
  about,
  check: (s) => (s[about] === '' ? undefined : failureOf(() => wholeNumber(about, s[about], limits, 0))),
});
/** Whether the node batches: what the batching checks look at (a batch size that is no number does not batch). */
const batches = (s: Read): boolean => s.batchSize > 1 && s.mode === 'invoke';
const batchesAs = (s: Read): boolean => batches(s) && (BATCH_FORMATS as readonly string[]).includes(s.batchFormat);

const STREAM_JSON: Check = {
  about: 'output',
  check: (s) => (s.mode === 'stream' && s.output === 'json' && s.streamSplit !== 'lines' ? new FlowError('streamJsonNeedsLines') : undefined),
  dialog: () => 'parsed JSON in stream mode needs Split set to lines',
};

/** The batching rules, in the order the runtime reports them. */
const BATCH_CHECKS: readonly Check[] = [
  {
    about: 'batchSize',
    check: (s) =>
      s.batchSize > 1 && s.mode !== 'invoke'
        ? new FlowError('batchOnlyInvoke', { size: s.batchSize, mode: s.mode, operation: MODE_OPERATIONS[s.mode as InvokeMode] ?? '' })
        : undefined,
    dialog: (p) => `mode ${p.mode} (${p.operation}) cannot batch: set 1, or choose mode invoke`,
  },
  { ...choice('batchFormat', BATCH_FORMATS), check: (s) => (batches(s) ? choiceError('batchFormat', s.batchFormat, BATCH_FORMATS) : undefined) },
  {
    about: 'output',
    check: (s) => (batchesAs(s) && s.output === 'buffer' ? new FlowError('batchOutputBuffer') : undefined),
    dialog: () => 'a binary buffer cannot be cut into one result per message: choose another form, or set Batch size to 1',
  },
  {
    about: 'batchKey',
    check: (s) => (batchesAs(s) && s.batchKey !== '' && s.batchFormat !== 'json' ? new FlowError('batchKeyUnused', { format: s.batchFormat }) : undefined),
    dialog: (p) => `only a json batch has an object to put it in (this one is ${p.format}): clear it, or batch as json`,
  },
  {
    about: 'batchKey',
    check: (s) =>
      !batchesAs(s) || s.batchKey === '' || s.batchFormat !== 'json' ? undefined : failureOf(() => enforceRule(BATCH_KEY_RULE, s.batchKey, 'batchKey')),
  },
  {
    about: 'maxQueue',
    check: (s) => (batchesAs(s) && s.maxQueue < s.batchSize ? new FlowError('batchQueueTooSmall', { maxQueue: s.maxQueue, batchSize: s.batchSize }) : undefined),
    dialog: (p) => `must be at least the batch size (${p.batchSize}): the messages of a filling batch count as queued`,
  },
];

/** The async result rules: a timeout in range, an upload prefix of the right shape (both may be blank). */
const ASYNC_CHECKS: readonly Check[] = [
  choice('asyncResult', ASYNC_RESULTS),
  optionalNumber('asyncTimeout', ASYNC_TIMEOUT_LIMITS),
  {
    about: 'inputS3Uri',
    check: (s) => (s.inputS3Uri === '' ? undefined : failureOf(() => enforceRule(INPUT_S3_URI_RULE, s.inputS3Uri, 'inputS3Uri'))),
  },
];

/** Riding out outages: the choice, and a hold timeout in range (blank: msg.holdTimeout, else the default). */
const HOLD_CHECKS: readonly Check[] = [
  choice('onUnreachable', ON_UNREACHABLE),
  optionalNumber('holdTimeout', HOLD_TIMEOUT_LIMITS),
];

/**
 * The settings the rules about other fields see: a number that breaks its own rule counts as its default there (a
 * batch size of 1001 is named once, not also as too big for the queue), as shared/problems goes on with a stand-in.
 */
function withStandIns(s: Read, def: InvokeDef): Read {
  for (const key of LIMIT_KEYS) {
    if (number(key).check(s, def)) s[key] = INVOKE_DEFAULTS[key];
  }
  return s;
}

/** Every rule, in the order the runtime reports them (the request fields' own come from validateNodeFields). */
const CHECKS: readonly Check[] = [
  choice('output', OUTPUT_MODES),
  choice('mode', INVOKE_MODES),
  choice('streamSplit', STREAM_SPLITS),
  { about: 'fields', check: (s) => (INVOKE_MODES.includes(s.mode as InvokeMode) ? validateNodeFields(s.fields, s.mode as InvokeMode) : undefined) },
  STREAM_JSON,
  ...LIMIT_KEYS.map(number),
  ...BATCH_CHECKS,
  ...ASYNC_CHECKS,
  ...HOLD_CHECKS,
];

/**
 * The node's settings, or what is wrong with them as a FlowError (its key under `errors.` in the locale;
 * `params.value` holds the value set on the node when the error is about one field), or a FlowErrors naming every
 * field that is wrong, each by its first broken rule, as the edit dialog marks them: a node whose settings are
 * wrong fails every message with that error.
 */
export function resolveInvokeSettings(def: InvokeDef): InvokeSettings | FlowError {
  const s = withStandIns(read(def), def);
  const found = new Map<Check['about'], FlowError>();
  for (const { about, check } of CHECKS) {
    if (found.has(about)) continue;
    const err = check(s, def);
    if (!err) continue;
    found.set(about, err);
  }
  // The request fields set on the node are checked together: each bad one is named.
  const errors = [...found.values()].flatMap((err) => (err instanceof FlowErrors ? err.errors : [err]));
  for (const err of errors) {
    // The value set on the node, for the words that name it (fields set on the node are checked under their name).
    const field = err.params.field;
    if (typeof field === 'string' && field in def && def[field as SettingKey] !== undefined) {
      err.params.value = String(def[field as SettingKey]);
    }
  }
  if (errors.length === 0) return s as InvokeSettings;
  return errors.length === 1 ? errors[0] : new FlowErrors(errors);
}

/**
 * For the edit dialog: what is wrong with `value` as the setting `field`, judged with the node's other settings,
 * in the dialog's words; undefined when nothing is. Only the rules about this field are run, so each broken rule is
 * reported once, by the field it is about.
 */
export function settingProblem(node: InvokeDef, field: SettingKey, value: unknown): string | undefined {
  const def: InvokeDef = { ...node, [field]: value };
  const s = withStandIns(read(def), def);
  for (const { about, check, dialog } of CHECKS) {
    if (about !== field) continue;
    const err = check(s, def);
    if (err) return dialog ? dialog(err.params) : String(err.params.rule);
  }
  return undefined;
}
