/**
 * An endpoint's control-plane settings in the configuration (what ListEndpoints, DescribeEndpoint,
 * DescribeEndpointConfig and ListInferenceComponents say of it): `status`, `failureReason`, `variants` and
 * `inferenceComponents`, each optional; and a credential's `deny`. Checked like every other section: all problems at
 * once, each naming the field and its rule; a variant's and a component's own defaults filled in.
 */

import { Problems } from './config-error';
import { fail, isObject, onlyKeys, text, wholeNumber } from './rules';
import {
  DEFAULT_INSTANCE_TYPE,
  ENDPOINT_STATUSES,
  FAILED_STATUSES,
  INFERENCE_COMPONENT_STATUSES,
  type EndpointStatus,
  type InferenceComponentFacts,
  type InferenceComponentStatus,
  type VariantFacts,
} from '../control/control-types';
import { DENIABLE_ACTIONS } from '../control/access';

/** What the configuration may say of an endpoint for the control plane (its async section is the route's own). */
export interface ControlSettings {
  /** default InService */
  status?: EndpointStatus;
  /** only with status Failed or UpdateRollbackFailed */
  failureReason?: string;
  /** default one variant AllTraffic on one ml.m5.large */
  variants?: VariantFacts[];
  inferenceComponents?: InferenceComponentFacts[];
}

/** The keys of an endpoint's section this file reads. */
export const CONTROL_KEYS = ['status', 'failureReason', 'variants', 'inferenceComponents'] as const;

/** The service's patterns: variant and inference component names are endpoint-name-like. */
const RESOURCE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+$/;
const NAME_RULE = 'must be 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit';
const FAILURE_REASON_MAX = 1024;

function nameOf(value: unknown, field: string): string {
  const name = text(value, field);
  if (!RESOURCE_NAME.test(name)) fail(field, NAME_RULE, value);
  return name;
}

function statusOf<T extends string>(value: unknown, field: string, values: readonly T[]): T {
  if (typeof value !== 'string' || !values.includes(value as T)) fail(field, `must be one of ${values.join(', ')}`, value);
  return value as T;
}

function serverlessOf(value: unknown, field: string): { memorySizeInMB: number; maxConcurrency: number } {
  if (!isObject(value)) fail(field, 'must be an object like {"memorySizeInMB": 2048, "maxConcurrency": 5}', value);
  const problems = new Problems();
  problems.check(() => onlyKeys(value, field, ['memorySizeInMB', 'maxConcurrency']));
  const memory = problems.check(() => {
    const m = wholeNumber(value.memorySizeInMB, `${field}.memorySizeInMB`, 1024, 6144);
    return m % 1024 === 0 ? m : fail(`${field}.memorySizeInMB`, 'must be 1024, 2048, 3072, 4096, 5120 or 6144', m);
  });
  const concurrency = problems.check(() => wholeNumber(value.maxConcurrency, `${field}.maxConcurrency`, 1, 200));
  problems.throwIfAny();
  return { memorySizeInMB: memory as number, maxConcurrency: concurrency as number };
}

function variantOf(value: unknown, field: string): VariantFacts {
  if (!isObject(value)) fail(field, 'must be an object like {"name": "AllTraffic", "instanceType": "ml.m5.large", "instanceCount": 1}', value);
  const problems = new Problems();
  problems.check(() => onlyKeys(value, field, ['name', 'instanceType', 'instanceCount', 'serverless']));
  const name = problems.check(() => nameOf(value.name, `${field}.name`));
  if (value.serverless !== undefined) {
    if (value.instanceType !== undefined || value.instanceCount !== undefined) {
      problems.check(() => fail(field, 'must give either "serverless" or "instanceType" and "instanceCount", not both'));
    }
    const serverless = problems.check(() => serverlessOf(value.serverless, `${field}.serverless`));
    problems.throwIfAny();
    return { name: name as string, serverless: serverless as { memorySizeInMB: number; maxConcurrency: number } };
  }
  const instanceType = problems.check(() => {
    if (value.instanceType === undefined) return DEFAULT_INSTANCE_TYPE;
    const t = text(value.instanceType, `${field}.instanceType`);
    return INSTANCE_TYPE.test(t) ? t : fail(`${field}.instanceType`, 'must be a SageMaker instance type like ml.m5.large or ml.g5.xlarge', t);
  });
  const instanceCount = problems.check(() => (value.instanceCount === undefined ? 1 : wholeNumber(value.instanceCount, `${field}.instanceCount`, 1, 1000)));
  problems.throwIfAny();
  return { name: name as string, instanceType: instanceType as string, instanceCount: instanceCount as number };
}

function variantsOf(value: unknown, field: string): VariantFacts[] {
  if (!Array.isArray(value) || value.length === 0) fail(field, 'must list at least one variant, like [{"name": "AllTraffic", "instanceType": "ml.m5.large"}]', value);
  const problems = new Problems();
  const variants = value.map((v, i) => problems.check(() => variantOf(v, `${field}[${i}]`)));
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (v && seen.has(v.name)) problems.check(() => fail(`${field}[${i}].name`, 'is the name of another variant of this endpoint', v.name));
    if (v) seen.add(v.name);
  });
  problems.throwIfAny();
  return variants as VariantFacts[];
}

function componentOf(value: unknown, field: string, variants: readonly string[] | undefined): InferenceComponentFacts {
  if (!isObject(value)) fail(field, 'must be an object like {"name": "my-component", "variant": "AllTraffic"}', value);
  const problems = new Problems();
  problems.check(() => onlyKeys(value, field, ['name', 'variant', 'status']));
  const name = problems.check(() => nameOf(value.name, `${field}.name`));
  const variant = problems.check(() => {
    if (value.variant === undefined) return variants?.[0];
    const v = nameOf(value.variant, `${field}.variant`);
    // Unknown variants are only reported when the variants themselves are sound.
    if (variants && !variants.includes(v)) fail(`${field}.variant`, `must name one of the endpoint's variants (${variants.join(', ')})`, v);
    return v;
  });
  const status = problems.check(() =>
    value.status === undefined ? 'InService' : statusOf<InferenceComponentStatus>(value.status, `${field}.status`, INFERENCE_COMPONENT_STATUSES),
  );
  problems.throwIfAny();
  return { name: name as string, variant: variant as string, status: status as InferenceComponentStatus };
}

/**
 * An endpoint's control-plane settings from its section (`field` e.g. `endpoints.my-endpoint`): only the keys given,
 * with `variants` (when absent: the default variant's name) checked against `inferenceComponents`.
 */
export function controlSettingsOf(value: Record<string, unknown>, field: string, defaultVariant: string): ControlSettings {
  const problems = new Problems();
  const status = value.status === undefined ? undefined : problems.check(() => statusOf<EndpointStatus>(value.status, `${field}.status`, ENDPOINT_STATUSES));
  const failureReason =
    value.failureReason === undefined
      ? undefined
      : problems.check(() => {
          const reason = text(value.failureReason, `${field}.failureReason`);
          if (reason.length > FAILURE_REASON_MAX) fail(`${field}.failureReason`, `must be at most ${FAILURE_REASON_MAX} characters`);
          // A status that is itself wrong is reported once, on its own line.
          const statusSound = value.status === undefined || status !== undefined;
          if (statusSound && (status === undefined || !FAILED_STATUSES.includes(status))) {
            fail(`${field}.failureReason`, `is only for an endpoint whose status is ${FAILED_STATUSES.join(' or ')} (status is ${status ?? 'InService'})`);
          }
          return reason;
        });
  const variants = value.variants === undefined ? undefined : problems.check(() => variantsOf(value.variants, `${field}.variants`));
  const variantNames = value.variants === undefined ? [defaultVariant] : variants?.map((v) => v.name);
  const components =
    value.inferenceComponents === undefined
      ? undefined
      : problems.check(() => {
          if (!Array.isArray(value.inferenceComponents)) fail(`${field}.inferenceComponents`, 'must be a list like [{"name": "my-component"}]', value.inferenceComponents);
          const inner = new Problems();
          const list = value.inferenceComponents.map((c, i) => inner.check(() => componentOf(c, `${field}.inferenceComponents[${i}]`, variantNames)));
          inner.throwIfAny();
          return list as InferenceComponentFacts[];
        });
  problems.throwIfAny();
  return {
    ...(status === undefined ? {} : { status }),
    ...(failureReason === undefined ? {} : { failureReason }),
    ...(variants === undefined ? {} : { variants }),
    ...(components === undefined ? {} : { inferenceComponents: components }),
  };
}

/** Inference component names are the account's, not the endpoint's: no two endpoints may use the same one. */
export function checkComponentNames(endpoints: Record<string, ControlSettings>, problems: Problems): void {
  const owner = new Map<string, string>();
  for (const [endpoint, settings] of Object.entries(endpoints)) {
    (settings.inferenceComponents ?? []).forEach((c, i) => {
      const first = owner.get(c.name);
      if (first !== undefined) {
        problems.check(() =>
          fail(`endpoints.${endpoint}.inferenceComponents[${i}].name`, `is already the name of an inference component of ${first === endpoint ? 'this endpoint' : `endpoint ${first}`} (names are unique in the account)`, c.name),
        );
      } else owner.set(c.name, endpoint);
    });
  }
}

/** A credential's `deny`: the IAM actions this key pair is refused. */
export function denyOf(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) fail(field, 'must be a list of IAM actions, like ["sagemaker:ListEndpoints"]', value);
  const problems = new Problems();
  value.forEach((a, i) =>
    problems.check(() => {
      if (typeof a !== 'string' || !DENIABLE_ACTIONS.includes(a)) fail(`${field}[${i}]`, `must be one of the actions this server answers: ${DENIABLE_ACTIONS.join(', ')}`, a);
    }),
  );
  problems.throwIfAny();
  return value as string[];
}
