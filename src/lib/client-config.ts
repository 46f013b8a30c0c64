/**
 * Checks the config node's settings and turns them into one SageMaker Runtime client configuration.
 */
import type { SageMakerRuntimeClientConfig } from '@aws-sdk/client-sagemaker-runtime';
import { fromIni } from '@aws-sdk/credential-providers';
import {
  AUTH_MODES,
  CONFIG_DEFAULTS,
  CONFIG_LIMITS,
  RETRY_MODES,
  type AuthMode,
  type RetryMode,
} from './names';
import { CONFIG_FIELD_RULES, enforceRule } from './rules';
import { FlowError } from './flow-error';

/** The config node's properties as Node-RED hands them over (after ${ENV_VAR} substitution). */
export interface RawConfigSettings {
  region?: unknown;
  endpointUrl?: unknown;
  authMode?: unknown;
  profile?: unknown;
  profileFile?: unknown;
  maxAttempts?: unknown;
  retryMode?: unknown;
  timeout?: unknown;
}

export interface ConfigCredentials {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

export interface ClientSettings {
  region: string;
  endpointUrl?: string;
  authMode: AuthMode;
  profile?: string;
  profileFile?: string;
  maxAttempts: number;
  retryMode: RetryMode;
  timeout: number;
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v).trim());

function checkShape(field: keyof typeof CONFIG_FIELD_RULES, value: string): void {
  enforceRule(CONFIG_FIELD_RULES[field], value, field);
}

function integer(field: 'maxAttempts' | 'timeout', raw: unknown): number {
  const t = text(raw);
  if (t === '') return CONFIG_DEFAULTS[field];
  const n = Number(t);
  const { min, max } = CONFIG_LIMITS[field];
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new FlowError('invalidField', { field, rule: `must be a whole number from ${min} to ${max}` });
  }
  return n;
}

function oneOf<T extends string>(field: string, raw: unknown, allowed: readonly T[], fallback: T): T {
  const t = text(raw);
  if (t === '') return fallback;
  if (!(allowed as readonly string[]).includes(t)) {
    throw new FlowError('invalidField', { field, rule: `must be one of ${allowed.join(', ')}` });
  }
  return t as T;
}

/** Validates the settings and credentials together; throws a FlowError naming the field and the rule. */
export function resolveClientSettings(raw: RawConfigSettings, creds: ConfigCredentials): ClientSettings {
  const region = text(raw.region);
  if (region === '') throw new FlowError('missingField', { field: 'region' });
  checkShape('region', region);

  const endpointUrl = text(raw.endpointUrl) || undefined;
  if (endpointUrl) checkShape('endpointUrl', endpointUrl);

  const authMode = oneOf('authMode', raw.authMode, AUTH_MODES, CONFIG_DEFAULTS.authMode);
  const settings: ClientSettings = {
    region,
    endpointUrl,
    authMode,
    maxAttempts: integer('maxAttempts', raw.maxAttempts),
    retryMode: oneOf('retryMode', raw.retryMode, RETRY_MODES, CONFIG_DEFAULTS.retryMode),
    timeout: integer('timeout', raw.timeout),
  };
  if (authMode === 'keys') {
    if (!creds.accessKeyId) throw new FlowError('missingField', { field: 'accessKeyId' });
    if (!creds.secretAccessKey) throw new FlowError('missingField', { field: 'secretAccessKey' });
  } else if (authMode === 'profile') {
    const profile = text(raw.profile);
    if (profile === '') throw new FlowError('missingField', { field: 'profile' });
    checkShape('profile', profile);
    settings.profile = profile;
    settings.profileFile = text(raw.profileFile) || undefined;
  }
  return settings;
}

/** The client configuration for settings that passed resolveClientSettings. */
export function buildClientConfig(settings: ClientSettings, creds: ConfigCredentials): SageMakerRuntimeClientConfig {
  const config: SageMakerRuntimeClientConfig = {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryMode: settings.retryMode,
    requestHandler: {
      // One attempt may take `timeout` ms until the response starts; the socket may then idle that long
      // between body chunks. throwOnRequestTimeout makes the handler end the attempt instead of only logging.
      requestTimeout: settings.timeout,
      throwOnRequestTimeout: true,
      socketTimeout: settings.timeout,
      connectionTimeout: settings.timeout,
    },
  };
  if (settings.endpointUrl) config.endpoint = settings.endpointUrl;
  switch (settings.authMode) {
    case 'keys':
      config.credentials = {
        accessKeyId: creds.accessKeyId ?? '',
        secretAccessKey: creds.secretAccessKey ?? '',
        ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
      };
      break;
    case 'profile':
      config.credentials = fromIni({
        profile: settings.profile,
        ...(settings.profileFile ? { filepath: settings.profileFile } : {}),
      });
      break;
    case 'chain':
      // Leaving credentials unset is the SDK's default provider chain: environment, shared config and SSO,
      // web identity, container and instance roles.
      break;
  }
  return config;
}
