/**
 * The four control-plane operations the local server answers, each from its input (checked as the service checks
 * it) and the endpoints' facts: ListEndpoints, DescribeEndpoint, DescribeEndpointConfig, ListInferenceComponents.
 */

import { ControlError } from './control-error';
import { InputReader } from './control-input';
import { listPage, SORT_KEYS, SORT_ORDERS, type ListQuery } from './list-page';
import { endpointArn, endpointConfigArn, type ArnScope } from './arn';
import { ENDPOINT_STATUSES, INFERENCE_COMPONENT_STATUSES, type EndpointFacts } from './control-types';
import { componentsOf, componentSummary, describeEndpoint, describeEndpointConfig, endpointSummary } from './shapes';
import type { ControlOperation } from './access';

type Json = Record<string, unknown>;

export interface ControlContext {
  scope: ArnScope;
  endpoints: readonly EndpointFacts[];
}

/** The model's patterns and limits of the members these operations take. */
const NAME = { pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}', maxLength: 63 };
const NAME_CONTAINS = { pattern: '[a-zA-Z0-9-]+', maxLength: 63 };
const NEXT_TOKEN = { maxLength: 8192 };

/** The paging, sorting and common filters of a List operation. */
function listQuery(r: InputReader, statuses: readonly string[]): ListQuery {
  return {
    sortBy: r.oneOf('SortBy', SORT_KEYS),
    sortOrder: r.oneOf('SortOrder', SORT_ORDERS),
    nextToken: r.text('NextToken', NEXT_TOKEN),
    maxResults: r.integer('MaxResults', 1, 100),
    nameContains: r.text('NameContains', NAME_CONTAINS),
    statusEquals: r.text('StatusEquals', { values: statuses }),
    creationTimeBefore: r.time('CreationTimeBefore'),
    creationTimeAfter: r.time('CreationTimeAfter'),
    lastModifiedTimeBefore: r.time('LastModifiedTimeBefore'),
    lastModifiedTimeAfter: r.time('LastModifiedTimeAfter'),
  };
}

function listEndpoints(input: Json, ctx: ControlContext): Json {
  const r = new InputReader(input);
  const q = listQuery(r, ENDPOINT_STATUSES);
  r.done();
  const page = listPage(ctx.endpoints, q, 'ListEndpoints');
  return { Endpoints: page.items.map((e) => endpointSummary(ctx.scope, e)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

function describeOne(input: Json, ctx: ControlContext): Json {
  const r = new InputReader(input);
  const name = r.text('EndpointName', { required: true, ...NAME });
  r.done();
  const endpoint = ctx.endpoints.find((e) => e.name === name);
  if (!endpoint) throw new ControlError('ValidationException', `Could not find endpoint "${endpointArn(ctx.scope, name as string)}".`);
  return describeEndpoint(ctx.scope, endpoint);
}

function describeConfig(input: Json, ctx: ControlContext): Json {
  const r = new InputReader(input);
  const name = r.text('EndpointConfigName', { required: true, ...NAME });
  r.done();
  const endpoint = ctx.endpoints.find((e) => e.name === name);
  if (!endpoint) throw new ControlError('ValidationException', `Could not find endpoint configuration "${endpointConfigArn(ctx.scope, name as string)}".`);
  return describeEndpointConfig(ctx.scope, endpoint);
}

function listInferenceComponents(input: Json, ctx: ControlContext): Json {
  const r = new InputReader(input);
  const q = listQuery(r, INFERENCE_COMPONENT_STATUSES);
  const endpointName = r.text('EndpointNameEquals', NAME);
  const variantName = r.text('VariantNameEquals', NAME);
  r.done();
  const components = componentsOf(ctx.endpoints).filter(
    (c) => (endpointName === undefined || c.endpoint.name === endpointName) && (variantName === undefined || c.component.variant === variantName),
  );
  const page = listPage(components, q, JSON.stringify(['ListInferenceComponents', endpointName ?? null, variantName ?? null]));
  return { InferenceComponents: page.items.map((c) => componentSummary(ctx.scope, c)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

export const OPERATIONS: Readonly<Record<ControlOperation, (input: Json, ctx: ControlContext) => Json>> = {
  ListEndpoints: listEndpoints,
  DescribeEndpoint: describeOne,
  DescribeEndpointConfig: describeConfig,
  ListInferenceComponents: listInferenceComponents,
};
