/**
 * The input constraints SageMaker Runtime checks before it calls a model, from the service model, and its
 * "N validation error(s) detected: ..." message. Java regexes translated: \S = not [ \t\n\x0B\f\r],
 * \p{Print} = ASCII 0x20-0x7E. The message shape is the one every AWS JSON and query service uses, so the STS test
 * server checks its own parameters with `violations` and `validationMessage` too.
 */

import type { Operation } from './types';
import { MAX_ASYNC_INLINE_BYTES, REQUEST_HEADERS, TYPE_HEADERS } from './wire';

export interface Constraint {
  /** the member name as the service spells it in validation messages */
  member: string;
  /** lower-cased request header, or undefined for the path's EndpointName */
  header?: string;
  min?: number;
  max: number;
  pattern?: { re: RegExp; source: string };
  /** an integer header (`RequestTTLSeconds`): min and max bound its value, not its length */
  integer?: boolean;
  /** do not echo the value in messages */
  sensitive?: boolean;
}

const NAME_PATTERN = { re: /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, source: '^[a-zA-Z0-9](-*[a-zA-Z0-9])*' };
const PRINTABLE_PATTERN = { re: /^[^ \t\n\x0B\f\r][\x20-\x7E]*$/, source: '\\A\\S[\\p{Print}]*\\z' };
const ASCII_PATTERN = { re: /^[\x00-\x7F]*$/, source: '\\p{ASCII}*' };
const H = REQUEST_HEADERS;

const ENDPOINT_NAME: Constraint = { member: 'endpointName', min: 1, max: 63, pattern: NAME_PATTERN };
const CUSTOM_ATTRIBUTES: Constraint = {
  member: 'customAttributes',
  header: H.customAttributes,
  max: 1024,
  pattern: { re: /^[\x20-\x7E]*$/, source: '\\p{ASCII}*' },
  sensitive: true,
};
const TARGET_VARIANT: Constraint = { member: 'targetVariant', header: H.targetVariant, max: 63, pattern: NAME_PATTERN };
const TARGET_CONTAINER: Constraint = { member: 'targetContainerHostname', header: H.targetContainerHostname, max: 63, pattern: NAME_PATTERN };
const INFERENCE_ID: Constraint = { member: 'inferenceId', header: H.inferenceId, min: 1, max: 64, pattern: PRINTABLE_PATTERN };
const INFERENCE_COMPONENT: Constraint = {
  member: 'inferenceComponentName',
  header: H.inferenceComponentName,
  max: 63,
  pattern: { re: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, source: '^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$' },
};
const PREFIX_AWARE_ID: Constraint = { member: 'prefixAwareId', header: H.prefixAwareId, min: 1, max: 64, pattern: PRINTABLE_PATTERN };

/** ContentType and Accept, in whichever headers the operation carries them. */
function typeConstraints(operation: Operation): Constraint[] {
  return [
    { member: 'contentType', header: TYPE_HEADERS[operation].contentType, max: 1024, pattern: ASCII_PATTERN },
    { member: 'accept', header: TYPE_HEADERS[operation].accept, max: 1024, pattern: ASCII_PATTERN },
  ];
}

/** Each operation's input constraints, from the service model. */
const CONSTRAINTS: Readonly<Record<Operation, readonly Constraint[]>> = {
  invoke: [
    ENDPOINT_NAME,
    ...typeConstraints('invoke'),
    CUSTOM_ATTRIBUTES,
    { member: 'targetModel', header: H.targetModel, min: 1, max: 1024, pattern: PRINTABLE_PATTERN },
    TARGET_VARIANT,
    TARGET_CONTAINER,
    INFERENCE_ID,
    { member: 'enableExplanations', header: H.enableExplanations, min: 1, max: 64 },
    INFERENCE_COMPONENT,
    {
      member: 'sessionId',
      header: H.sessionId,
      max: 256,
      pattern: { re: /^(NEW_SESSION|[a-zA-Z0-9](-*[a-zA-Z0-9])*)$/, source: '^(NEW_SESSION)$|^[a-zA-Z0-9](-*[a-zA-Z0-9])*$' },
    },
    PREFIX_AWARE_ID,
  ],
  stream: [
    ENDPOINT_NAME,
    ...typeConstraints('stream'),
    CUSTOM_ATTRIBUTES,
    TARGET_VARIANT,
    TARGET_CONTAINER,
    INFERENCE_ID,
    INFERENCE_COMPONENT,
    // The response stream cannot open a session: NEW_SESSION is not allowed here.
    { member: 'sessionId', header: H.sessionId, max: 256, pattern: NAME_PATTERN },
    PREFIX_AWARE_ID,
  ],
  async: [
    ENDPOINT_NAME,
    ...typeConstraints('async'),
    CUSTOM_ATTRIBUTES,
    INFERENCE_ID,
    {
      member: 'inputLocation',
      header: H.inputLocation,
      min: 1,
      max: 1024,
      pattern: { re: /^(https|s3):\/\/([^/]+)\/?(.*)$/, source: '^(https|s3)://([^/]+)/?(.*)$' },
    },
    {
      member: 's3OutputPathExtension',
      header: H.s3OutputPathExtension,
      min: 1,
      max: 512,
      pattern: { re: /^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$/, source: "^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$" },
    },
    {
      member: 'filename',
      header: H.filename,
      min: 1,
      max: 32,
      pattern: { re: /^(?!.*\..*\.)[a-zA-Z0-9][a-zA-Z0-9-_.]*$/, source: '^(?!.*\\..*\\.)[a-zA-Z0-9][a-zA-Z0-9-_\\.]*$' },
    },
    { member: 'requestTTLSeconds', header: H.requestTTLSeconds, min: 60, max: 21600, integer: true },
    { member: 'invocationTimeoutSeconds', header: H.invocationTimeoutSeconds, min: 1, max: 3600, integer: true },
  ],
};

/** One constraint's violations, in the service's words. */
export function violations(c: Constraint, value: string): string[] {
  const subject = c.sensitive ? `Value at '${c.member}'` : `Value '${value}' at '${c.member}'`;
  const problems: string[] = [];
  if (c.integer) {
    const n = Number(value);
    if (!/^-?\d+$/.test(value)) problems.push(`${subject} failed to satisfy constraint: Member must be an integer`);
    else if (c.min !== undefined && n < c.min) {
      problems.push(`${subject} failed to satisfy constraint: Member must have value greater than or equal to ${c.min}`);
    } else if (n > c.max) {
      problems.push(`${subject} failed to satisfy constraint: Member must have value less than or equal to ${c.max}`);
    }
    return problems;
  }
  if (c.min !== undefined && value.length < c.min) {
    problems.push(`${subject} failed to satisfy constraint: Member must have length greater than or equal to ${c.min}`);
  }
  if (value.length > c.max) {
    problems.push(`${subject} failed to satisfy constraint: Member must have length less than or equal to ${c.max}`);
  }
  if (c.pattern && value.length > 0 && !c.pattern.re.test(value)) {
    problems.push(`${subject} failed to satisfy constraint: Member must satisfy regular expression pattern: ${c.pattern.source}`);
  }
  return problems;
}

/** The service's "N validation error(s) detected: ..." message for these problems, or undefined for none. */
export function validationMessage(problems: readonly string[]): string | undefined {
  if (problems.length === 0) return undefined;
  const n = problems.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`;
}

/** The validation message for a call of `operation`, or undefined when its input is valid. */
export function validateInvocation(
  operation: Operation,
  endpointName: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
): string | undefined {
  const problems: string[] = [];
  for (const c of CONSTRAINTS[operation]) {
    const value = c.header === undefined ? endpointName : headers[c.header];
    if (value !== undefined) problems.push(...violations(c, value));
  }
  if (operation === 'async' && body.length > MAX_ASYNC_INLINE_BYTES) {
    problems.push(`Value at 'body' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ASYNC_INLINE_BYTES}`);
  }
  return validationMessage(problems);
}

/** InvokeEndpointAsync takes its input from exactly one place: S3 or the inline body. */
export function asyncInputProblem(headers: Readonly<Record<string, string>>, body: Buffer): string | undefined {
  const hasLocation = headers[REQUEST_HEADERS.inputLocation] !== undefined;
  if (hasLocation && body.length > 0) return 'Specify either InputLocation or Body, not both.';
  if (!hasLocation && body.length === 0) return 'Either InputLocation or Body must be specified.';
  return undefined;
}
