import { readJsonFileSync } from '@tfbricks/core/node';
import { type ModelSpec, isTfbricksError, usageError } from '@tfbricks/core';
import { modelZoo, parseModelSpec } from '@tfbricks/layers';
import { requireReadableFile, resolvePath } from './paths';
import { invalid } from './values';

/** Which model a run uses: a zoo entry by name, or a spec read from a JSON file. */
export type ModelChoice = { kind: 'zoo'; name: string } | { kind: 'file'; path: string; spec: ModelSpec };

/** Names in the model zoo. */
export function zooNames(): string[] {
  return modelZoo.map((entry) => entry.name);
}

function looksLikePath(value: string): boolean {
  return value.includes('/') || value.includes('\\') || value.endsWith('.json');
}

/**
 * Resolve `--model`: a zoo name, or a readable JSON spec file that parses as a model
 * spec. Reads the file; writes nothing.
 */
export function resolveModelChoice(
  flag: string,
  value: string,
  cwd: string,
  shape: { numClasses: number; inputShape: number[] },
): ModelChoice {
  const names = zooNames();
  const allowed = `one of ${names.join(', ')}, or a path to a JSON model spec file`;
  if (names.includes(value)) {
    // Build the spec now so a zoo entry that rejects these shapes fails before any work.
    specFor({ kind: 'zoo', name: value }, shape);
    return { kind: 'zoo', name: value };
  }
  if (!looksLikePath(value)) invalid(flag, value, allowed);
  const path = requireReadableFile(flag, value, cwd, allowed);
  let json: unknown;
  try {
    json = readJsonFileSync(path, { what: 'model spec file', maxBytes: 16 * 1024 * 1024, maxDepth: 64 });
  } catch (error) {
    invalid(flag, value, `a JSON model spec file (${(error as Error).message.split('\n')[0]})`);
  }
  let spec: ModelSpec;
  try {
    spec = parseModelSpec(json);
  } catch (error) {
    const reason = isTfbricksError(error) ? error.message : String(error);
    throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(value)} is not a valid model spec: ${reason.split('\n')[0].slice(0, 400)}`);
  }
  return { kind: 'file', path: resolvePath(cwd, value), spec };
}

/** The model spec for a choice, shaped for the dataset. */
export function specFor(choice: ModelChoice, shape: { numClasses: number; inputShape: number[] }): ModelSpec {
  if (choice.kind === 'file') return choice.spec;
  const entry = modelZoo.find((e) => e.name === choice.name);
  if (!entry) invalid('--model', choice.name, `one of ${zooNames().join(', ')}`);
  return entry.spec({ numClasses: shape.numClasses, inputShape: shape.inputShape });
}
