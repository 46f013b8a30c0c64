/**
 * Turns the msg's input property into the request body and says which default content type fits it.
 */
import { DEFAULT_CONTENT_TYPES } from '../shared/names';
import { MAX_BODY_BYTES } from '../shared/rules';
import { FlowError } from '../shared/flow-error';

export type BodyKind = keyof typeof DEFAULT_CONTENT_TYPES;

export interface EncodedBody {
  body: Uint8Array;
  kind: BodyKind;
  defaultContentType: string;
}

/**
 * Encodes a value: bytes as they are, a string as UTF-8, anything else as JSON.
 * @param property the msg property name, for error messages (e.g. "payload")
 * @param maxBytes the service's body limit
 */
export function encodeBody(value: unknown, property: string, maxBytes: number = MAX_BODY_BYTES): EncodedBody {
  let body: Uint8Array;
  let kind: BodyKind;
  if (value === undefined || value === null) {
    throw new FlowError('missingBody', { property });
  } else if (value instanceof Uint8Array) {
    body = value;
    kind = 'bytes';
  } else if (value instanceof ArrayBuffer) {
    body = new Uint8Array(value);
    kind = 'bytes';
  } else if (typeof value === 'string') {
    body = Buffer.from(value, 'utf8');
    kind = 'text';
  } else {
    body = Buffer.from(toJson(value, property), 'utf8');
    kind = 'json';
  }
  if (body.byteLength > maxBytes) {
    throw new FlowError('bodyTooLarge', { property, size: body.byteLength, limit: maxBytes });
  }
  return { body, kind, defaultContentType: DEFAULT_CONTENT_TYPES[kind] };
}

/**
 * JSON.stringify that refuses what JSON cannot represent instead of dropping it or writing null. The value is
 * checked by a walk first and then handed to the plain JSON.stringify: a replacer function would take the engine
 * off its fast native path for every key, which costs more than the walk (this runs for every message).
 */
export function toJson(value: unknown, property: string): string {
  const where = (key: string) => (key === '' ? `msg.${property}` : `msg.${property} (at "${key}")`);
  const ancestors: object[] = [];
  const check = (v: unknown, key: string): void => {
    switch (typeof v) {
      case 'function':
      case 'symbol':
        throw new FlowError('unrepresentableBody', { where: where(key), what: `a ${typeof v}` });
      case 'bigint':
        throw new FlowError('unrepresentableBody', { where: where(key), what: 'a BigInt' });
      case 'number':
        if (!Number.isFinite(v)) throw new FlowError('unrepresentableBody', { where: where(key), what: String(v) });
        return;
      case 'object': {
        // null, and objects that say how to write themselves (Date, Buffer): JSON.stringify takes them as they are
        if (v === null || typeof (v as { toJSON?: unknown }).toJSON === 'function') return;
        if (ancestors.includes(v)) throw new FlowError('unrepresentableBody', { where: where(''), what: 'a circular structure' });
        ancestors.push(v);
        if (Array.isArray(v)) for (let i = 0; i < v.length; i++) check(v[i], String(i));
        else for (const k of Object.keys(v)) check((v as Record<string, unknown>)[k], k);
        ancestors.pop();
        return;
      }
      default:
        return; // string, boolean, undefined (JSON leaves an undefined property out, as it should)
    }
  };
  check(value, '');
  return JSON.stringify(value);
}
