import { readFileSync } from 'node:fs';
import ts from 'typescript';

export interface ReadmeExamples {
  /** Package specs of every `npm install …` line in the README's `sh` blocks. */
  install: string[];
  /** Every `ts`/`js` block (not `ts signature` / `ts fragment`), as written. */
  programs: { line: number; code: string }[];
}

const PROGRAM_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);

export function readmeExamples(file: string): ReadmeExamples {
  const text = readFileSync(file, 'utf8');
  const install: string[] = [];
  const programs: { line: number; code: string }[] = [];
  for (const match of text.matchAll(/^```([^\n]*)\n([\s\S]*?)^```/gm)) {
    const info = match[1].trim().split(/\s+/);
    const body = match[2];
    const line = text.slice(0, match.index).split('\n').length;
    if (info[0] === 'sh' || info[0] === 'bash') {
      for (const raw of body.split('\n')) {
        const command = raw.replace(/#.*$/, '').trim();
        const m = /^npm install\s+(.*)$/.exec(command);
        if (m) install.push(...m[1].split(/\s+/).filter((t) => t && !t.startsWith('-')));
      }
    } else if (PROGRAM_LANGS.has(info[0]) && info.length === 1) {
      programs.push({ line, code: body });
    }
  }
  return { install, programs };
}

/** The TypeScript of an example as an ES module Node runs as is (types stripped, nothing bundled). */
export function toModule(code: string): string {
  return ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText;
}
