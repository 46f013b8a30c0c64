/**
 * The SageMaker API calls of endpoint discovery, each failure tagged with its operation (so the problem can name
 * the IAM action it needs): every endpoint through the SDK's ListEndpoints paginator, every page; one endpoint
 * described by DescribeEndpoint (required), then DescribeEndpointConfig and ListInferenceComponents (every page),
 * whose failures are kept beside the rest of the answer. No Node-RED import.
 */
import type {
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  EndpointSummary,
  InferenceComponentSummary,
} from '@aws-sdk/client-sagemaker';
import type { DiscoveryOperation } from '../shared/discovery';
import type { ControlPlane } from './client';

/** A call that failed: the operation and what the SDK threw. */
export class CallFailed extends Error {
  constructor(
    readonly operation: DiscoveryOperation,
    readonly error: unknown,
  ) {
    super(`${operation} failed`);
    this.name = 'CallFailed';
  }
}

/** The page size asked for: ListEndpoints' and ListInferenceComponents' largest. */
const PAGE_SIZE = 100;

async function tagged<T>(operation: DiscoveryOperation, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new CallFailed(operation, err);
  }
}

/** Every endpoint of the account and region, by name (as the dialog offers them). */
export function listEndpoints(plane: ControlPlane): Promise<EndpointSummary[]> {
  return tagged('ListEndpoints', async () => {
    const all: EndpointSummary[] = [];
    const pages = plane.sdk.paginateListEndpoints({ client: plane.client, pageSize: PAGE_SIZE }, { SortBy: 'Name', SortOrder: 'Ascending' });
    for await (const page of pages) all.push(...(page.Endpoints ?? []));
    return all;
  });
}

export interface EndpointParts {
  endpoint: DescribeEndpointOutput;
  config?: DescribeEndpointConfigOutput;
  components: InferenceComponentSummary[];
  /** DescribeEndpointConfig or ListInferenceComponents, when they failed */
  failures: CallFailed[];
}

/**
 * One endpoint: DescribeEndpoint must answer; the endpoint config and the components (by name) are read when they
 * can be, at the same time.
 */
export async function describeEndpoint(plane: ControlPlane, endpointName: string): Promise<EndpointParts> {
  const { sdk, client } = plane;
  const endpoint = await tagged('DescribeEndpoint', () => client.send(new sdk.DescribeEndpointCommand({ EndpointName: endpointName })));
  const configName = endpoint.EndpointConfigName;
  const [config, components] = await Promise.allSettled([
    configName
      ? tagged('DescribeEndpointConfig', () => client.send(new sdk.DescribeEndpointConfigCommand({ EndpointConfigName: configName })))
      : Promise.resolve(undefined),
    tagged('ListInferenceComponents', async () => {
      const all: InferenceComponentSummary[] = [];
      const pages = sdk.paginateListInferenceComponents(
        { client, pageSize: PAGE_SIZE },
        { EndpointNameEquals: endpointName, SortBy: 'Name', SortOrder: 'Ascending' },
      );
      for await (const page of pages) all.push(...(page.InferenceComponents ?? []));
      return all;
    }),
  ]);
  const failures = [config, components].flatMap((r) => (r.status === 'rejected' ? [r.reason as CallFailed] : []));
  return {
    endpoint,
    ...(config.status === 'fulfilled' && config.value ? { config: config.value } : {}),
    components: components.status === 'fulfilled' ? components.value : [],
    failures,
  };
}
