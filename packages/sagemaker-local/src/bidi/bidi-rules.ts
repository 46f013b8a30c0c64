/**
 * InvokeEndpointWithBidirectionalStream's wire facts and input rules, from the SageMaker Runtime HTTP2 service
 * model: its path, its optional headers and their constraints, the signed-payload marker of an event-stream body,
 * and the statuses of its errors. Pure.
 */

export const BIDI_PATH = /^\/endpoints\/([^/]+)\/invocations-bidirectional-stream$/;

/** What `x-amz-content-sha256` must say: the body is signed event by event, not as a whole. */
export const STREAMING_EVENTS_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-EVENTS';

export const BIDI_REQUEST_HEADERS = {
  targetVariant: 'x-amzn-sagemaker-target-variant',
  modelInvocationPath: 'x-amzn-sagemaker-model-invocation-path',
  modelQueryString: 'x-amzn-sagemaker-model-query-string',
} as const;

export const INVOKED_VARIANT_HEADER = 'x-amzn-invoked-production-variant';

/** This operation's error types (restJson1, `x-amzn-errortype`) and their statuses. */
export const BIDI_ERROR_STATUS: Readonly<Record<string, number>> = {
  InputValidationError: 400,
  ModelError: 424,
  InternalServerError: 500,
  ServiceUnavailableError: 503,
};

const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const VARIANT = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const INVOCATION_PATH = /^[A-Za-z0-9\-._]+(?:\/[A-Za-z0-9\-._]+)*$/;
/** `key=value(&key=value)*`, keys and values of unreserved characters or percent-escapes. */
const QUERY_STRING = /^(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})+=(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})*(?:&(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})+=(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})*)*$/;

/** The optional members of a call, read from their headers. */
export interface BidiOptions {
  targetVariant?: string;
  modelInvocationPath?: string;
  modelQueryString?: string;
}

/** The members, or the first rule one of them breaks (in the service's validation wording). */
export function readBidiOptions(endpointName: string, headers: Readonly<Record<string, string>>): BidiOptions | { problem: string } {
  if (endpointName.length > 63 || !ENDPOINT_NAME.test(endpointName)) {
    return {
      problem: `1 validation error detected: Value '${endpointName.slice(0, 100)}' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])* and have length less than or equal to 63`,
    };
  }
  const targetVariant = headers[BIDI_REQUEST_HEADERS.targetVariant];
  const modelInvocationPath = headers[BIDI_REQUEST_HEADERS.modelInvocationPath];
  const modelQueryString = headers[BIDI_REQUEST_HEADERS.modelQueryString];
  const rule = (member: string, value: string, pattern: RegExp, max: number): string | undefined =>
    value.length > max || !pattern.test(value)
      ? `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source} and have length less than or equal to ${max}`
      : undefined;
  const problem =
    (targetVariant !== undefined ? rule('targetVariant', targetVariant, VARIANT, 63) : undefined) ??
    (modelInvocationPath !== undefined ? rule('modelInvocationPath', modelInvocationPath, INVOCATION_PATH, 100) : undefined) ??
    (modelQueryString !== undefined ? rule('modelQueryString', modelQueryString, QUERY_STRING, 2048) : undefined);
  if (problem) return { problem };
  return {
    ...(targetVariant !== undefined ? { targetVariant } : {}),
    ...(modelInvocationPath !== undefined ? { modelInvocationPath } : {}),
    ...(modelQueryString !== undefined ? { modelQueryString } : {}),
  };
}
