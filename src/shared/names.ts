/**
 * The public names of this package: node types, node properties, msg properties, choices and defaults.
 * Everything else (runtime, editor bundle, tests) imports them from here, so they are written once.
 * No Node-RED import: this module also runs in the browser (bundled into resources/editor-shared.js).
 */

export const MODULE_NAME = 'node-red-contrib-sagemaker-runtime';
export const CONFIG_NODE_TYPE = 'sagemaker-config';
export const INVOKE_NODE_TYPE = 'sagemaker-invoke';
export const PALETTE_CATEGORY = 'AWS';

export const AUTH_MODES = ['keys', 'chain', 'profile'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const RETRY_MODES = ['standard', 'adaptive'] as const;
export type RetryMode = (typeof RETRY_MODES)[number];

export const OUTPUT_MODES = ['auto', 'json', 'text', 'buffer'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

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

/** `streamSplit`: send the service's parts as they come (`none`), or re-cut them at newlines (`lines`). */
export const STREAM_SPLITS = ['none', 'lines'] as const;
export type StreamSplit = (typeof STREAM_SPLITS)[number];

/**
 * `batchFormat`: how a batch of messages becomes one request body when `batchSize` is above 1. `csv`: one row per
 * message, joined by newlines; `json`: a JSON array of the inputs (or an object holding it under `batchKey`);
 * `jsonlines`: one JSON document per line.
 */
export const BATCH_FORMATS = ['csv', 'json', 'jsonlines'] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];

/** The content type of a batch's body when neither the node nor the msg sets one. */
export const BATCH_CONTENT_TYPES: Readonly<Record<BatchFormat, string>> = {
  csv: 'text/csv',
  json: 'application/json',
  jsonlines: 'application/jsonlines',
};

/**
 * In a JSON answer that is an object, the arrays looked for (after `batchKey`, when set) as the one result per
 * input: `predictions` (TensorFlow Serving, the built-in algorithms), `outputs` (TensorFlow Serving's columnar form).
 */
export const BATCH_ANSWER_KEYS = ['predictions', 'outputs'] as const;

/** Defaults of the config node. `timeout` is per attempt: SageMaker lets a model take 60 s, AWS advises 70 s. */
export const CONFIG_DEFAULTS = {
  name: '',
  region: '',
  endpointUrl: '',
  authMode: 'keys' as AuthMode,
  profile: '',
  profileFile: '',
  maxAttempts: 3,
  retryMode: 'standard' as RetryMode,
  timeout: 70000,
  // Assume a role on top of the credentials above (blank roleArn: no role).
  roleArn: '',
  externalId: '',
  /** blank: derived from the config node's name or id, see src/config/assume-role */
  roleSessionName: '',
  roleDurationSeconds: 3600,
  stsEndpointUrl: '',
  /** id of a core `http proxy` config node; blank: the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables */
  proxy: '',
  /** id of a core `tls-config` config node; blank: Node's default certificate authorities */
  tls: '',
};

export const CONFIG_LIMITS = {
  maxAttempts: { min: 1, max: 10 },
  timeout: { min: 100, max: 3_600_000 },
  /** STS AssumeRole's DurationSeconds range (the role's maximum session duration may be lower) */
  roleDurationSeconds: { min: 900, max: 43_200 },
};

/** Credentials of the config node, kept in Node-RED's encrypted credential store. */
export const CONFIG_CREDENTIALS = {
  accessKeyId: { type: 'text' },
  secretAccessKey: { type: 'password' },
  sessionToken: { type: 'password' },
} as const;
export type CredentialName = keyof typeof CONFIG_CREDENTIALS;

/**
 * Request fields that may be set on the invoke node or, where the node leaves them empty, by the msg property of
 * the same name. Each maps to one InvokeEndpoint input member.
 */
export const OVERRIDABLE_FIELDS = {
  endpointName: 'EndpointName',
  contentType: 'ContentType',
  accept: 'Accept',
  customAttributes: 'CustomAttributes',
  targetModel: 'TargetModel',
  targetVariant: 'TargetVariant',
  targetContainerHostname: 'TargetContainerHostname',
  enableExplanations: 'EnableExplanations',
  inferenceComponentName: 'InferenceComponentName',
  prefixAwareId: 'PrefixAwareId',
  requestTTLSeconds: 'RequestTTLSeconds',
  invocationTimeoutSeconds: 'InvocationTimeoutSeconds',
  s3OutputPathExtension: 'S3OutputPathExtension',
} as const;
export type OverridableField = keyof typeof OVERRIDABLE_FIELDS;

/** Request fields taken from the msg only: they belong to one message, never to the node. */
export const MSG_ONLY_FIELDS = {
  inferenceId: 'InferenceId',
  sessionId: 'SessionId',
  inputLocation: 'InputLocation',
  filename: 'Filename',
} as const;
export type MsgOnlyField = keyof typeof MSG_ONLY_FIELDS;

export type RequestField = OverridableField | MsgOnlyField;

/** Fields sent as numbers (the rest are strings). */
export const INTEGER_FIELDS: readonly RequestField[] = ['requestTTLSeconds', 'invocationTimeoutSeconds'];

/** Fields only InvokeEndpointAsync has. Other modes leave the msg properties of these names alone. */
export const ASYNC_ONLY_FIELDS: readonly RequestField[] = [
  'inputLocation',
  'filename',
  'requestTTLSeconds',
  'invocationTimeoutSeconds',
  's3OutputPathExtension',
];

/**
 * The request fields each mode's operation takes, from the service model. Any other InvokeEndpoint field set on
 * the node or the msg is an error in that mode, never silently dropped.
 */
export const MODE_FIELDS: Readonly<Record<InvokeMode, readonly RequestField[]>> = {
  invoke: [
    'endpointName',
    'contentType',
    'accept',
    'customAttributes',
    'targetModel',
    'targetVariant',
    'targetContainerHostname',
    'enableExplanations',
    'inferenceComponentName',
    'prefixAwareId',
    'inferenceId',
    'sessionId',
  ],
  stream: [
    'endpointName',
    'contentType',
    'accept',
    'customAttributes',
    'targetVariant',
    'targetContainerHostname',
    'inferenceComponentName',
    'prefixAwareId',
    'inferenceId',
    'sessionId',
  ],
  async: [
    'endpointName',
    'contentType',
    'accept',
    'customAttributes',
    'inferenceId',
    'inputLocation',
    'filename',
    'requestTTLSeconds',
    'invocationTimeoutSeconds',
    's3OutputPathExtension',
  ],
};

export const INVOKE_DEFAULTS = {
  name: '',
  config: '',
  mode: 'invoke' as InvokeMode,
  endpointName: '',
  contentType: '',
  accept: '',
  customAttributes: '',
  targetModel: '',
  targetVariant: '',
  targetContainerHostname: '',
  enableExplanations: '',
  inferenceComponentName: '',
  prefixAwareId: '',
  requestTTLSeconds: '',
  invocationTimeoutSeconds: '',
  s3OutputPathExtension: '',
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
};

/** Bounds of the invoke node's number properties. */
export const INVOKE_LIMITS = {
  maxInFlight: { min: 1, max: 256 },
  maxQueue: { min: 0, max: 1_000_000 },
  batchSize: { min: 1, max: 1000 },
  batchWindow: { min: 0, max: 60_000 },
};

/** The msg property that carries response metadata (and, on failure, `error`). */
export const METADATA_PROPERTY = 'sagemaker';

/** Default content types chosen from the kind of input when neither node nor msg sets one. */
export const DEFAULT_CONTENT_TYPES = {
  bytes: 'application/octet-stream',
  text: 'text/plain',
  json: 'application/json',
} as const;

/** Node-RED core config node types the config node can use: the ones core's HTTP request node uses. */
export const PROXY_NODE_TYPE = 'http proxy';
export const TLS_NODE_TYPE = 'tls-config';

/** Start of a role session name derived from the config node (STS shows it in the role's CloudTrail log). */
export const ROLE_SESSION_PREFIX = 'node-red-';
