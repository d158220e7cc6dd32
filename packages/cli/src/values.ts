import { echo, usageError } from '@tfbricks/core';

/**
 * Flag value parsers. Each takes the raw string from the command line and throws a usage
 * error naming the flag, the value and what is allowed. They never touch the filesystem.
 */

/** The value as the message quotes it: bounded in length, control characters escaped. */
function show(value: string): string {
  return echo(value);
}

export function invalid(flag: string, value: string, allowed: string): never {
  throw usageError('E_USAGE', `invalid value for ${flag}: ${show(value)} (allowed: ${allowed})`, undefined, {
    flag,
    value,
    allowed,
  });
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** An integer in `[min, max]`. */
export function parseInteger(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const allowed = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  if (!INTEGER.test(value.trim())) invalid(flag, value, allowed);
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) invalid(flag, value, allowed);
  return n;
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** `min` itself is not allowed. */
  minExclusive?: boolean;
  /** `max` itself is not allowed. */
  maxExclusive?: boolean;
}

function describeRange(range: NumberRange): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.minExclusive ? '>' : '>='} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.maxExclusive ? '<' : '<='} ${range.max}`);
  return parts.length ? `a finite number ${parts.join(' and ')}` : 'a finite number';
}

/** A finite decimal number (no NaN, no Infinity, no hex) within `range`. */
export function parseNumber(flag: string, value: string, range: NumberRange = {}): number {
  const allowed = describeRange(range);
  const text = value.trim();
  if (!NUMBER.test(text)) invalid(flag, value, allowed);
  const n = Number(text);
  if (!Number.isFinite(n)) invalid(flag, value, allowed);
  if (range.min !== undefined && (range.minExclusive ? n <= range.min : n < range.min)) invalid(flag, value, allowed);
  if (range.max !== undefined && (range.maxExclusive ? n >= range.max : n > range.max)) invalid(flag, value, allowed);
  return n;
}

/** One of `choices`. */
export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) invalid(flag, value, `one of ${choices.join(', ')}`);
  return value as T;
}

/** Two numbers `lo,hi` with lo <= hi, each within `range`. */
export function parsePair(flag: string, value: string, range: NumberRange = {}): [number, number] {
  const allowed = `two numbers "lo,hi" with lo <= hi, each ${describeRange(range)}`;
  const parts = value.split(',');
  if (parts.length !== 2) invalid(flag, value, allowed);
  const nums = parts.map((p) => {
    const t = p.trim();
    if (!NUMBER.test(t)) invalid(flag, value, allowed);
    const n = Number(t);
    if (!Number.isFinite(n)) invalid(flag, value, allowed);
    if (range.min !== undefined && (range.minExclusive ? n <= range.min : n < range.min)) invalid(flag, value, allowed);
    if (range.max !== undefined && (range.maxExclusive ? n >= range.max : n > range.max)) invalid(flag, value, allowed);
    return n;
  });
  if (nums[0] > nums[1]) invalid(flag, value, allowed);
  return [nums[0], nums[1]];
}

/** A zoom range: one number z >= 0 (meaning [1-z, 1+z]) or a pair "lo,hi" of positive numbers. */
export function parseZoom(flag: string, value: string): number | [number, number] {
  if (value.includes(',')) return parsePair(flag, value, { min: 0, minExclusive: true });
  const allowed = 'a number >= 0 (zoom in [1-z, 1+z]) or "lo,hi" with 0 < lo <= hi';
  const text = value.trim();
  if (!NUMBER.test(text)) invalid(flag, value, allowed);
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) invalid(flag, value, allowed);
  return n;
}

/** A non-empty string. */
export function parseNonEmpty(flag: string, value: string, allowed: string): string {
  if (value.trim() === '') invalid(flag, value, allowed);
  return value;
}
