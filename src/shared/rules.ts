/**
 * Field rules as data plus one checker: the config node's fields, the building blocks of the request fields'
 * rules (src/shared/fields.ts), and the choice rule. No Node-RED import: the editor bundle uses the same rules.
 *
 * The service model writes its patterns as Java regexes; they are translated here. Java's \p{Print} (ASCII mode)
 * is [\x20-\x7E] and \S at the start of an ASCII header value is [\x21-\x7E].
 */
import { FlowError } from './flow-error';
import { problem } from './problems';

export interface FieldRule {
  /** Smallest length allowed when the field is given (an empty optional field is simply not sent). */
  minLength: number;
  maxLength: number;
  /** JavaScript regex source; the whole value must match. */
  pattern: string;
  /** The rule in words, for error messages and the editor's tooltips. */
  description: string;
  /** For whole numbers: the smallest and largest value allowed (the pattern then only admits digits). */
  range?: { min: number; max: number };
}

export const NAME_PATTERN = '^[a-zA-Z0-9](-*[a-zA-Z0-9])*$';
export const NAME_WORDS = 'letters, digits and hyphens, starting and ending with a letter or digit';
export const PRINTABLE_ID = '^[\\x21-\\x7E][\\x20-\\x7E]*$';
export const PRINTABLE_WORDS = 'printable US-ASCII characters, not starting with a space';
/** A header value: US-ASCII without control characters (so no CR or LF), tabs allowed. */
export const HEADER_TEXT = '^[\\t\\x20-\\x7E]*$';
export const HEADER_WORDS = 'US-ASCII characters without control characters (no CR or LF)';

/** The rule of a whole number sent as a request field. */
export function integerRule(min: number, max: number): FieldRule {
  return {
    minLength: 1,
    maxLength: String(max).length,
    pattern: '^[0-9]+$',
    description: `a whole number from ${min} to ${max}`,
    range: { min, max },
  };
}

/**
 * `batchKey`: the name of the member that holds the array in a JSON batch (`instances` for TensorFlow Serving).
 * Any JSON member name works; this keeps it to one visible line so it reads back as typed.
 */
export const BATCH_KEY_RULE: FieldRule = {
  minLength: 1,
  maxLength: 256,
  pattern: '^[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?$',
  description: 'printable US-ASCII characters, not starting or ending with a space',
};

/** InvokeEndpointAsync's limit for an inline body (larger input goes through msg.inputLocation). */
export const MAX_ASYNC_INLINE_BYTES = 128_000;

/** The most an async input may be (the service's 1 GB limit for an InputLocation object): what the node uploads. */
export const MAX_ASYNC_UPLOAD_BYTES = 1_000_000_000;

/**
 * `inputS3Uri`: the bucket (S3's naming rules) and a key prefix that ends in "/" (or no prefix), where the node
 * uploads inputs too big for the inline body.
 */
export const INPUT_S3_URI_RULE: FieldRule = {
  minLength: 8,
  maxLength: 1024,
  pattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/|/[\\x21-\\x7E][\\x20-\\x7E]*/)?$',
  description: 'an s3://bucket/prefix/ URI (a bucket name, then an optional key prefix ending in /)',
};

/** A service's endpoint URL (SageMaker Runtime, its HTTP/2 streams, the SageMaker API, S3, STS): scheme and host, an optional path. */
const SERVICE_URL_RULE: FieldRule = {
  minLength: 1,
  maxLength: 2048,
  pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
  description: 'an http:// or https:// URL without query or fragment',
};

/** Config node fields with a shape to check. */
export const CONFIG_FIELD_RULES = {
  region: {
    minLength: 1,
    maxLength: 32,
    // us-east-1, eu-west-3, us-gov-west-1, cn-north-1, ap-southeast-5, eu-isoe-west-1 ...
    pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$',
    description: 'an AWS region such as eu-west-1',
  },
  endpointUrl: SERVICE_URL_RULE,
  // Bidirectional streams speak HTTP/2: over TLS for https://, without TLS (prior knowledge) for http://.
  bidiEndpointUrl: {
    ...SERVICE_URL_RULE,
    description: `${SERVICE_URL_RULE.description} (http:// is HTTP/2 without TLS, for local servers)`,
  },
  // The SageMaker API (control plane): where the edit dialogs' endpoint discovery calls ListEndpoints and the rest.
  apiEndpointUrl: SERVICE_URL_RULE,
  profile: {
    minLength: 1,
    maxLength: 256,
    pattern: '^[^\\s\\[\\]]+$',
    description: 'a profile name without spaces or brackets',
  },
  // STS AssumeRole's own rules for its parameters (RoleArn shape: an IAM role ARN in any partition).
  roleArn: {
    minLength: 20,
    maxLength: 2048,
    pattern: '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$',
    description: 'an IAM role ARN such as arn:aws:iam::123456789012:role/name',
  },
  externalId: {
    minLength: 2,
    maxLength: 1224,
    pattern: '^[\\w+=,.@:/-]*$',
    description: 'letters, digits and the characters _+=,.@:/-',
  },
  roleSessionName: {
    minLength: 2,
    maxLength: 64,
    pattern: '^[\\w+=,.@-]*$',
    description: 'letters, digits and the characters _+=,.@-',
  },
  s3EndpointUrl: SERVICE_URL_RULE,
  stsEndpointUrl: SERVICE_URL_RULE,
  // authMode iot: AWS IoT Core's credentials provider, its role alias and thing name (AWS IoT's own rules).
  iotCredentialsEndpoint: {
    minLength: 1,
    maxLength: 2048,
    pattern: '^(https://[^\\s/?#]+(/[^\\s?#]*)?|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?)$',
    description:
      'a host such as c2abcd1234.credentials.iot.eu-west-1.amazonaws.com (as aws iot describe-endpoint --endpoint-type iot:CredentialProvider prints it), or an https:// URL',
  },
  iotRoleAlias: {
    minLength: 1,
    maxLength: 128,
    pattern: '^[\\w=,@-]+$',
    description: 'an AWS IoT role alias: letters, digits and the characters _=,@-',
  },
  iotThingName: {
    minLength: 1,
    maxLength: 128,
    pattern: '^[a-zA-Z0-9:_-]+$',
    description: 'an AWS IoT thing name: letters, digits and the characters :_-',
  },
} satisfies Record<string, FieldRule>;

/** SageMaker's request body limit for InvokeEndpoint (6 MB). */
export const MAX_BODY_BYTES = 6_291_456;

/** A value Node-RED replaces with an environment variable when the flow starts. */
export const ENV_REFERENCE = /^\$\{\S+\}$/;

export type RuleViolation =
  | { kind: 'tooShort'; min: number }
  | { kind: 'tooLong'; max: number; length: number }
  | { kind: 'pattern'; description: string }
  | { kind: 'range'; min: number; max: number };

const compiled = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(source);
    compiled.set(source, re);
  }
  return re;
}

/** Checks one non-empty value against its rule; returns the first violation, or undefined when it passes. */
export function checkRule(rule: FieldRule, value: string): RuleViolation | undefined {
  if (rule.range) {
    const n = Number(value);
    const ok = regex(rule.pattern).test(value) && n >= rule.range.min && n <= rule.range.max;
    return ok ? undefined : { kind: 'range', ...rule.range };
  }
  if (value.length < rule.minLength) return { kind: 'tooShort', min: rule.minLength };
  if (value.length > rule.maxLength) return { kind: 'tooLong', max: rule.maxLength, length: value.length };
  if (!regex(rule.pattern).test(value)) return { kind: 'pattern', description: rule.description };
  return undefined;
}

/** The rule in words, e.g. "at most 63 characters: letters, digits and hyphens, ...". */
export function describeViolation(v: RuleViolation): string {
  switch (v.kind) {
    case 'tooShort':
      return `must be at least ${v.min} character${v.min === 1 ? '' : 's'} long`;
    case 'tooLong':
      return `must be at most ${v.max} characters long (it is ${v.length})`;
    case 'pattern':
      return `must be ${v.description}`;
    case 'range':
      return `must be a whole number from ${v.min} to ${v.max}`;
  }
}

/** Blank: a property a node was saved without (from before it existed, or left empty); it reads as the default. */
export const isBlank = (v: unknown): boolean => v === undefined || v === null || v === '';

/** A node's saved properties as Node-RED hands them over: the keys of its defaults, each of any type until checked. */
export type SavedProperties<Defaults> = { [K in keyof Defaults]?: unknown };

/**
 * A whole-number setting (the config node's and the invoke node's limits): blank means `fallback`, as for a node
 * saved before the setting existed; anything else must be a whole number from `min` to `max`, or this throws the
 * `invalidField` FlowError naming `field`. The editor's validators use the same rule.
 */
export function wholeNumber(field: string, raw: unknown, limits: { min: number; max: number }, fallback: number): number {
  const text = raw === undefined || raw === null ? '' : String(raw).trim();
  if (text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < limits.min || n > limits.max) {
    // While shared/problems collects, the check goes on with the fallback and the problem is reported with the rest.
    return problem(new FlowError('invalidField', { field, rule: `must be a whole number from ${limits.min} to ${limits.max}` }), fallback);
  }
  return n;
}

/**
 * Throws the `invalidField` FlowError naming `field` and the rule in words when a non-empty value breaks its rule
 * (records it instead while shared/problems collects).
 */
export function enforceRule(rule: FieldRule, value: string, field: string): void {
  const violation = checkRule(rule, value);
  if (violation) problem(new FlowError('invalidField', { field, rule: describeViolation(violation) }), undefined);
}

/** The rule of a choice, in words: written once, for the runtime's errors and the editor's validators. */
export function oneOfRule(choices: readonly string[]): string {
  return `must be one of ${choices.join(', ')}`;
}

/** The `invalidField` FlowError naming `field` when a non-blank `value` is not among `choices`, else undefined. */
export function choiceError(field: string, value: string, choices: readonly string[]): FlowError | undefined {
  if (value === '' || choices.includes(value)) return undefined;
  return new FlowError('invalidField', { field, rule: oneOfRule(choices) });
}
