/**
 * The ARNs the control plane and the access checks name: the region's partition, the account, and the resource.
 * SageMaker writes resource names in its ARNs in lower case.
 */

/** The partition of a region: aws, aws-cn or aws-us-gov. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export interface ArnScope {
  region: string;
  accountId: string;
}

const sagemakerArn = (scope: ArnScope, resource: string): string => `arn:${partitionOf(scope.region)}:sagemaker:${scope.region}:${scope.accountId}:${resource}`;

export const endpointArn = (scope: ArnScope, name: string): string => sagemakerArn(scope, `endpoint/${name.toLowerCase()}`);
export const endpointConfigArn = (scope: ArnScope, name: string): string => sagemakerArn(scope, `endpoint-config/${name.toLowerCase()}`);
export const inferenceComponentArn = (scope: ArnScope, name: string): string => sagemakerArn(scope, `inference-component/${name.toLowerCase()}`);
/** What an action on no one resource (the List operations) is refused on. */
export const anyResourceArn = (scope: ArnScope): string => sagemakerArn(scope, '*');
/** The IAM user every key pair of the local server stands for. */
export const localUserArn = (scope: ArnScope): string => `arn:${partitionOf(scope.region)}:iam::${scope.accountId}:user/sagemaker-local`;
