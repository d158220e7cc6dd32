// Types for package-rule.mjs (imported by tsup.shared.ts).
export declare const repoRoot: string;
export declare function exportEntries(pkgDir?: string): Record<string, string>;
