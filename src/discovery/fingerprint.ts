/**
 * A fingerprint of what a discovery client is made from (settings, credentials, proxy and TLS): equal for equal
 * inputs, different when anything differs, and never the secrets in clear. It is an HMAC-SHA256 with a key made at
 * random when the process starts, so it cannot be checked against guessed secrets outside this process. No
 * Node-RED import.
 */
import { createHmac, randomBytes } from 'node:crypto';

const processKey = randomBytes(32);

/** A JSON text of `value` with object keys sorted and binary data as base64, so equal values read the same. */
export function canonical(value: unknown): string {
  if (value === undefined || typeof value === 'function') return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Uint8Array) return JSON.stringify(`base64:${Buffer.from(value).toString('base64')}`);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function fingerprint(value: unknown): string {
  return createHmac('sha256', processKey).update(canonical(value)).digest('hex');
}
