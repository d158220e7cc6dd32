// The workspace's own rule for what is published (scripts/package-rule.mjs), typed for the tests.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkspacePackage {
  dir: string;
  path: string;
  name: string;
  manifest: Record<string, unknown> & { version: string; peerDependencies?: Record<string, string>; dependencies?: Record<string, string> };
}

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const rule = (await import(join(repoRoot, 'scripts', 'package-rule.mjs'))) as {
  publishablePackages(root?: string): WorkspacePackage[];
};

/** Every package under `root`/packages that is not private. */
export function publishablePackages(root: string = repoRoot): WorkspacePackage[] {
  return rule.publishablePackages(root);
}
