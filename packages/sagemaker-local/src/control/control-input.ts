/**
 * Reads a control-plane operation's JSON input member by member and checks it as the service's front end does:
 * a member of the wrong JSON type is a SerializationException; a value that breaks its constraint (pattern, length,
 * range, enum, required) is collected, and all of them are answered at once as one ValidationException in the
 * service's words, e.g. `1 validation error detected: Value '200' at 'maxResults' failed to satisfy constraint:
 * Member must have value less than or equal to 100`.
 */

import { ControlError } from './control-error';

type Raw = Record<string, unknown>;

export interface TextRule {
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  /** the model's pattern, as the message shows it */
  pattern?: string;
  /** the allowed values, as the message lists them */
  values?: readonly string[];
}

/** The lowerCamel name the service's validation messages give a member. */
const memberPath = (member: string): string => member.charAt(0).toLowerCase() + member.slice(1);

export class InputReader {
  private readonly problems: string[] = [];

  constructor(private readonly input: Raw) {}

  /** A string member, or undefined when absent (or invalid: the problem is kept). */
  text(member: string, rule: TextRule = {}): string | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (rule.required) this.problems.push(`Value null at '${memberPath(member)}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (typeof value !== 'string') throw wrongType(member, 'a string', value);
    const at = `Value '${value}' at '${memberPath(member)}' failed to satisfy constraint: Member must`;
    const before = this.problems.length;
    if (rule.minLength !== undefined && value.length < rule.minLength) this.problems.push(`${at} have length greater than or equal to ${rule.minLength}`);
    if (rule.maxLength !== undefined && value.length > rule.maxLength) this.problems.push(`${at} have length less than or equal to ${rule.maxLength}`);
    if (rule.pattern !== undefined && !fullMatch(rule.pattern, value)) this.problems.push(`${at} satisfy regular expression pattern: ${rule.pattern}`);
    if (rule.values !== undefined && !rule.values.includes(value)) this.problems.push(`${at} satisfy enum value set: [${rule.values.join(', ')}]`);
    return this.problems.length === before ? value : undefined;
  }

  /** A value of an enum, typed. */
  oneOf<T extends string>(member: string, values: readonly T[]): T | undefined {
    return this.text(member, { values }) as T | undefined;
  }

  /** An integer member within [min, max]. */
  integer(member: string, min: number, max: number): number | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(member, 'an integer', value);
    const at = `Value '${value}' at '${memberPath(member)}' failed to satisfy constraint: Member must`;
    if (value < min) this.problems.push(`${at} have value greater than or equal to ${min}`);
    else if (value > max) this.problems.push(`${at} have value less than or equal to ${max}`);
    else return value;
    return undefined;
  }

  /** A timestamp member (epoch seconds, as awsJson sends them), in milliseconds since the epoch. */
  time(member: string): number | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(member, 'a timestamp in epoch seconds', value);
    return value * 1000;
  }

  /** Throws the ValidationException of every problem found, when there is one. */
  done(): void {
    const n = this.problems.length;
    if (n === 0) return;
    throw new ControlError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`);
  }
}

function fullMatch(pattern: string, value: string): boolean {
  const source = pattern.replace(/^\^/, '').replace(/\$$/, '');
  return new RegExp(`^(?:${source})$`).test(value);
}

function wrongType(member: string, expected: string, value: unknown): ControlError {
  const got = Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return new ControlError('SerializationException', `Member ${member} must be ${expected}, not ${got}.`);
}

/** The request body as a JSON object ({} when empty), or a SerializationException. */
export function parseInput(body: Buffer): Raw {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError('SerializationException', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ControlError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Raw;
}
