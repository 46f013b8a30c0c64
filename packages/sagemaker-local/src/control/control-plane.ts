/**
 * The SageMaker control plane of the local server, on the same port as its runtime operations: AWS JSON 1.1
 * (`POST /`, `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target: SageMaker.<Operation>`), signed for
 * service `sagemaker` with the server's keys. The server authenticates the request; this answers it: the operation
 * the target names, the caller's `deny` checked, the input parsed and checked, and errors in awsJson1_1's shape
 * (HTTP 400, `x-amzn-ErrorType: <Code>`, body `{"__type": "<Code>", "message": "..."}`). Operations it does not
 * answer are the service's UnknownOperationException.
 */

import { accessDenied, CONTROL_ACTIONS, type ControlOperation, type Refusals } from './access';
import { anyResourceArn, endpointArn, endpointConfigArn, type ArnScope } from './arn';
import { ControlError } from './control-error';
import { parseInput } from './control-input';
import { OPERATIONS } from './operations';
import type { EndpointFacts } from './control-types';

export const CONTROL_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const CONTROL_TARGET_PREFIX = 'SageMaker.';
const TARGET_HEADER = 'x-amz-target';

export interface ControlAnswer {
  status: number;
  body: Record<string, unknown>;
  /** the error code, when the answer is an error */
  errorType?: string;
}

/** Whether a request is for the control plane: `POST /` with an `X-Amz-Target` (the runtime's paths start /endpoints/). */
export function isControlRequest(method: string, rawPath: string, headers: Readonly<Record<string, string>>): boolean {
  return method === 'POST' && rawPath === '/' && headers[TARGET_HEADER] !== undefined;
}

/** The target of a control request, shown in the log only when it looks like one (never arbitrary header text). */
export function loggableTarget(headers: Readonly<Record<string, string>>): string | undefined {
  const target = headers[TARGET_HEADER];
  return target !== undefined && /^[A-Za-z0-9_.]{1,128}$/.test(target) ? target : undefined;
}

/** An error answer in awsJson1_1's shape. */
export function controlError(code: string, message: string): ControlAnswer {
  return { status: code === 'InternalFailure' ? 500 : 400, body: { __type: code, message }, errorType: code };
}

const isOperation = (name: string): name is ControlOperation => Object.prototype.hasOwnProperty.call(CONTROL_ACTIONS, name);

/** The resource an operation's IAM action is checked on. */
function resourceOf(operation: ControlOperation, input: Record<string, unknown>, scope: ArnScope): string {
  const name = (member: string): string => (typeof input[member] === 'string' ? (input[member] as string) : '*');
  if (operation === 'DescribeEndpoint') return endpointArn(scope, name('EndpointName'));
  if (operation === 'DescribeEndpointConfig') return endpointConfigArn(scope, name('EndpointConfigName'));
  return anyResourceArn(scope);
}

export class ControlPlane {
  constructor(
    private readonly scope: ArnScope,
    /** the endpoints' facts as they stand at each request */
    private readonly endpoints: () => readonly EndpointFacts[],
  ) {}

  /** Answers an authenticated control request, made with `key`. */
  answer(headers: Readonly<Record<string, string>>, body: Buffer, key: Refusals | undefined): ControlAnswer {
    try {
      const target = headers[TARGET_HEADER] ?? '';
      const contentType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const operation = target.startsWith(CONTROL_TARGET_PREFIX) ? target.slice(CONTROL_TARGET_PREFIX.length) : '';
      if (contentType !== CONTROL_CONTENT_TYPE || !isOperation(operation)) {
        return controlError('UnknownOperationException', 'The requested operation is not supported.');
      }
      const input = parseInput(body);
      const denied = accessDenied(key, CONTROL_ACTIONS[operation], resourceOf(operation, input, this.scope), this.scope);
      if (denied) return controlError('AccessDeniedException', denied);
      return { status: 200, body: OPERATIONS[operation](input, { scope: this.scope, endpoints: this.endpoints() }) };
    } catch (err) {
      if (err instanceof ControlError) return controlError(err.code, err.message);
      throw err;
    }
  }
}
