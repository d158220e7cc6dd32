/**
 * The one error type every tfbricks package throws.
 *
 * `code` is stable and machine-readable (`E_BACKEND_INIT`, `E_USAGE`, …); `hint` tells
 * the user how to fix the problem. Only the CLI catches these, prints
 * `error[code]: message` plus the hint, and maps {@link TfbricksError.exitCode}.
 */
export interface TfbricksErrorOptions {
  /** How to fix it, in one or two sentences. */
  hint?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Structured details for programs (never needed to understand the message). */
  details?: Record<string, unknown>;
  /** A usage error is the caller's input (flag, option, argument): the CLI exits 2. */
  usage?: boolean;
}

export class TfbricksError extends Error {
  override readonly name = 'TfbricksError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly usage: boolean;

  constructor(code: string, message: string, options: TfbricksErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
    this.usage = options.usage ?? false;
  }

  /** Process exit code a CLI should use: 2 for usage errors, 1 otherwise. */
  get exitCode(): number {
    return this.usage ? 2 : 1;
  }

  /** `message` followed by `hint: …` when there is a hint. */
  format(): string {
    return this.hint ? `${this.message}\nhint: ${this.hint}` : this.message;
  }
}

/** True for a {@link TfbricksError}, also across duplicated module copies (ESM + CJS). */
export function isTfbricksError(value: unknown): value is TfbricksError {
  return (
    value instanceof TfbricksError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'TfbricksError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}

/** Shorthand for a usage error (bad option/flag/argument value). */
export function usageError(code: string, message: string, hint?: string, details?: Record<string, unknown>): TfbricksError {
  return new TfbricksError(code, message, { hint, details, usage: true });
}

/** The message of any thrown value, for `[name] reason` reports. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
