/**
 * The configuration's basic rules, shared by its sections: each failure a ConfigError naming the field (as the file
 * spells it) and the rule, quoting the value given unless it is a secret.
 */

import { ConfigError, Problems } from './config-error';

export type Raw = Record<string, unknown>;

export const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

export function fail(field: string, rule: string, value?: unknown, secret = false): never {
  throw new ConfigError(`${field} ${rule}${secret || value === undefined ? '' : ` (got ${show(value)})`}`);
}

export function onlyKeys(obj: Raw, field: string, allowed: readonly string[]): void {
  const problems = new Problems();
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      problems.check(() => fail(`${field === '' ? '' : `${field}.`}${key}`, `is not a known setting (known: ${allowed.join(', ')})`));
    }
  }
  problems.throwIfAny();
}

export function text(value: unknown, field: string, secret = false): string {
  if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a non-empty text', value, secret);
  return value;
}

export function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be a whole number from ${min} to ${max}`, value);
  }
  return value;
}

