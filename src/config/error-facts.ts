/**
 * What a failure says about itself, whatever threw it (an SDK client, a service's answer, Node's network, a plain
 * value): its name, message, Node's error code and the HTTP status of the answer, each read only when it has its
 * type. Read by the assumed role's errors (config/assume-role) and endpoint discovery's (discovery/problems). No
 * Node-RED import.
 */
export interface ErrorFacts {
  /** the error's name, or "Error" */
  name: string;
  /** its message, or its name */
  message: string;
  /** Node's or OpenSSL's code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, ...) */
  code?: string;
  /** the HTTP status of the answer, when there was one */
  status?: number;
}

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function errorFacts(error: unknown): ErrorFacts {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorShape;
  const name = str(e.name) ?? 'Error';
  const code = str(e.code);
  const status = e.$metadata?.httpStatusCode;
  return {
    name,
    message: str(e.message) ?? name,
    ...(code ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
  };
}
