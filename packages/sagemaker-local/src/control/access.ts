/**
 * Which IAM actions a key pair is refused (`deny` of a credential), and the AccessDeniedException the service
 * answers then, in its words. The actions are those this server answers: its control-plane and runtime operations.
 */

import { localUserArn, type ArnScope } from './arn';

export const CONTROL_ACTIONS = {
  ListEndpoints: 'sagemaker:ListEndpoints',
  DescribeEndpoint: 'sagemaker:DescribeEndpoint',
  DescribeEndpointConfig: 'sagemaker:DescribeEndpointConfig',
  ListInferenceComponents: 'sagemaker:ListInferenceComponents',
} as const;
export type ControlOperation = keyof typeof CONTROL_ACTIONS;

export const RUNTIME_ACTIONS = {
  invoke: 'sagemaker:InvokeEndpoint',
  stream: 'sagemaker:InvokeEndpointWithResponseStream',
  async: 'sagemaker:InvokeEndpointAsync',
  bidi: 'sagemaker:InvokeEndpointWithBidirectionalStream',
} as const;

/** Every action a credential's `deny` may name. */
export const DENIABLE_ACTIONS: readonly string[] = [...Object.values(CONTROL_ACTIONS), ...Object.values(RUNTIME_ACTIONS)];

/** A key pair's refusals. */
export interface Refusals {
  deny?: readonly string[];
}

/** The AccessDeniedException message when `key` may not do `action` on `resourceArn`; undefined when it may. */
export function accessDenied(key: Refusals | undefined, action: string, resourceArn: string, scope: ArnScope): string | undefined {
  if (!key?.deny?.includes(action)) return undefined;
  return `User: ${localUserArn(scope)} is not authorized to perform: ${action} on resource: ${resourceArn} because no identity-based policy allows the ${action} action`;
}
