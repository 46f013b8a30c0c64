/**
 * Keeps the body of an answer the SDK is going to fail to read, so that the error can say what came back.
 *
 * When a proxy, a gateway or a server at a wrong endpoint URL answers with HTML, XML or plain text, the SDK's JSON
 * parser throws `Unexpected token '<'` after reading the body from the socket, and keeps only the consumed stream
 * (`error.$response.body`). Reading the body here first, into bytes, changes nothing for the SDK (it collects an
 * error body whole anyway, and accepts bytes where it expects a stream) and leaves the bytes on the response, which
 * the SDK attaches to its error as `$response`. errors.ts reads them from there. No Node-RED import.
 */

/** What this module needs of the SDK's HTTP request and response. */
interface Request {
  path?: string;
}
interface Answer {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

/**
 * A successful status whose body the SDK still parses: the async call's JSON answer and the response stream's
 * event stream. The InvokeEndpoint answer (`/invocations`) is the model's own body, any type, and never kept.
 */
const PARSED_ANSWER_PATH = /\/endpoints\/[^/]+\/(async-invocations|invocations-response-stream)$/;

/** Whether the SDK will try, and fail, to read this answer as its own format. */
export function shouldKeepBody(path: string, statusCode: number, contentType: string): boolean {
  if (statusCode >= 300) return true; // an error body: the SDK reads it whole as JSON
  return PARSED_ANSWER_PATH.test(path) && !/json|eventstream/i.test(contentType);
}

/** An HTTP answer's Content-Type, whatever the case of the header's name; '' when it has none. */
export function contentTypeOf(headers: unknown): string {
  if (typeof headers !== 'object' || headers === null) return '';
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === 'content-type' && typeof value === 'string') return value;
  return '';
}

async function readAll(body: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function isStream(body: unknown): body is AsyncIterable<Uint8Array | string> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body && !(body instanceof Uint8Array);
}

/** The handler's result, with the body read into bytes when the SDK would fail to read it (see above). */
export async function keepUnexpectedBody<T extends { response: Answer }>(request: Request, out: T): Promise<T> {
  const { response } = out;
  if (typeof response?.statusCode !== 'number') return out; // not an HTTP answer this module understands
  if (!shouldKeepBody(request.path ?? '', response.statusCode, contentTypeOf(response.headers))) return out;
  if (isStream(response.body)) response.body = await readAll(response.body);
  return out;
}
