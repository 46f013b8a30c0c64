/**
 * The public names of this package: node types, node properties, msg properties, choices and defaults.
 * Everything else (runtime, editor bundle, tests) imports them from here, so they are written once: the request
 * fields and the invoke node's settings are defined in fields.ts and invoke-settings.ts and re-exported here.
 * No Node-RED import: this module also runs in the browser (bundled into resources/editor-shared.js).
 */

export const MODULE_NAME = 'node-red-contrib-sagemaker-runtime';
export const CONFIG_NODE_TYPE = 'sagemaker-config';
export const INVOKE_NODE_TYPE = 'sagemaker-invoke';
export const PALETTE_CATEGORY = 'AWS';

export {
  INVOKE_MODES,
  MODE_OPERATIONS,
  OVERRIDABLE_FIELDS,
  MSG_ONLY_FIELDS,
  INTEGER_FIELDS,
  ASYNC_ONLY_FIELDS,
  MODE_FIELDS,
  FIELD_ICONS,
  type InvokeMode,
  type RequestField,
  type OverridableField,
  type MsgOnlyField,
} from './fields';
export {
  OUTPUT_MODES,
  ASYNC_RESULTS,
  MSG_FILLED_SETTINGS,
  STREAM_SPLITS,
  BATCH_FORMATS,
  INVOKE_DEFAULTS,
  INVOKE_LIMITS,
  ON_UNREACHABLE,
  HOLD_TIMEOUT_LIMITS,
  HOLD_TIMEOUT_DEFAULT,
  type OnUnreachable,
  type OutputMode,
  type AsyncResult,
  type StreamSplit,
  type BatchFormat,
} from './invoke-settings';
import type { BatchFormat } from './invoke-settings';
export {
  BIDI_NODE_TYPE,
  BIDI_OPERATION,
  BIDI_FIELD_NAMES,
  BIDI_FIELD_ICONS,
  BIDI_MSG_FLAGS,
  BIDI_DEFAULTS,
  BIDI_LIMITS,
  type BidiField,
} from './bidi-settings';

export const AUTH_MODES = ['keys', 'chain', 'profile', 'iot'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const RETRY_MODES = ['standard', 'adaptive'] as const;
export type RetryMode = (typeof RETRY_MODES)[number];

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
  /** blank: the region's SageMaker Runtime HTTP2 endpoint (port 8443) for bidirectional streams */
  bidiEndpointUrl: '',
  /**
   * blank: the region's SageMaker API endpoint (api.sagemaker.REGION.amazonaws.com, FIPS and dual-stack as the SDK
   * chooses them): where endpoint discovery calls ListEndpoints and the other control-plane operations
   */
  apiEndpointUrl: '',
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
  // authMode iot: AWS IoT Core's credentials provider, with the device certificate of a core tls-config node.
  /** the account's credentials endpoint (aws iot describe-endpoint --endpoint-type iot:CredentialProvider), or a URL */
  iotCredentialsEndpoint: '',
  iotRoleAlias: '',
  /** optional: sent as x-amzn-iot-thingname */
  iotThingName: '',
  /** id of the core `tls-config` node holding the device certificate, its private key and the CA */
  iotTls: '',
  /** blank: the regional S3 endpoint; set: that URL with path-style addressing (local server, S3-compatible stores) */
  s3EndpointUrl: '',
  /** the most S3 requests per second the config node's async result poller makes, for all its invoke nodes */
  s3MaxRequestRate: 50,
};

export const CONFIG_LIMITS = {
  maxAttempts: { min: 1, max: 10 },
  timeout: { min: 100, max: 3_600_000 },
  /** STS AssumeRole's DurationSeconds range (the role's maximum session duration may be lower) */
  roleDurationSeconds: { min: 900, max: 43_200 },
  s3MaxRequestRate: { min: 1, max: 5000 },
};

/** Credentials of the config node, kept in Node-RED's encrypted credential store. */
export const CONFIG_CREDENTIALS = {
  accessKeyId: { type: 'text' },
  secretAccessKey: { type: 'password' },
  sessionToken: { type: 'password' },
} as const;

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
