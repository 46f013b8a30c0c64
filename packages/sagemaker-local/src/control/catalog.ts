/**
 * The control plane's facts about the endpoints a server runs, made from their settings with the defaults filled
 * in (status InService, one variant AllTraffic on one ml.m5.large) and with times that are stable for a server's
 * run: endpoint i (0-based, in the order given) was created (i + 1) minutes before the server started, rounded down
 * to the second, and last modified 30 seconds after its creation; its inference component j was created (j + 1)
 * seconds after the endpoint, and last modified then. So the first endpoint is the newest, and ListEndpoints'
 * default order (CreationTime, Descending) is the configuration's order.
 */

import { DEFAULT_INSTANCE_TYPE, DEFAULT_VARIANT_NAME, type EndpointFacts, type EndpointSettings } from './control-types';

const MINUTE_MS = 60_000;
const SECOND_MS = 1000;
const MODIFIED_AFTER_CREATION_MS = 30 * SECOND_MS;

/** The facts of each endpoint, in the order given; `startedAt` is the server's start (ms since the epoch). */
export function catalogOf(endpoints: ReadonlyArray<readonly [string, EndpointSettings]>, startedAt: number): EndpointFacts[] {
  const start = Math.floor(startedAt / SECOND_MS) * SECOND_MS;
  return endpoints.map(([name, settings], i) => {
    const creationTime = start - (i + 1) * MINUTE_MS;
    return {
      name,
      status: settings.status ?? 'InService',
      ...(settings.failureReason === undefined ? {} : { failureReason: settings.failureReason }),
      variants: settings.variants ?? [{ name: DEFAULT_VARIANT_NAME, instanceType: DEFAULT_INSTANCE_TYPE, instanceCount: 1 }],
      inferenceComponents: settings.inferenceComponents ?? [],
      ...(settings.async === undefined ? {} : { async: settings.async }),
      creationTime,
      lastModifiedTime: creationTime + MODIFIED_AFTER_CREATION_MS,
    };
  });
}

/** When inference component `index` of an endpoint was created (and last modified). */
export function componentTimeOf(endpoint: EndpointFacts, index: number): number {
  return endpoint.creationTime + (index + 1) * SECOND_MS;
}
