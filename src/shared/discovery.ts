/**
 * The public names of endpoint discovery (issue 21): the admin routes the edit dialogs call to offer the account's
 * endpoints, variants and inference components, their permission, the IAM action each SageMaker call needs, and the
 * JSON the routes answer. The runtime (src/discovery, src/nodes) and the editor (src/editor) both take them from here.
 * No Node-RED import: this also runs in the browser.
 */

/** POST (DiscoveryRequestJson): every endpoint of the config node's account and region (EndpointListJson). */
export const DISCOVERY_ENDPOINTS_ROUTE = 'sagemaker-runtime/discovery/endpoints';
/** POST (DiscoveryRequestJson with endpointName): one endpoint described (EndpointDescriptionJson). */
export const DISCOVERY_ENDPOINT_ROUTE = 'sagemaker-runtime/discovery/endpoint';
/**
 * Both routes may receive secrets (keys typed in a config node's dialog, not yet deployed), so they need the config
 * node's write permission, which Node-RED's `*` grants and its `read` does not.
 */
export const DISCOVERY_PERMISSION = 'sagemaker-config.write';
/**
 * How long the runtime keeps an answer per config node (forgotten sooner when the flows stop or are deployed); a
 * request with `refresh: true` asks anew.
 */
export const DISCOVERY_CACHE_SECONDS = 60;
/** What Node-RED's editor holds in place of a saved secret: the runtime takes the saved config node's value instead. */
export const SECRET_PLACEHOLDER = '__PWRD__';

/** The SageMaker control-plane operations discovery calls, each with the IAM action it needs. */
export const DISCOVERY_ACTIONS = {
  ListEndpoints: 'sagemaker:ListEndpoints',
  DescribeEndpoint: 'sagemaker:DescribeEndpoint',
  DescribeEndpointConfig: 'sagemaker:DescribeEndpointConfig',
  ListInferenceComponents: 'sagemaker:ListInferenceComponents',
} as const;
export type DiscoveryOperation = keyof typeof DISCOVERY_ACTIONS;

/**
 * What the editor posts: the config node as it stands in the dialog (saved or not, deployed or not): its id, every
 * property of CONFIG_DEFAULTS, and its credentials, where a blank or SECRET_PLACEHOLDER value means "the saved one".
 */
export interface DiscoveryRequestJson {
  config: Record<string, unknown> & { id: string };
  credentials?: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string };
  /** DISCOVERY_ENDPOINT_ROUTE only: the endpoint to describe */
  endpointName?: string;
  /** true: do not answer from the cache, and call with a new client (a profile file's credentials read again) */
  refresh?: boolean;
}

/** Why a call failed, for the dialog to say under the field. */
export type DiscoveryProblemKind =
  /** the account refused the call: `action` names the missing IAM action */
  | 'denied'
  /** the service could not be reached: `url` names what was called */
  | 'unreachable'
  /** the credentials were refused or could not be had (bad keys, expired token, a profile that is not there) */
  | 'credentials'
  /** the config node's settings are not valid (its own checks); `message` names each field */
  | 'settings'
  /** DescribeEndpoint: no endpoint of that name */
  | 'notFound'
  /** anything else the service answered */
  | 'failed';

export interface DiscoveryProblemJson {
  kind: DiscoveryProblemKind;
  /** words a person can act on, never containing a secret */
  message: string;
  /** kind denied: the IAM action, e.g. sagemaker:ListEndpoints */
  action?: string;
  /** the URL called (the Control-plane URL, or the region's default) */
  url?: string;
}

/** Any route's answer when it could not do its work (HTTP 400 for settings, 502 for the rest). */
export interface DiscoveryErrorJson {
  error: DiscoveryProblemJson;
}

/** One endpoint of ListEndpoints. Times are ISO 8601. */
export interface EndpointSummaryJson {
  name: string;
  /** as the API names it: InService, Creating, Updating, SystemUpdating, RollingBack, Deleting, Failed, UpdateRollbackFailed, OutOfService */
  status: string;
  creationTime?: string;
  lastModifiedTime?: string;
}

export interface EndpointListJson {
  endpoints: EndpointSummaryJson[];
  /** the control-plane URL that answered */
  url: string;
  /** when this answer was fetched from the service (ISO 8601): older than now when it came from the cache */
  fetchedAt: string;
}

export interface VariantJson {
  name: string;
  /** e.g. ml.m5.large; absent for a serverless variant */
  instanceType?: string;
  currentInstanceCount?: number;
  /** set for a serverless variant */
  serverless?: { memorySizeInMB?: number; maxConcurrency?: number };
}

export interface InferenceComponentJson {
  name: string;
  /** as the API names it: InService, Creating, Updating, Failed, Deleting */
  status: string;
  variantName?: string;
}

export interface EndpointDescriptionJson {
  name: string;
  status: string;
  failureReason?: string;
  endpointConfigName?: string;
  /** the production variants, with instance type or serverless settings from the endpoint config when it could be read */
  variants: VariantJson[];
  /** set when the endpoint is asynchronous (AsyncInferenceConfig): where results and failures go */
  async?: { outputPath?: string; failurePath?: string };
  /** true when every variant is serverless */
  serverless: boolean;
  inferenceComponents: InferenceComponentJson[];
  /**
   * Parts that could not be read while the rest could (DescribeEndpointConfig or ListInferenceComponents refused):
   * the dialog shows them beside the summary.
   */
  problems: DiscoveryProblemJson[];
  url: string;
  fetchedAt: string;
}
