// Writes ../src/kernels/conv-kernels-wasm.ts from the kernels' generators (see assemble.mjs).
// Usage (in packages/backend-wasm): node wasm/build.mjs   — wabt is a devDependency.
// src/kernels/kernel-module.test.ts fails when the committed file differs from this output.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleKernels } from './assemble.mjs';

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, '../src/kernels/conv-kernels-wasm.ts'), await assembleKernels());
console.log('wrote src/kernels/conv-kernels-wasm.ts');
