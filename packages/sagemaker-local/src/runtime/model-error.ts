/**
 * How SageMaker Runtime reports a model container's failure to the caller: `ModelError`, HTTP 424, with the
 * container's own status and message in `OriginalStatusCode` and `OriginalMessage`. Shared by the built-in demo
 * model (which answers as a container would) and the route to a real local container.
 */

import type { EndpointError } from './types';
import { errorStatus } from './wire';

/** The container host name the service names in its messages for a single-container endpoint. */
export const CONTAINER_HOST = 'primary';

/** The longest container message quoted back (the service also cuts long bodies short). */
const MAX_ORIGINAL_MESSAGE = 4096;

/** A container answered `status` (4xx or 5xx) with `message` as its body. */
export function containerError(status: number, message: string): EndpointError {
  const quoted = message.length > MAX_ORIGINAL_MESSAGE ? message.slice(0, MAX_ORIGINAL_MESSAGE) : message;
  const kind = status >= 500 ? 'server' : 'client';
  return {
    error: 'ModelError',
    status: errorStatus('ModelError'),
    message: `Received ${kind} error (${status}) from ${CONTAINER_HOST} with message "${quoted}".`,
    fields: { OriginalStatusCode: status, OriginalMessage: quoted },
  };
}

/**
 * The service got no answer from the container at all (refused, reset, timed out): it reports a server error
 * with status 0 and its own explanation.
 */
export function noAnswerError(explanation: string): EndpointError {
  return {
    error: 'ModelError',
    status: errorStatus('ModelError'),
    message: `Received server error (0) from ${CONTAINER_HOST} with message "${explanation}".`,
    fields: { OriginalStatusCode: 0, OriginalMessage: explanation },
  };
}
