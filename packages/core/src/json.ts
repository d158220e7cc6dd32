import { TfbricksError } from './errors';
import { echo } from './echo';

export interface BoundedJsonOptions {
  /** Names the input in errors, e.g. `model.json of "runs/x/model"`. */
  what: string;
  /** Longest text accepted, in characters (default 64 MiB). */
  maxLength?: number;
  /** Deepest nesting of arrays/objects accepted (default 64). */
  maxDepth?: number;
  /** Error code (default `E_JSON`). */
  code?: string;
  /** Fix to suggest. */
  hint?: string;
}

export const JSON_LIMITS = { maxLength: 64 * 1024 * 1024, maxDepth: 64 } as const;

/** Nesting depth of JSON text, without recursion (strings are skipped). Stops counting past `stopAt`. */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123 /* [ { */) {
      if (++depth > max && (max = depth) > stopAt) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/**
 * `JSON.parse` with bounds a hostile file cannot push: the text's length and its nesting
 * depth are checked first, so a 10 MB `[[[[…` never reaches a recursive validator.
 * Errors name the input and quote at most a few characters of it.
 */
export function parseJsonBounded(text: string, options: BoundedJsonOptions): unknown {
  const maxLength = options.maxLength ?? JSON_LIMITS.maxLength;
  const maxDepth = options.maxDepth ?? JSON_LIMITS.maxDepth;
  const code = options.code ?? 'E_JSON';
  if (text.length > maxLength) {
    throw new TfbricksError(code, `${options.what} is ${text.length} characters long; the limit is ${maxLength}`, { usage: true, hint: options.hint });
  }
  const depth = jsonDepth(text, maxDepth);
  if (depth > maxDepth) {
    throw new TfbricksError(code, `${options.what} nests arrays/objects more than ${maxDepth} deep`, { usage: true, hint: options.hint });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new TfbricksError(code, `${options.what} is not valid JSON: ${echo(reason).slice(1, -1)}`, { usage: true, hint: options.hint, cause: e });
  }
}

/**
 * The one bounded-allocation rule: a size read from input (an image header's pixels, a
 * manifest's elements, a layer's declared units) must be a non-negative integer no greater
 * than `limit` before anything of that size is allocated.
 */
export function checkDeclaredSize(what: string, count: number, limit: number, hint?: string): number {
  if (!Number.isFinite(count) || count < 0 || !Number.isInteger(count) || count > limit) {
    throw new TfbricksError('E_TOO_LARGE', `${what} is ${Number.isFinite(count) ? count : echo(count)}, above the limit of ${limit}`, {
      usage: true,
      hint,
      details: { count, limit },
    });
  }
  return count;
}
