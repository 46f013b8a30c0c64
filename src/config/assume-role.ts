/**
 * Assuming a role on top of the config node's base credentials: the session name derived from the node, and the
 * credential provider that calls STS AssumeRole.
 *
 * The provider is the SDK's own fromTemporaryCredentials (one STS client, made on first use; it shares the
 * SageMaker client's request handler, so proxy, TLS and timeouts apply to STS too). The SageMaker client memoizes
 * it like any credential provider: it asks again only when the credentials are within five minutes of their
 * expiration (coalescing concurrent asks into one AssumeRole), and a failed ask is not remembered, so the next
 * request asks again. What is added here: STS's error in words, naming the role. No Node-RED import.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ROLE_SESSION_PREFIX } from '../shared/names';
import { FlowError } from '../shared/flow-error';
import { errorFacts } from './error-facts';

/** Static keys or a credential provider: what fromTemporaryCredentials takes as the credentials that call STS. */
export type MasterCredentials = NonNullable<Parameters<typeof fromTemporaryCredentials>[0]['masterCredentials']>;
/** A credential provider as the SDK clients take it (called with the calling client's config). */
export type RoleCredentialProvider = ReturnType<typeof fromTemporaryCredentials>;

export interface RoleSettings {
  roleArn: string;
  externalId?: string;
  roleSessionName: string;
  durationSeconds: number;
  /** blank: the regional STS endpoint of the config node's region */
  stsEndpointUrl?: string;
}

/**
 * `node-red-` and the config node's name (or, without one, its id), with each character STS does not allow in a
 * session name replaced by `-`, cut to STS's 64 characters.
 */
export function defaultRoleSessionName(name: string, id: string): string {
  const base = (name.trim() || id.trim() || 'config').replace(/[^\w+=,.@-]+/g, '-');
  return (ROLE_SESSION_PREFIX + base).slice(0, 64);
}

/** The IAM action the config node's credentials need on the role (and the role's trust policy must allow). */
export const ASSUME_ROLE_ACTION = 'sts:AssumeRole';

/** STS's answer (or why there was none) as the `assumeRoleFailed` FlowError, naming the role. */
export function assumeRoleError(error: unknown, roleArn: string): FlowError {
  if (error instanceof FlowError) return error; // already in words (e.g. the proxy refused the tunnel)
  const { name, message, status } = errorFacts(error);
  return new FlowError('assumeRoleFailed', { role: roleArn, name, message, status: status ?? '' });
}

/**
 * The provider of the role's temporary credentials. `master` is what calls STS: static keys, a provider (profile,
 * default chain), or undefined for the SDK's default chain.
 */
export function assumeRoleProvider(
  role: RoleSettings,
  region: string,
  master: MasterCredentials | undefined,
): RoleCredentialProvider {
  const provider = fromTemporaryCredentials({
    params: {
      RoleArn: role.roleArn,
      RoleSessionName: role.roleSessionName,
      DurationSeconds: role.durationSeconds,
      ...(role.externalId ? { ExternalId: role.externalId } : {}),
    },
    ...(master ? { masterCredentials: master } : {}),
    clientConfig: { region, ...(role.stsEndpointUrl ? { endpoint: role.stsEndpointUrl } : {}) },
  });
  return async (props) => {
    try {
      return await provider(props);
    } catch (err) {
      throw assumeRoleError(err, role.roleArn);
    }
  };
}
