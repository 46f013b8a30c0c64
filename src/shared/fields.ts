/**
 * The request fields of the invoke node: ONE entry per field, from which every list the runtime and the editor use
 * is derived (which fields the node may set, which come from the msg only, which are numbers, which each mode's
 * operation takes, their rules and their icons in the dialog).
 *
 * Adding a request field is an entry here, its label, placeholder and help in the locale files, and its line in the
 * `defaults` of nodes/sagemaker-invoke.html (which Node-RED's flow library reads without running the page).
 * No Node-RED or Node.js import: this module also runs in the browser (bundled into resources/editor-shared.js).
 */
import {
  HEADER_TEXT,
  HEADER_WORDS,
  NAME_PATTERN,
  NAME_WORDS,
  PRINTABLE_ID,
  PRINTABLE_WORDS,
  enforceRule,
  integerRule,
  type FieldRule,
} from './rules';
import { FlowError } from './flow-error';
import { FlowErrors } from './problems';
import { describeType } from './words';

/**
 * The invoke node's `mode`: which SageMaker Runtime operation it calls. `invoke` (InvokeEndpoint) is the default,
 * and what a node saved before modes existed gets.
 */
export const INVOKE_MODES = ['invoke', 'stream', 'async'] as const;
export type InvokeMode = (typeof INVOKE_MODES)[number];

/** The operation each mode calls, for messages. */
export const MODE_OPERATIONS: Readonly<Record<InvokeMode, string>> = {
  invoke: 'InvokeEndpoint',
  stream: 'InvokeEndpointWithResponseStream',
  async: 'InvokeEndpointAsync',
};

/** One request field. */
export interface FieldSpec {
  /** the SDK input member it fills */
  member: string;
  /** `node`: a node property the msg property of the same name fills when blank; `msg`: one message's own */
  from: 'node' | 'msg';
  /** the modes whose operation takes it (from the service model); set elsewhere, it is an error */
  modes: readonly InvokeMode[];
  /** sent as a number (the rest are strings) */
  integer?: true;
  rule: FieldRule;
  /** the dialog row's Font Awesome icon (node fields only) */
  icon?: string;
}

const ALL: readonly InvokeMode[] = ['invoke', 'stream', 'async'];
const SYNC: readonly InvokeMode[] = ['invoke', 'stream'];
const ASYNC: readonly InvokeMode[] = ['async'];
const NAME: FieldRule = { minLength: 1, maxLength: 63, pattern: NAME_PATTERN, description: NAME_WORDS };
const HEADER: FieldRule = { minLength: 1, maxLength: 1024, pattern: HEADER_TEXT, description: HEADER_WORDS };

/** The table. Node fields first, in the dialog's order; a node's fields are checked in this order. */
export const REQUEST_FIELDS = {
  endpointName: { member: 'EndpointName', from: 'node', modes: ALL, rule: NAME, icon: 'fa-cube' },
  contentType: { member: 'ContentType', from: 'node', modes: ALL, rule: HEADER, icon: 'fa-upload' },
  accept: { member: 'Accept', from: 'node', modes: ALL, rule: HEADER, icon: 'fa-download' },
  customAttributes: {
    member: 'CustomAttributes',
    from: 'node',
    modes: ALL,
    icon: 'fa-tags',
    // RFC 7230 field-value: visible characters, with spaces or tabs only between them.
    rule: {
      minLength: 1,
      maxLength: 1024,
      pattern: '^[\\x21-\\x7E]([\\t\\x20-\\x7E]*[\\x21-\\x7E])?$',
      description: 'visible US-ASCII characters (spaces only between them, no CR or LF)',
    },
  },
  targetModel: {
    member: 'TargetModel',
    from: 'node',
    modes: ['invoke'],
    icon: 'fa-archive',
    rule: { minLength: 1, maxLength: 1024, pattern: PRINTABLE_ID, description: PRINTABLE_WORDS },
  },
  targetVariant: { member: 'TargetVariant', from: 'node', modes: SYNC, rule: NAME, icon: 'fa-code-fork' },
  targetContainerHostname: { member: 'TargetContainerHostname', from: 'node', modes: SYNC, rule: NAME, icon: 'fa-server' },
  enableExplanations: {
    member: 'EnableExplanations',
    from: 'node',
    modes: ['invoke'],
    icon: 'fa-lightbulb-o',
    rule: { ...HEADER, maxLength: 64 },
  },
  inferenceComponentName: {
    member: 'InferenceComponentName',
    from: 'node',
    modes: SYNC,
    icon: 'fa-puzzle-piece',
    rule: { minLength: 1, maxLength: 63, pattern: '^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$', description: NAME_WORDS },
  },
  prefixAwareId: {
    member: 'PrefixAwareId',
    from: 'node',
    modes: SYNC,
    icon: 'fa-key',
    rule: { minLength: 1, maxLength: 64, pattern: PRINTABLE_ID, description: PRINTABLE_WORDS },
  },
  requestTTLSeconds: {
    member: 'RequestTTLSeconds',
    from: 'node',
    modes: ASYNC,
    integer: true,
    rule: integerRule(60, 21600),
    icon: 'fa-hourglass-half',
  },
  invocationTimeoutSeconds: {
    member: 'InvocationTimeoutSeconds',
    from: 'node',
    modes: ASYNC,
    integer: true,
    rule: integerRule(1, 3600),
    icon: 'fa-clock-o',
  },
  s3OutputPathExtension: {
    member: 'S3OutputPathExtension',
    from: 'node',
    modes: ASYNC,
    icon: 'fa-folder-open',
    rule: {
      minLength: 1,
      maxLength: 512,
      pattern: "^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$",
      description: "a path of letters, digits and !_.*'()/- characters, not starting with s3: or https:",
    },
  },
  inferenceId: {
    member: 'InferenceId',
    from: 'msg',
    modes: ALL,
    rule: { minLength: 1, maxLength: 64, pattern: PRINTABLE_ID, description: PRINTABLE_WORDS },
  },
  sessionId: {
    member: 'SessionId',
    from: 'msg',
    modes: SYNC,
    rule: {
      minLength: 1,
      maxLength: 256,
      pattern: '^(NEW_SESSION|[a-zA-Z0-9](-*[a-zA-Z0-9])*)$',
      description: `NEW_SESSION, or ${NAME_WORDS}`,
    },
  },
  inputLocation: {
    member: 'InputLocation',
    from: 'msg',
    modes: ASYNC,
    rule: {
      minLength: 1,
      maxLength: 1024,
      pattern: '^(s3|https)://[\\x21-\\x2E\\x30-\\x7E]+(/[\\x20-\\x7E]*)?$',
      description: 'an s3://bucket/key URI (or an https:// URL) of the input object, in printable US-ASCII',
    },
  },
  filename: {
    member: 'Filename',
    from: 'msg',
    modes: ASYNC,
    rule: {
      minLength: 1,
      maxLength: 32,
      pattern: '^(?!.*\\..*\\.)[a-zA-Z0-9][a-zA-Z0-9_.-]*$',
      description: 'a file name of letters, digits, hyphens, underscores and at most one dot, starting with a letter or digit',
    },
  },
} as const satisfies Record<string, FieldSpec>;

export type RequestField = keyof typeof REQUEST_FIELDS;
type FieldsFrom<F extends FieldSpec['from']> = { [K in RequestField]: (typeof REQUEST_FIELDS)[K]['from'] extends F ? K : never }[RequestField];
export type OverridableField = FieldsFrom<'node'>;
export type MsgOnlyField = FieldsFrom<'msg'>;

const ENTRIES = Object.entries(REQUEST_FIELDS) as [RequestField, FieldSpec][];
const members = <K extends RequestField>(keep: (spec: FieldSpec) => boolean): Record<K, string> =>
  Object.fromEntries(ENTRIES.filter(([, spec]) => keep(spec)).map(([field, spec]) => [field, spec.member])) as Record<K, string>;
const fieldsWhere = (keep: (spec: FieldSpec) => boolean): readonly RequestField[] =>
  ENTRIES.filter(([, spec]) => keep(spec)).map(([field]) => field);

/**
 * Request fields that may be set on the invoke node or, where the node leaves them empty, by the msg property of
 * the same name, each with the SDK input member it fills.
 */
export const OVERRIDABLE_FIELDS: Readonly<Record<OverridableField, string>> = members((s) => s.from === 'node');

/** Request fields taken from the msg only: they belong to one message, never to the node. */
export const MSG_ONLY_FIELDS: Readonly<Record<MsgOnlyField, string>> = members((s) => s.from === 'msg');

/** Fields sent as numbers (the rest are strings). */
export const INTEGER_FIELDS = fieldsWhere((s) => s.integer === true);

/** Fields only InvokeEndpointAsync has. Other modes leave the msg properties of these names alone. */
export const ASYNC_ONLY_FIELDS = fieldsWhere((s) => s.modes.length === 1 && s.modes[0] === 'async');

/** The request fields each mode's operation takes. Any other field set on the node or the msg is an error there. */
export const MODE_FIELDS: Readonly<Record<InvokeMode, readonly RequestField[]>> = {
  invoke: fieldsWhere((s) => s.modes.includes('invoke')),
  stream: fieldsWhere((s) => s.modes.includes('stream')),
  async: fieldsWhere((s) => s.modes.includes('async')),
};

/** The service model's rule of each request field. */
export const REQUEST_FIELD_RULES = Object.fromEntries(ENTRIES.map(([field, spec]) => [field, spec.rule])) as Record<RequestField, FieldRule>;

/** The icon of each node field's row in the edit dialog. */
export const FIELD_ICONS = Object.fromEntries(
  ENTRIES.filter(([, spec]) => spec.icon).map(([field, spec]) => [field, spec.icon]),
) as Record<OverridableField, string>;

/** Every node field blank: the node's defaults (a blank field is filled from the msg). */
export const BLANK_NODE_FIELDS = Object.fromEntries(Object.keys(OVERRIDABLE_FIELDS).map((f) => [f, ''])) as Record<OverridableField, ''>;

/** The response stream cannot open a session: only an existing session's id. */
export const STREAM_SESSION_RULE: FieldRule = {
  minLength: 1,
  maxLength: 256,
  pattern: NAME_PATTERN,
  description: `the id of an open session (${NAME_WORDS}); the response stream cannot open one with NEW_SESSION`,
};

/** The rule a field's value follows in a mode. */
export function fieldRule(mode: InvokeMode, field: RequestField): FieldRule {
  return mode === 'stream' && field === 'sessionId' ? STREAM_SESSION_RULE : REQUEST_FIELDS[field].rule;
}

export function notForMode(mode: InvokeMode, field: string): FlowError {
  return new FlowError('notForMode', { field, mode, operation: MODE_OPERATIONS[mode] });
}

/** The node's request field settings: text, blank where the msg fills the field. */
export type NodeFieldSettings = Record<OverridableField, string>;

/**
 * Checks the fields set on the node (once, when it starts): returns the problem, a FlowErrors naming each field that
 * is wrong when there are several, or undefined. A field the mode's operation does not take must be empty.
 */
export function validateNodeFields(node: NodeFieldSettings, mode: InvokeMode = 'invoke'): FlowError | undefined {
  const errors: FlowError[] = [];
  for (const field of Object.keys(OVERRIDABLE_FIELDS) as OverridableField[]) {
    const value = node[field] ?? '';
    if (typeof value !== 'string') {
      errors.push(new FlowError('notAString', { field, type: describeType(value) }));
      continue;
    }
    if (value === '') continue;
    if (!MODE_FIELDS[mode].includes(field)) {
      errors.push(notForMode(mode, field));
      continue;
    }
    try {
      enforceRule(fieldRule(mode, field), value, field);
    } catch (err) {
      errors.push(err as FlowError);
    }
  }
  return errors.length > 1 ? new FlowErrors(errors) : errors[0];
}
